// The RFC 4180 row scanner: works in place on the whole buffer, one pass per row.
#include <algorithm>
#include <cstring>

#include "loanrisk/data/csv_detail.hpp"

namespace loanrisk::csv_detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// Scans a quoted field whose opening quote is at open; returns the closing quote or nullptr.
const char* scan_quoted(const char* open, const char* end, std::size_t index, ScannedRow& row) {
  const char* content = open + 1;
  const char* q = content;
  bool escaped = false;
  for (;;) {
    const void* hit = std::memchr(q, '"', static_cast<std::size_t>(end - q));
    if (hit == nullptr) {
      row.embedded_newlines += std::count(content, end, '\n');
      return nullptr;
    }
    const char* h = static_cast<const char*>(hit);
    if (h + 1 < end && h[1] == '"') {
      escaped = true;
      q = h + 2;
      continue;
    }
    row.embedded_newlines += std::count(content, h, '\n');
    std::string_view value(content, static_cast<std::size_t>(h - content));
    if (escaped) {
      if (row.scratch.size() <= index) row.scratch.resize(index + 1);
      std::string& s = row.scratch[index];
      s.clear();
      for (std::size_t i = 0; i < value.size(); ++i) {
        s.push_back(value[i]);
        if (value[i] == '"') ++i;  // "" stands for one quote
      }
      value = s;
    }
    row.fields.push_back(trim(value));
    return h;
  }
}

bool at_line_end(const char* p, const char* end) {
  return p == end || *p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n'));
}

}  // namespace

std::string_view trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

const char* content_end(const char* begin, const char* end) {
  const char* e = end;
  for (;;) {
    while (e > begin && (e[-1] == '\n' || e[-1] == '\r')) --e;
    const char* line_start = e;
    while (line_start > begin && line_start[-1] != '\n') --line_start;
    if (!std::all_of(line_start, e, is_space)) return e;
    if (line_start == begin) return begin;
    e = line_start;
  }
}

const char* scan_row(const char* p, const char* end, ScannedRow& row) {
  row.fields.clear();
  row.begin = p;
  row.embedded_newlines = 0;
  row.status = RowStatus::Ok;
  row.bad_field = 0;
  for (;;) {
    const std::size_t index = row.fields.size();
    const char* f = p;
    while (f < end && is_space(*f)) ++f;
    if (f < end && *f == '"') {
      const char* close = scan_quoted(f, end, index, row);
      if (close == nullptr) {
        row.status = RowStatus::UnclosedQuote;
        row.end = end;
        return end;
      }
      p = close + 1;
      while (p < end && is_space(*p)) ++p;
      if (p < end && *p != ',' && !at_line_end(p, end)) {
        if (row.status == RowStatus::Ok) {
          row.status = RowStatus::TextAfterQuote;
          row.bad_field = index;
        }
        while (p < end && *p != ',' && *p != '\n') ++p;
      }
    } else {
      const char* q = f;
      while (q < end && *q != ',' && *q != '\n') ++q;
      const char* stop = q;
      if (stop > f && stop[-1] == '\r' && (stop == end || *stop == '\n')) --stop;
      row.fields.push_back(trim({f, static_cast<std::size_t>(stop - f)}));
      p = q;
    }
    if (p < end && *p == ',') {
      ++p;
      continue;
    }
    // End of the row: p is at "\n", at "\r\n" (after a quoted field) or at the end.
    const char* row_end = p;
    if (p < end && *p == '\r') {
      ++p;
    } else if (row_end > row.begin && row_end[-1] == '\r') {
      --row_end;
    }
    if (p < end && *p == '\n') ++p;
    row.end = row_end;
    return p;
  }
}

}  // namespace loanrisk::csv_detail
