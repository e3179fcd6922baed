#pragma once
// Internals of the CSV reader and writers shared by csv_*.cpp (not part of the public interface):
// the in-place RFC 4180 row scanner and the number formatting used in files and messages.
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace loanrisk::csv_detail {

/// How scanning one row ended.
enum class RowStatus { Ok, UnclosedQuote, TextAfterQuote };

/// One scanned row: field values point into the buffer (or into scratch when a quoted field held
/// doubled quotes), so the hot path allocates nothing once the vectors have grown.
struct ScannedRow {
  std::vector<std::string_view> fields;  ///< unquoted, space-trimmed values.
  /// Per-field storage for unescaped "" values. A deque: growing it for a later field must not
  /// move the strings that earlier fields' views point into (a vector's resize did).
  std::deque<std::string> scratch;
  const char* begin = nullptr;         ///< first character of the row.
  const char* end = nullptr;           ///< end of the row's text, without the line ending.
  std::int64_t embedded_newlines = 0;  ///< newlines inside quoted fields (the row spans them).
  RowStatus status = RowStatus::Ok;    ///< Ok, or the first structural problem.
  std::size_t bad_field = 0;           ///< index of the field with text after its closing quote.

  /// The row's raw text as in the file.
  std::string_view raw() const { return {begin, static_cast<std::size_t>(end - begin)}; }
  /// True for an empty line.
  bool blank() const { return begin == end; }
};

/// Scans one row starting at p (p < end); returns the start of the next row.
const char* scan_row(const char* p, const char* end, ScannedRow& row);

/// Trims spaces and tabs on both sides.
std::string_view trim(std::string_view s);

/// The end of the meaningful text: trailing line endings and blank (whitespace-only) lines dropped.
const char* content_end(const char* begin, const char* end);

/// Appends the shortest decimal text that reads back as exactly v (fixed notation when readable).
void append_real(std::string& out, double v);
/// Appends a whole number without decimals.
void append_whole(std::string& out, double v);
/// Shortest fixed-notation text of v, for messages ("300", "100000000", "0.5").
std::string format_number(double v);
/// Appends s as one CSV field, quoted (RFC 4180) only when it needs to be.
void append_field(std::string& out, std::string_view s);

}  // namespace loanrisk::csv_detail
