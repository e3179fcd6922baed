#include "loanrisk/data/schema.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "loanrisk/core/enum_names.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

ColumnSpec spec(std::string name, ColumnType type, ColumnRole role, double min, double max,
                std::string unit, std::string description) {
  ColumnSpec c;
  c.name = std::move(name);
  c.type = type;
  c.role = role;
  c.required = true;
  c.min = min;
  c.max = max;
  c.unit = std::move(unit);
  c.description = std::move(description);
  return c;
}

[[noreturn]] void bad_field(const std::string& field, const std::string& problem) {
  throw InputError("schema field '" + field + "' " + problem +
                   ". Fix: correct the schema JSON or regenerate it from the data");
}

constexpr auto kTypes = enum_names<ColumnType>("ColumnType", {{ColumnType::Text, "text"},
                                                              {ColumnType::Integer, "integer"},
                                                              {ColumnType::Real, "real"},
                                                              {ColumnType::Binary, "binary"}});
constexpr auto kRoles = enum_names<ColumnRole>(
    "ColumnRole",
    {{ColumnRole::Id, "id"}, {ColumnRole::Feature, "feature"}, {ColumnRole::Target, "target"}});

ColumnType parse_type(const std::string& field, const std::string& s) {
  if (const auto t = kTypes.parse(s)) return *t;
  bad_field(field,
            "is '" + s + "', not a column type (expected one of: " + join(kTypes.names()) + ")");
}

ColumnRole parse_role(const std::string& field, const std::string& s) {
  if (const auto r = kRoles.parse(s)) return *r;
  bad_field(field,
            "is '" + s + "', not a column role (expected one of: " + join(kRoles.names()) + ")");
}

const nlohmann::json& member(const nlohmann::json& obj, const std::string& prefix,
                             const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end()) bad_field(prefix + key, "is missing");
  return *it;
}

std::string string_member(const nlohmann::json& obj, const std::string& prefix, const char* key) {
  const auto& v = member(obj, prefix, key);
  if (!v.is_string()) bad_field(prefix + key, "must be a string");
  return v.get<std::string>();
}

// Bounds are numbers, or null (or absent) for an infinite bound.
double bound_member(const nlohmann::json& obj, const std::string& prefix, const char* key,
                    double infinite) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return infinite;
  if (!it->is_number()) bad_field(prefix + key, "must be a number or null");
  return it->get<double>();
}

nlohmann::json bound_to_json(double v) {
  if (std::isinf(v)) return nullptr;
  return v;
}

ColumnSpec column_from_json(const nlohmann::json& j, const std::string& prefix) {
  static const std::set<std::string> known = {"name", "type", "role",        "required", "min",
                                              "max",  "unit", "description", "exposure"};
  if (!j.is_object()) bad_field(prefix.substr(0, prefix.size() - 1), "must be an object");
  for (const auto& item : j.items()) {
    if (!known.contains(item.key())) {
      bad_field(prefix + item.key(),
                "is not a known key (known: name, type, role, required, min, max, unit, "
                "description, exposure)");
    }
  }
  ColumnSpec c;
  c.name = string_member(j, prefix, "name");
  if (c.name.empty()) bad_field(prefix + "name", "is empty");
  c.type = parse_type(prefix + "type", string_member(j, prefix, "type"));
  c.role = parse_role(prefix + "role", string_member(j, prefix, "role"));
  const auto& req = member(j, prefix, "required");
  if (!req.is_boolean()) bad_field(prefix + "required", "must be true or false");
  c.required = req.get<bool>();
  c.min = bound_member(j, prefix, "min", -kInf);
  c.max = bound_member(j, prefix, "max", kInf);
  if (c.min > c.max) bad_field(prefix + "min", "is greater than max");
  if (j.contains("unit")) c.unit = string_member(j, prefix, "unit");
  if (j.contains("description")) c.description = string_member(j, prefix, "description");
  if (j.contains("exposure")) {
    if (!j["exposure"].is_boolean()) bad_field(prefix + "exposure", "must be true or false");
    c.exposure = j["exposure"].get<bool>();
    if (c.exposure && (c.type == ColumnType::Text || c.role != ColumnRole::Feature)) {
      bad_field(prefix + "exposure",
                "is true on a column that is not a numeric feature (an amount the applicant owes)");
    }
  }
  return c;
}

}  // namespace

std::string_view to_string(ColumnType type) {
  return kTypes.name(type);
}

std::string_view to_string(ColumnRole role) {
  return kRoles.name(role);
}

const ColumnSpec* Schema::find(std::string_view name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const ColumnSpec* Schema::id() const {
  for (const auto& c : columns) {
    if (c.role == ColumnRole::Id) return &c;
  }
  return nullptr;
}

const ColumnSpec* Schema::target() const {
  for (const auto& c : columns) {
    if (c.role == ColumnRole::Target) return &c;
  }
  return nullptr;
}

const ColumnSpec* Schema::exposure() const {
  for (const auto& c : columns) {
    if (c.exposure) return &c;
  }
  return nullptr;
}

std::vector<std::string> Schema::feature_names() const {
  std::vector<std::string> out;
  for (const auto& c : columns) {
    if (c.role == ColumnRole::Feature) out.push_back(c.name);
  }
  return out;
}

nlohmann::json Schema::to_json() const {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : columns) {
    cols.push_back({{"name", c.name},
                    {"type", to_string(c.type)},
                    {"role", to_string(c.role)},
                    {"required", c.required},
                    {"min", bound_to_json(c.min)},
                    {"max", bound_to_json(c.max)},
                    {"unit", c.unit},
                    {"description", c.description}});
    if (c.exposure) cols.back()["exposure"] = true;
  }
  return {{"columns", cols}};
}

Schema Schema::from_json(const nlohmann::json& j) {
  if (!j.is_object()) bad_field("(root)", "must be an object with a 'columns' array");
  for (const auto& item : j.items()) {
    if (item.key() != "columns") bad_field(item.key(), "is not a known key (known: columns)");
  }
  const auto& cols = member(j, "", "columns");
  if (!cols.is_array()) bad_field("columns", "must be an array");
  Schema s;
  std::set<std::string> seen;
  bool names_exposure = false;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const std::string prefix = "columns[" + std::to_string(i) + "].";
    ColumnSpec c = column_from_json(cols[i], prefix);
    if (!seen.insert(c.name).second) bad_field(prefix + "name", "'" + c.name + "' appears twice");
    if (c.exposure && s.exposure()) {
      bad_field(prefix + "exposure", "is true on a second column: name one exposure column");
    }
    names_exposure |= cols[i].contains("exposure");
    s.columns.push_back(std::move(c));
  }
  if (!names_exposure) {
    for (auto& c : s.columns) {
      if (c.name == "loan_amt_outstanding" && c.role == ColumnRole::Feature &&
          c.type != ColumnType::Text) {
        c.exposure = true;
      }
    }
  }
  return s;
}

Schema Schema::loan_default() {
  using T = ColumnType;
  using R = ColumnRole;
  Schema s;
  ColumnSpec id = spec("customer_id", T::Text, R::Id, -kInf, kInf, "",
                       "Identifier of the customer; a label, never used as a feature.");
  s.columns.push_back(std::move(id));
  s.columns.push_back(spec("credit_lines_outstanding", T::Integer, R::Feature, 0, 100, "lines",
                           "Number of credit lines (cards, loans) the customer has open."));
  s.columns.push_back(spec("loan_amt_outstanding", T::Real, R::Feature, 0, 10'000'000, "USD",
                           "Amount still owed on this personal loan."));
  s.columns.back().exposure = true;
  s.columns.push_back(spec("total_debt_outstanding", T::Real, R::Feature, 0, 100'000'000, "USD",
                           "Total debt the customer owes across all credit lines."));
  s.columns.push_back(spec("income", T::Real, R::Feature, 0, 100'000'000, "USD per year",
                           "Yearly income of the customer; zero is allowed, negative is not."));
  s.columns.push_back(spec("years_employed", T::Integer, R::Feature, 0, 80, "years",
                           "Whole years the customer has been employed."));
  s.columns.push_back(spec("fico_score", T::Integer, R::Feature, 300, 850, "points",
                           "FICO credit score of the customer."));
  s.columns.push_back(spec("default", T::Binary, R::Target, 0, 1, "",
                           "1 when the customer defaulted on the loan, 0 otherwise."));
  return s;
}

}  // namespace loanrisk
