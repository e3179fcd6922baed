#pragma once
// A CSV file cut into row-aligned byte ranges, so a file of any size is parsed with bounded
// memory, on several cores, and by several processes (shards), with the same rows, values, line
// numbers and messages as read_csv gives for the whole file. Cuts fall only where read_csv's own
// scanner ends a row: a region without a quote character is cut at any line end; where a quote
// appears, the region is scanned row by row with that scanner (a quoted field may hold line
// breaks). A cut never follows a blank line (or a line ending in "\r\r"): read_csv drops trailing
// blank lines at the end of the text it is given, which must happen only at the end of the file.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "loanrisk/data/csv_reader.hpp"

namespace loanrisk {

/// The parts of a CSV file that cutting needs, read from its head and its tail.
struct CsvLayout {
  std::filesystem::path path;
  std::uintmax_t size = 0;         ///< the file's size in bytes.
  std::uintmax_t data_begin = 0;   ///< the first data row (after the BOM and the header row).
  std::uintmax_t content_end = 0;  ///< the end of the data (trailing blank lines dropped).
  std::string header;              ///< the header row's text, without its line ending.
  std::int64_t first_line = 2;     ///< the physical line of the first data row.
  /// False when the file must be read whole by read_csv: unreadable, no line feed within the
  /// probe (classic Mac line endings, or a header that long), or no data row.
  bool streamable = false;
};

/// Reads the layout (the header within the first probe_bytes).
CsvLayout read_csv_layout(const std::filesystem::path& path, std::size_t probe_bytes);

/// The first cut at or after `want` in buf (buf starts at a row start; `from`, <= want, is a known
/// cut in it): a row start not preceded by a blank line. buf.size() when `at_end` says the buffer
/// ends where the data does and no cut comes earlier; npos when more bytes are needed.
std::size_t csv_cut_at_or_after(std::string_view buf, std::size_t from, std::size_t want,
                                bool at_end);

/// Line feeds in text (physical lines, for line numbers).
std::int64_t count_lines(std::string_view text);

/// A cut in the data and the physical line of the row that starts there.
struct CsvRowStart {
  std::uintmax_t offset = 0;
  std::int64_t line = 0;
};

/// The first cut at or after byte `offset` of the file (clamped to the data), found by reading
/// the data from its first row: shards of one file agree on where each one's rows begin.
CsvRowStart csv_row_start_at(const CsvLayout& layout, std::uintmax_t offset);

/// Row-aligned chunks of the data rows in [begin, end) (both cuts), of about chunk_bytes each.
class CsvRangeReader {
 public:
  CsvRangeReader(const CsvLayout& layout, CsvRowStart begin, std::uintmax_t end,
                 std::size_t chunk_bytes);
  /// The next chunk's text into `text` and its first row's line into `line`; false at the end.
  bool next(std::string& text, std::int64_t& line);

 private:
  std::ifstream in_;
  std::string path_;
  std::uintmax_t pos_;  ///< next byte to read from the file.
  std::uintmax_t end_;
  std::size_t chunk_bytes_;
  std::string carry_;  ///< bytes read past the last cut.
  std::int64_t line_;  ///< line of carry_'s first row.
};

/// Cuts a chunk (whole rows) into at most `pieces` row-aligned pieces of about equal size.
std::vector<std::string_view> split_csv_rows(std::string_view chunk, std::size_t pieces);

/// Parses one piece of data rows (whole rows, from line `first_line`) as read_csv would have
/// read them inside the whole file: line numbers in the frame, the rejects and every message are
/// the file's. InputError in strict mode at the piece's first bad row.
ReadResult parse_csv_rows(const CsvLayout& layout, std::string_view rows, std::int64_t first_line,
                          const Schema& schema, const ReadOptions& options);

/// The rejects file's header line (write_rejects_csv).
inline constexpr std::string_view kRejectsHeader = "line,column,value,reason,raw_row\n";
/// Appends rejects as rows of the rejects file, as write_rejects_csv writes them.
void append_reject_rows(std::string& out, const std::vector<Reject>& rejects);

}  // namespace loanrisk
