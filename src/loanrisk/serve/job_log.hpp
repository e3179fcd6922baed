#pragma once
// A background job's log as the web page follows it: a bounded slice of a growing file from a
// byte offset, or its tail, always valid UTF-8 whatever bytes the job wrote.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace loanrisk {

/// The most one answer carries: 64 KiB.
inline constexpr std::size_t kJobLogChunk = 64 * 1024;

/// A part of a log file.
struct LogSlice {
  std::uint64_t offset = 0;       ///< where text starts in the file.
  std::uint64_t next_offset = 0;  ///< where the next slice starts (ask from there to follow).
  std::uint64_t size = 0;         ///< the file's size now.
  std::uint64_t skipped = 0;      ///< bytes after the offset asked for left out (too far behind).
  std::string text;               ///< valid UTF-8: bytes that are not become U+FFFD.
};

/// The slice of file from offset on, or without offset its last max_bytes starting at a line;
/// when more than max_bytes follow the offset, the last max_bytes (skipped says how many were
/// left out). A character cut at either end is left for the next slice while the file may still
/// grow (growing), and replaced when it cannot. A missing file is an empty log.
LogSlice read_log_slice(const std::filesystem::path& file, std::optional<std::uint64_t> offset,
                        std::size_t max_bytes, bool growing);

}  // namespace loanrisk
