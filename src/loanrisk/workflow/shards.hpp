#pragma once
// Private to the workflow layer: the manifest each shard of `predict --shard I/N` writes beside
// its part file, and what `predict verify` reads back.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace loanrisk {

/// One part's manifest (part-0000I-of-0000N.json).
struct ShardManifest {
  std::size_t shard = 0, shards = 1;
  std::string part;  ///< the part file's name, beside the manifest.
  std::uintmax_t part_bytes = 0;
  std::string part_sha256;
  std::size_t rows_read = 0, rows_scored = 0, rows_rejected = 0;
  std::int64_t first_line = 0;  ///< physical line of the part's first row.
  std::int64_t end_line = 0;    ///< the line after its last row (the next part's first_line).
  std::string input;            ///< the scored file's absolute path.
  std::uintmax_t input_size = 0;
  std::int64_t input_mtime_ns = 0;
  std::uintmax_t data_begin = 0, data_end = 0;    ///< the input's data rows, in bytes.
  std::uintmax_t range_begin = 0, range_end = 0;  ///< the bytes of this part's rows.
  std::string range_sha256;                       ///< sha256 of those bytes.
  std::string bundle;                             ///< the bundle's folder.
  std::string bundle_sha256;                      ///< sha256_tree of the bundle.

  nlohmann::json to_json() const;
  /// InputError naming the field that is missing or of the wrong type.
  static ShardManifest from_json(const nlohmann::json& j, const std::string& source);
};

/// "part-0000I-of-0000N", the stem of a part's files.
std::string shard_name(std::size_t index, std::size_t count);

/// A file's modification time in nanoseconds since the epoch (-1 when it cannot be read).
std::int64_t mtime_ns(const std::filesystem::path& path);

}  // namespace loanrisk
