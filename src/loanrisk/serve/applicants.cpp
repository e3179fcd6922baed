#include "loanrisk/serve/applicants.hpp"

#include <cmath>

#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/number_text.hpp"

namespace loanrisk {
namespace {

constexpr std::size_t kMaxProblems = 100;

std::string range_rule(const ColumnSpec& c) {
  return "must be between " + fixed_text(c.min) + " and " + fixed_text(c.max) +
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

}  // namespace

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
    if (problems.size() < kMaxProblems) problems.push_back({r, f, v, std::move(rule)});
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
      if (!std::isfinite(v)) {
        add(r, c.name, *it, "must be a finite number");
      } else if ((c.type == ColumnType::Integer || c.type == ColumnType::Binary) &&
                 v != std::floor(v)) {
        add(r, c.name, *it, "must be a whole number");
      } else if (v < c.min || v > c.max) {
        add(r, c.name, *it, range_rule(c));
      } else {
        frame.columns[j][r] = v;
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
                                 std::to_string(j) + " is " + columns[j].dump());
      }
      obj[columns[j].get<std::string>()] = row[j];
    }
    out.push_back(std::move(obj));
  }
  return out;
}

}  // namespace loanrisk
