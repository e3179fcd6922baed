#pragma once
// A CSV file read a chunk of rows at a time, for files larger than memory: each chunk goes through
// the same checks as read_csv (strict or rejects mode) with the file's own line numbers in every
// message, and only one chunk of text and rows is held at a time.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/schema.hpp"

namespace loanrisk {

class CsvChunkReader {
 public:
  /// Opens the file and reads its header (InputError for a missing, unreadable or empty file, or
  /// one whose lines end in a lone CR, which only read_csv converts). rows_per_chunk >= 1.
  CsvChunkReader(std::filesystem::path path, const Schema& schema, ReadOptions options,
                 std::size_t rows_per_chunk);

  /// The next chunk: up to rows_per_chunk data rows read and checked as read_csv checks them
  /// (frame.lines and rejects carry the file's line numbers; warnings come with the first chunk
  /// only). False, with chunk untouched, after the last row. InputError for a bad row in strict
  /// mode, for a file with a header but no data row, and when the file cannot be read.
  bool next(ReadResult& chunk);
  /// Back to the first data row (a second pass over the file).
  void rewind();

  const std::filesystem::path& path() const { return path_; }

 private:
  /// Appends up to one block of the file to buf_; false at the end of the file.
  bool fill();

  std::filesystem::path path_;
  const Schema& schema_;
  ReadOptions options_;
  std::size_t rows_per_chunk_;
  std::ifstream in_;
  std::string header_;  ///< the header line as in the file (without its line ending).
  std::int64_t first_data_line_ = 2;
  std::uint64_t data_offset_ = 0;  ///< byte offset of the first data row.
  std::string buf_;                ///< unread bytes of the file, from pos_.
  std::size_t pos_ = 0;
  bool eof_ = false;
  std::int64_t next_line_ = 2;
};

}  // namespace loanrisk
