#pragma once
// CSV reader driven by a Schema. Every problem is reported with the line, the column, the offending
// value and how to fix it; in rejects mode bad rows are set aside and the good ones kept.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loanrisk/data/frame.hpp"
#include "loanrisk/data/schema.hpp"

namespace loanrisk {

/// A row set aside in rejects mode.
struct Reject {
  std::int64_t line = 0;  ///< 1-based physical line of the row's first character.
  std::string column;     ///< the offending column ("" when the whole row is bad, e.g. ragged).
  std::string value;      ///< the offending text.
  std::string reason;     ///< the full error message, as strict mode would have thrown it.
  std::string raw;        ///< the row as it was in the file (without the line ending).
};

/// How to read.
struct ReadOptions {
  bool require_target = true;    ///< train/evaluate need the target; predict does not.
  bool require_id = true;        ///< false: a file without the id column is read (no ids).
  bool collect_rejects = false;  ///< false: strict, the first bad row throws InputError.
  /// The file's line number of the first data row (0: the line after the header); a chunk of a
  /// larger file (CsvChunkReader) gives its own, so messages name the file's lines.
  std::int64_t first_line = 0;
};

/// What was read.
struct ReadResult {
  Frame frame;                        ///< good rows; the target (when present) is a numeric column.
  std::vector<Reject> rejects;        ///< bad rows (rejects mode only).
  std::vector<std::string> warnings;  ///< e.g. extra columns ignored.
  std::size_t rows_read = 0;          ///< data rows seen, good and bad.
};

/// Reads a CSV file. File-level problems (missing file, empty file, header only, missing required
/// column, duplicate header) always throw InputError; row-level ones throw in strict mode.
ReadResult read_csv(const std::filesystem::path& path, const Schema& schema,
                    const ReadOptions& options = {});
/// Same, from text in memory; source_name is used in messages (e.g. the file name or "request
/// body").
ReadResult parse_csv(std::string_view text, std::string_view source_name, const Schema& schema,
                     const ReadOptions& options = {});

/// Writes rejects as CSV: line,column,value,reason,raw_row.
/// Appends s as one CSV field, quoted as RFC 4180 says when it holds a comma, a quote, a line
/// break or surrounding spaces, so that every CSV reader gets the same value back.
void append_csv_field(std::string& out, std::string_view s);

void write_rejects_csv(const std::filesystem::path& path, const std::vector<Reject>& rejects);

/// Reads a CSV in strict mode, or in rejects mode writing the rejects file when one is given.
ReadResult read_with_rejects(const std::filesystem::path& data, const Schema& schema,
                             bool require_target,
                             const std::optional<std::filesystem::path>& rejects);

/// Writes a frame as CSV with the schema's column order (id first); integers without decimals.
void write_frame_csv(const std::filesystem::path& path, const Frame& frame, const Schema& schema);

}  // namespace loanrisk
