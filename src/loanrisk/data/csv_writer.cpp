// CSV writers (frames and rejects) and the number formatting they share with the reader's messages.
#include <charconv>
#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/data/csv_detail.hpp"
#include "loanrisk/data/csv_ranges.hpp"
#include "loanrisk/data/csv_reader.hpp"

namespace loanrisk {
namespace csv_detail {

void append_real(std::string& out, double v) {
  if (std::isnan(v)) return;  // a missing optional value is an empty field
  char buf[128];
  const double a = std::fabs(v);
  // Fixed notation reads better for money; scientific keeps tiny and huge values short.
  const bool fixed = v == 0.0 || (a >= 1e-4 && a < 1e15);
  const auto r = fixed ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                       : std::to_chars(buf, buf + sizeof buf, v);
  if (r.ec != std::errc()) throw InternalError("cannot format the number " + std::to_string(v));
  out.append(buf, r.ptr);
}

void append_whole(std::string& out, double v) {
  if (std::isnan(v)) return;
  char buf[400];
  std::to_chars_result r;
  if (std::fabs(v) < 9.0e18) {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
  } else {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 0);
  }
  if (r.ec != std::errc()) throw InternalError("cannot format the number " + std::to_string(v));
  out.append(buf, r.ptr);
}

std::string format_number(double v) {
  std::string s;
  if (std::isnan(v)) return "nan";
  append_real(s, v);
  return s;
}

void append_field(std::string& out, std::string_view s) {
  const bool needs_quotes = s.find_first_of(",\"\r\n") != std::string_view::npos ||
                            (!s.empty() && (s.front() == ' ' || s.front() == '\t' ||
                                            s.back() == ' ' || s.back() == '\t'));
  if (!needs_quotes) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace csv_detail

void append_csv_field(std::string& out, std::string_view s) {
  csv_detail::append_field(out, s);
}

void append_reject_rows(std::string& out, const std::vector<Reject>& rejects) {
  using csv_detail::append_field;
  for (const auto& r : rejects) {
    out += std::to_string(r.line);
    out.push_back(',');
    append_field(out, r.column);
    out.push_back(',');
    append_field(out, r.value);
    out.push_back(',');
    append_field(out, r.reason);
    out.push_back(',');
    append_field(out, r.raw);
    out.push_back('\n');
  }
}

void write_rejects_csv(const std::filesystem::path& path, const std::vector<Reject>& rejects) {
  std::string out(kRejectsHeader);
  append_reject_rows(out, rejects);
  write_file_atomic(path, out);
}

void write_frame_csv(const std::filesystem::path& path, const Frame& frame, const Schema& schema) {
  const std::size_t rows = frame.rows();
  const ColumnSpec* id = schema.id();
  const bool with_id = id != nullptr && !frame.ids.empty();
  if (with_id && frame.ids.size() != rows) {
    throw InternalError("the frame has " + std::to_string(frame.ids.size()) + " ids for " +
                        std::to_string(rows) + " rows");
  }
  std::vector<const ColumnSpec*> specs;
  std::vector<const std::vector<double>*> cols;
  for (const auto& c : schema.columns) {
    if (c.type == ColumnType::Text || !frame.has(c.name)) continue;
    specs.push_back(&c);
    cols.push_back(&frame.column(c.name));
  }
  std::string out;
  out.reserve(64 + rows * (16 + 14 * specs.size()));
  bool first = true;
  auto sep = [&] {
    if (!first) out.push_back(',');
    first = false;
  };
  if (with_id) {
    sep();
    csv_detail::append_field(out, id->name);
  }
  for (const auto* s : specs) {
    sep();
    csv_detail::append_field(out, s->name);
  }
  out.push_back('\n');
  for (std::size_t r = 0; r < rows; ++r) {
    first = true;
    if (with_id) {
      sep();
      csv_detail::append_field(out, frame.ids[r]);
    }
    for (std::size_t c = 0; c < specs.size(); ++c) {
      sep();
      const double v = (*cols[c])[r];
      if (specs[c]->type == ColumnType::Real) {
        csv_detail::append_real(out, v);
      } else {
        csv_detail::append_whole(out, v);
      }
    }
    out.push_back('\n');
  }
  write_file_atomic(path, out);
}

ReadResult read_with_rejects(const std::filesystem::path& data, const Schema& schema,
                             bool require_target,
                             const std::optional<std::filesystem::path>& rejects) {
  ReadOptions options;
  options.require_target = require_target;
  options.collect_rejects = rejects.has_value();
  ReadResult read = read_csv(data, schema, options);
  if (rejects) write_rejects_csv(*rejects, read.rejects);
  return read;
}

}  // namespace loanrisk
