// parse_csv / read_csv: header matching against the schema, then one pass over the rows that
// parses values in place (std::from_chars) and turns every problem into a located, fixable message.
#include "loanrisk/data/csv_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "loanrisk/core/decimal.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/data/csv_detail.hpp"
#include "loanrisk/data/csv_ranges.hpp"

namespace loanrisk {
namespace {

using csv_detail::RowStatus;
using csv_detail::ScannedRow;

enum class Problem {
  None,
  Empty,
  NotNumber,
  NotFinite,
  NotWhole,
  OutOfRange,
  NotBinary,
  AfterQuote
};

// Where a header column goes: ignored (spec null), the ids, a numeric column, or checked only.
constexpr int kToIds = -1;
constexpr int kCheckOnly = -2;
struct Binding {
  const ColumnSpec* spec = nullptr;
  int out = kCheckOnly;
};

bool has_finite_bound(const ColumnSpec& spec) {
  return std::isfinite(spec.min) || std::isfinite(spec.max);
}

// Parses one numeric value and checks it against the spec; out is NaN for an optional empty value.
Problem parse_number(std::string_view s, const ColumnSpec& spec, double& out) {
  if (s.empty()) {
    out = std::nan("");
    return spec.required ? Problem::Empty : Problem::None;
  }
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+' && e - b > 1 && b[1] != '-' && b[1] != '+') ++b;  // from_chars rejects '+'
  double v = 0.0;
  std::from_chars_result r{e, std::errc()};
  if (!parse_plain_decimal(std::string_view(b, static_cast<std::size_t>(e - b)), v)) {
    r = std::from_chars(b, e, v);
  }
  if (r.ec == std::errc::invalid_argument || r.ptr != e) {
    return spec.type == ColumnType::Binary ? Problem::NotBinary : Problem::NotNumber;
  }
  if (r.ec == std::errc::result_out_of_range) {
    v = std::strtod(std::string(s).c_str(), nullptr);  // +-HUGE_VAL, or a value near zero
    if (std::isinf(v) && has_finite_bound(spec)) {
      out = v;
      return Problem::OutOfRange;
    }
  }
  out = v;
  if (!std::isfinite(v)) return Problem::NotFinite;
  if (spec.type == ColumnType::Binary)
    return v == 0.0 || v == 1.0 ? Problem::None : Problem::NotBinary;
  if (spec.type == ColumnType::Integer && v != std::floor(v)) return Problem::NotWhole;
  if (v < spec.min || v > spec.max) return Problem::OutOfRange;
  return Problem::None;
}

std::string range_text(const ColumnSpec& spec, double v) {
  const bool lo = std::isfinite(spec.min);
  const bool hi = std::isfinite(spec.max);
  std::string s;
  if (lo && v < spec.min && (spec.min == 0.0 || !hi)) {
    s = "must be >= " + csv_detail::format_number(spec.min);
  } else if (hi && v > spec.max && !lo) {
    s = "must be <= " + csv_detail::format_number(spec.max);
  } else {
    s = "must be between " + csv_detail::format_number(spec.min) + " and " +
        csv_detail::format_number(spec.max);
  }
  if (!spec.unit.empty()) s += " (" + spec.unit + ")";
  return s;
}

// The value in quotes, cut short when long, as valid UTF-8 with control bytes (a NUL would cut
// the message) spelled out (appends, not operator+: GCC 12 -Wrestrict bug 105651).
std::string shown(std::string_view value) {
  std::string s(1, '"');
  s.append(echo_text(value, 60));
  s.push_back('"');
  return s;
}

// A header's names for a message: at most the first kMax, each cut short.
std::string listed(const std::vector<std::string>& names) {
  constexpr std::size_t kMax = 20;
  std::string s;
  for (std::size_t j = 0; j < names.size() && j < kMax; ++j) {
    s.append(j == 0 ? "" : ", ").append(echo_text(names[j], 40));
  }
  if (names.size() > kMax)
    s.append(" and ").append(std::to_string(names.size() - kMax)).append(" more");
  return s;
}

// The "<problem>. Fix: <how>" part of a value message.
std::string problem_text(Problem p, std::string_view value, const ColumnSpec& spec, double v) {
  switch (p) {
    case Problem::Empty:
      return "value is empty. Fix: fill in the value or remove the row";
    case Problem::NotNumber:
      return "value " + shown(value) +
             " is not a number. Fix: write a plain number such as 1234.56, without currency signs "
             "or thousands separators";
    case Problem::NotFinite:
      return "value " + shown(value) +
             " is not a finite number. Fix: write the actual value, or remove the row if it is "
             "unknown";
    case Problem::NotWhole:
      return "value " + shown(value) +
             " is not a whole number. Fix: write a whole number such as 3";
    case Problem::OutOfRange:
      return "value " + shown(value) + " is out of range: " + range_text(spec, v) +
             ". Fix: correct the value or remove the row";
    case Problem::NotBinary:
      if (spec.role == ColumnRole::Target) {
        return "value " + shown(value) +
               " is not a valid target: must be 0 or 1. Fix: write 1 for a loan that defaulted and "
               "0 for one that did not";
      }
      return "value " + shown(value) + " is not a valid flag: must be 0 or 1. Fix: write 1 or 0";
    case Problem::AfterQuote:
      return "value has text after its closing quote. Fix: put the whole value inside the quotes "
             "and write each quote inside it as two quotes (\"\")";
    case Problem::None:
      break;
  }
  throw InternalError("problem_text called without a problem");
}

class Reader {
 public:
  Reader(std::string_view text, std::string_view source, const Schema& schema,
         const ReadOptions& options)
      : text_(text), source_(source), schema_(schema), options_(options) {}

  ReadResult run() {
    const char* p = text_.data();
    const char* end = p + text_.size();
    if (text_.starts_with("\xEF\xBB\xBF")) p += 3;
    end = csv_detail::content_end(p, end);
    if (p == end) {
      throw InputError(source_ +
                       ": the file is empty. Fix: give a CSV with a header line and at least one "
                       "data row");
    }
    p = csv_detail::scan_row(p, end, row_);
    read_header();
    if (p == end) {
      throw InputError(source_ +
                       ": the file has a header but no data rows. Fix: add at least one data row "
                       "below the header line");
    }
    reserve(static_cast<std::size_t>(count_lines({p, static_cast<std::size_t>(end - p)})) + 1);
    std::int64_t line = options_.first_line > 0 ? options_.first_line : 2 + row_.embedded_newlines;
    while (p < end) {
      const std::int64_t row_line = line;
      p = csv_detail::scan_row(p, end, row_);
      line += 1 + row_.embedded_newlines;
      ++result_.rows_read;
      read_row(row_line);
    }
    return std::move(result_);
  }

 private:
  std::string at(std::int64_t line) const { return source_ + " line " + std::to_string(line); }
  std::string at(std::int64_t line, std::size_t col) const {
    return at(line) + ", column " + std::to_string(col + 1);
  }

  void read_header() {
    if (row_.status == RowStatus::UnclosedQuote) throw InputError(unclosed_message(1));
    if (row_.status == RowStatus::TextAfterQuote) {
      throw InputError(at(1, row_.bad_field) +
                       ": the column name has text after its closing quote. Fix: put the whole "
                       "name inside the quotes");
    }
    header_.assign(row_.fields.begin(), row_.fields.end());
    std::unordered_map<std::string_view, std::size_t> seen;
    for (std::size_t j = 0; j < header_.size(); ++j) {
      if (header_[j].empty()) continue;
      if (!seen.emplace(header_[j], j).second) {
        throw InputError(at(1, j) + ": column '" + echo_text(header_[j], 60) +
                         "' appears twice in the header. Fix: rename or remove one of the two "
                         "columns");
      }
    }
    for (const auto& c : schema_.columns) {
      const bool needed = c.required && (c.role != ColumnRole::Target || options_.require_target) &&
                          (&c != schema_.id() || options_.require_id);
      if (needed && !seen.contains(c.name)) {
        const std::string found = listed(header_);
        throw InputError(at(1) + ": required column '" + c.name + "' is missing (found: " + found +
                         "). Fix: add the column or rename the matching header");
      }
    }
    bindings_.assign(header_.size(), Binding{});
    constexpr std::size_t kMaxWarnings = 20;
    std::size_t ignored = 0;
    for (std::size_t j = 0; j < header_.size(); ++j) {
      bindings_[j].spec = schema_.find(header_[j]);
      if (bindings_[j].spec != nullptr || ++ignored > kMaxWarnings) continue;
      result_.warnings.push_back(
          header_[j].empty()
              ? "column " + std::to_string(j + 1) + " has no name and is ignored"
              : "column '" + echo_text(header_[j], 60) + "' is not in the schema and is ignored");
    }
    if (ignored > kMaxWarnings) {
      result_.warnings.push_back(std::to_string(ignored - kMaxWarnings) +
                                 " more columns are not in the schema and are ignored");
    }
    // Numeric columns go to the frame in schema order, whatever the file's order.
    for (const auto& c : schema_.columns) {
      const auto it = seen.find(c.name);
      if (it == seen.end()) continue;
      Binding& b = bindings_[it->second];
      if (&c == schema_.id()) {
        b.out = kToIds;
        has_ids_ = true;
      } else if (c.type != ColumnType::Text) {
        b.out = static_cast<int>(result_.frame.names.size());
        result_.frame.names.push_back(c.name);
      }
    }
    result_.frame.columns.resize(result_.frame.names.size());
    values_.resize(result_.frame.names.size());
  }

  void reserve(std::size_t rows) {
    for (auto& c : result_.frame.columns) c.reserve(rows);
    if (has_ids_) result_.frame.ids.reserve(rows);
    result_.frame.lines.reserve(rows);
  }

  std::string unclosed_message(std::int64_t line) const {
    return at(line) +
           ": a quoted field is not closed before the end of the file. Fix: add the missing "
           "closing quote (\") or remove the stray one";
  }

  void read_row(std::int64_t line) {
    if (row_.status == RowStatus::UnclosedQuote)
      return reject(line, {}, {}, unclosed_message(line));
    const std::size_t found = row_.blank() ? 0 : row_.fields.size();
    if (found != header_.size()) {
      return reject(line, {}, {},
                    at(line) + ": expected " + std::to_string(header_.size()) +
                        " fields as in the header, found " + std::to_string(found) +
                        ". Fix: check for a missing or extra comma, or an unclosed quote");
    }
    std::string_view id;
    for (std::size_t j = 0; j < header_.size(); ++j) {
      const Binding& b = bindings_[j];
      const std::string_view value = row_.fields[j];
      Problem problem = Problem::None;
      double v = 0.0;
      if (row_.status == RowStatus::TextAfterQuote && j == row_.bad_field) {
        if (b.spec == nullptr) continue;  // an ignored column may hold anything
        problem = Problem::AfterQuote;
      } else if (b.spec == nullptr) {
        continue;
      } else if (b.spec->type == ColumnType::Text) {
        if (value.empty() && b.spec->required) problem = Problem::Empty;
        if (b.out == kToIds) id = value;
      } else {
        problem = parse_number(value, *b.spec, v);
        if (problem == Problem::None) values_[static_cast<std::size_t>(b.out)] = v;
      }
      if (problem != Problem::None) {
        return reject(
            line, b.spec->name, value,
            at(line, j) + " (" + b.spec->name + "): " + problem_text(problem, value, *b.spec, v));
      }
    }
    Frame& f = result_.frame;
    for (std::size_t k = 0; k < values_.size(); ++k) f.columns[k].push_back(values_[k]);
    if (has_ids_) f.ids.emplace_back(id);
    f.lines.push_back(line);
  }

  void reject(std::int64_t line, std::string_view column, std::string_view value,
              std::string reason) {
    if (!options_.collect_rejects) throw InputError(reason);
    result_.rejects.push_back(Reject{line, std::string(column), std::string(value),
                                     std::move(reason), std::string(row_.raw())});
  }

  std::string_view text_;
  std::string source_;
  const Schema& schema_;
  const ReadOptions& options_;
  ScannedRow row_;
  std::vector<std::string> header_;
  std::vector<Binding> bindings_;
  std::vector<double> values_;
  bool has_ids_ = false;
  ReadResult result_;
};

}  // namespace

ReadResult parse_csv(std::string_view text, std::string_view source_name, const Schema& schema,
                     const ReadOptions& options) {
  // Classic Mac files end lines with a lone CR: read as one long row, their header would look
  // like a single wide line ("column '5' appears twice"). Without any LF, every CR ends a line.
  if (text.find('\n') == std::string_view::npos && text.find('\r') != std::string_view::npos) {
    std::string lf(text);
    std::replace(lf.begin(), lf.end(), '\r', '\n');
    return Reader(lf, source_name, schema, options).run();
  }
  return Reader(text, source_name, schema, options).run();
}

ReadResult read_csv(const std::filesystem::path& path, const Schema& schema,
                    const ReadOptions& options) {
  const std::string text = read_file(path);
  return parse_csv(text, path.string(), schema, options);
}

}  // namespace loanrisk
