#include "loanrisk/serve/applicants.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "loanrisk/core/decimal.hpp"
#include "loanrisk/core/json_writer.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/http_error.hpp"

namespace loanrisk {
namespace {

constexpr std::size_t kMaxProblems = 100;

/// What a problem quotes of the value sent: scalars as they are (long text cut short), an array
/// or object only by its kind and size, so an answer never grows with (or recurses into) the body.
nlohmann::json echoed(const nlohmann::json& v) {
  if (v.is_array()) return "(an array of " + std::to_string(v.size()) + " values)";
  if (v.is_object()) return "(an object with " + std::to_string(v.size()) + " fields)";
  if (v.is_string()) return echo_text(v.get_ref<const std::string&>());
  return v;
}

std::string range_rule(const ColumnSpec& c) {
  return "must be between " + format_fixed(c.min) + " and " + format_fixed(c.max) +
         (c.unit.empty() ? "" : " " + c.unit);
}

std::string known_fields(const Schema& schema) {
  std::string s;
  for (const auto& c : schema.columns) {
    if (c.role == ColumnRole::Target) continue;
    s += (s.empty() ? "" : ", ") + c.name;
  }
  return s;
}

/// What is wrong with a feature value, if anything. One check for both readers of applicants, so
/// the direct reader accepts exactly what applicants_frame accepts.
enum class Broken { Nothing, NotFinite, NotWhole, OutOfRange };

Broken broken_rule(const ColumnSpec& c, double v) {
  if (!std::isfinite(v)) return Broken::NotFinite;
  if ((c.type == ColumnType::Integer || c.type == ColumnType::Binary) && v != std::floor(v)) {
    return Broken::NotWhole;
  }
  if (v < c.min || v > c.max) return Broken::OutOfRange;
  return Broken::Nothing;
}

/// The rule a broken value is told, as in the 422 answer.
std::string rule_text(const ColumnSpec& c, Broken broken) {
  switch (broken) {
    case Broken::NotFinite:
      return "must be a finite number";
    case Broken::NotWhole:
      return "must be a whole number";
    case Broken::OutOfRange:
    case Broken::Nothing:
      break;
  }
  return range_rule(c);
}

/// A cursor over a request body that accepts only the plain JSON an applicant needs; every
/// method returns false on anything else, and the caller gives up on the fast path.
class FlatCursor {
 public:
  explicit FlatCursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool eat(char c) {
    skip_space();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  char peek() {
    skip_space();
    return p_ == end_ ? '\0' : *p_;
  }
  bool at_end() {
    skip_space();
    return p_ == end_;
  }
  /// A string without escapes, control characters or bytes above 127 (those go to nlohmann,
  /// which checks UTF-8 and decodes escapes).
  bool string(std::string_view& out) {
    if (!eat('"')) return false;
    // The first byte JSON escapes in ASCII-only output (a quote, a backslash, a control byte or
    // one above 127), found eight bytes at a time: only the closing quote may be it.
    const char* start = p_;
    p_ = first_json_escape(p_, end_, true);
    if (p_ == end_ || *p_ != '"') return false;
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }
  /// A number in JSON's grammar, finite, parsed as nlohmann then get<double>() would: correctly
  /// rounded. "-0" (an integer zero to nlohmann) is left to the general path.
  bool number(double& out) {
    skip_space();
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ != end_ && *p_ == '0') {
      ++p_;
    } else if (!digits()) {
      return false;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
    }
    if (*start == '-' && p_ - start == 2 && start[1] == '0') return false;  // "-0"
    // Plain decimals of up to 15 digits (most fields): the value from_chars gives, without its
    // general algorithm.
    if (parse_plain_decimal(std::string_view(start, static_cast<std::size_t>(p_ - start)), out)) {
      return true;
    }
    const auto [end, ec] = std::from_chars(start, p_, out);
    return ec == std::errc() && end == p_ && std::isfinite(out) && !(out == 0 && *start == '-');
  }
  bool literal(std::string_view word) {
    skip_space();
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

 private:
  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool digits() {
    const char* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  const char* p_;
  const char* end_;
};

/// Reads one applicant object into row r of frame (already sized); false when the fast path
/// cannot take it. feature_of[c] is the frame column of schema column c (-1 for id and target).
bool read_flat_row(FlatCursor& in, const Schema& schema, const std::array<int, 64>& feature_of,
                   std::size_t r, Frame& frame) {
  if (!in.eat('{') || schema.columns.empty()) return false;
  std::uint64_t seen = 0;
  std::size_t from = 0;  // where the search for the next key starts
  std::size_t features = 0;
  if (in.peek() != '}') {
    do {
      std::string_view key;
      if (!in.string(key) || !in.eat(':')) return false;
      // Bodies mostly list the fields in the schema's order: the search starts after the last
      // field found and wraps around.
      const std::size_t n = schema.columns.size();
      std::size_t c = from;
      for (std::size_t tried = 0; tried < n && schema.columns[c].name != key; ++tried) {
        c = c + 1 == n ? 0 : c + 1;
      }
      if (schema.columns[c].name != key || c >= 64 || (seen >> c & 1U) != 0) return false;
      from = c + 1 == n ? 0 : c + 1;
      seen |= std::uint64_t{1} << c;
      const ColumnSpec& spec = schema.columns[c];
      if (spec.role == ColumnRole::Id) {
        std::string_view id;
        if (in.peek() == '"') {
          if (!in.string(id)) return false;
          frame.ids[r].assign(id.data(), id.size());
        } else if (!in.literal("null")) {
          return false;
        }
        continue;
      }
      double v = 0;
      if (spec.role == ColumnRole::Target) {  // ignored, as in applicants_frame
        std::string_view ignored;
        const char next = in.peek();
        const bool ok = next == '"'   ? in.string(ignored)
                        : next == 'n' ? in.literal("null")
                        : next == 't' ? in.literal("true")
                        : next == 'f' ? in.literal("false")
                                      : in.number(v);
        if (!ok) return false;
        continue;
      }
      if (!in.number(v) || broken_rule(spec, v) != Broken::Nothing) return false;
      frame.columns[static_cast<std::size_t>(feature_of[c])][r] = v;
      ++features;
    } while (in.eat(','));
  }
  return in.eat('}') && features == frame.names.size();
}

}  // namespace

bool read_flat_applicants(std::string_view body, const Schema& schema, std::size_t max_rows,
                          Frame& frame) {
  FlatCursor in(body);
  const bool many = in.peek() == '[';
  if (many) in.eat('[');
  // The frame's vectors and strings are assigned, not rebuilt, so a reused frame keeps its
  // storage: a thread answering one applicant after another allocates nothing here.
  std::array<int, 64> feature_of;
  feature_of.fill(-1);
  if (schema.columns.size() > feature_of.size()) return false;
  std::size_t features = 0;
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    if (schema.columns[c].role == ColumnRole::Feature) ++features;
  }
  frame.names.resize(features);
  frame.columns.resize(features);
  features = 0;
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    if (schema.columns[c].role != ColumnRole::Feature) continue;
    feature_of[c] = static_cast<int>(features);
    frame.names[features] = schema.columns[c].name;
    frame.columns[features++].clear();
  }
  const bool with_ids = schema.id() != nullptr;
  std::size_t rows = 0;
  do {
    if (rows == max_rows) return false;  // 413 from the general path
    for (auto& column : frame.columns) column.push_back(0);
    if (with_ids) {
      if (frame.ids.size() <= rows) frame.ids.emplace_back();
      char digits[24];
      const auto end = std::to_chars(digits, digits + sizeof digits, rows).ptr;
      frame.ids[rows].assign(digits, end);
    }
    if (!read_flat_row(in, schema, feature_of, rows, frame)) return false;
    ++rows;
  } while (many && in.eat(','));
  if ((many && !in.eat(']')) || !in.at_end()) return false;
  frame.ids.resize(with_ids ? rows : 0);
  frame.lines.assign(rows, 0);
  return true;
}

std::optional<Frame> read_flat_applicants(std::string_view body, const Schema& schema,
                                          std::size_t max_rows) {
  Frame frame;
  if (!read_flat_applicants(body, schema, max_rows, frame)) return std::nullopt;
  return frame;
}

nlohmann::json problems_json(const std::vector<Problem>& problems) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : problems) {
    a.push_back({{"row", p.row}, {"field", p.field}, {"value", p.value}, {"rule", p.rule}});
  }
  return a;
}

Frame applicants_frame(const nlohmann::json& rows, const Schema& schema, std::size_t max_rows) {
  if (!rows.is_array()) throw HttpError(422, "expected an applicant object or an array of them");
  if (rows.empty()) throw HttpError(422, "no applicant in the request: send at least one");
  if (rows.size() > max_rows) {
    throw HttpError(413, "too many applicants: " + std::to_string(rows.size()) + " sent, at most " +
                             std::to_string(max_rows) + " per request; split the batch");
  }
  const std::vector<std::string> features = schema.feature_names();
  const ColumnSpec* id = schema.id();
  const ColumnSpec* target = schema.target();
  Frame frame;
  frame.names = features;
  frame.columns.assign(features.size(), std::vector<double>(rows.size()));
  frame.lines.assign(rows.size(), 0);
  if (id) frame.ids.resize(rows.size());
  std::vector<Problem> problems;
  auto add = [&](std::size_t r, const std::string& f, const nlohmann::json& v, std::string rule) {
    if (problems.size() < kMaxProblems)
      problems.push_back({r, echo_text(f), echoed(v), std::move(rule)});
  };
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (!row.is_object()) {
      add(r, "", row, "must be a JSON object with the fields " + known_fields(schema));
      continue;
    }
    for (const auto& [key, value] : row.items()) {
      const ColumnSpec* c = schema.find(key);
      if (!c) add(r, key, value, "unknown field; known fields: " + known_fields(schema));
    }
    if (id) {
      const auto it = row.find(id->name);
      if (it == row.end() || it->is_null())
        frame.ids[r] = std::to_string(r);
      else if (it->is_string())
        frame.ids[r] = it->get<std::string>();
      else if (it->is_number_integer())
        frame.ids[r] = it->dump();
      else
        add(r, id->name, *it, "must be a string or an integer");
    }
    (void)target;  // the target, when sent (e.g. a labelled record), is ignored.
    for (std::size_t j = 0; j < features.size(); ++j) {
      const ColumnSpec& c = *schema.find(features[j]);
      const auto it = row.find(c.name);
      if (it == row.end() || it->is_null()) {
        add(r, c.name, nullptr, "is required");
        continue;
      }
      if (!it->is_number()) {
        add(r, c.name, *it, "must be a number");
        continue;
      }
      const double v = it->get<double>();
      const Broken broken = broken_rule(c, v);
      if (broken == Broken::Nothing) {
        frame.columns[j][r] = v;
      } else {
        add(r, c.name, *it, rule_text(c, broken));
      }
    }
  }
  if (!problems.empty()) {
    throw HttpError(422,
                    "invalid applicant data: " + std::to_string(problems.size()) +
                        (problems.size() == 1 ? " problem" : " problems") +
                        " (fix each listed field and resend)",
                    {{"problems", problems_json(problems)}});
  }
  return frame;
}

nlohmann::json records_from_split(const nlohmann::json& columns, const nlohmann::json& data) {
  if (!columns.is_array() || !data.is_array()) {
    throw HttpError(422,
                    "dataframe_split needs \"columns\" (array of names) and \"data\" (array "
                    "of rows)");
  }
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t r = 0; r < data.size(); ++r) {
    const auto& row = data[r];
    if (!row.is_array() || row.size() != columns.size()) {
      throw HttpError(422, "dataframe_split row " + std::to_string(r) + " must be an array of " +
                               std::to_string(columns.size()) + " values, one per column");
    }
    nlohmann::json obj = nlohmann::json::object();
    for (std::size_t j = 0; j < columns.size(); ++j) {
      if (!columns[j].is_string()) {
        throw HttpError(422, "dataframe_split columns must be strings; column " +
                                 std::to_string(j) + " is " + dump_json(echoed(columns[j])));
      }
      obj[columns[j].get<std::string>()] = row[j];
    }
    out.push_back(std::move(obj));
  }
  return out;
}

}  // namespace loanrisk
