#pragma once
// Schema: what a loan CSV must contain. The reader validates against it and the bundle stores it,
// so serving validates exactly as training did.
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk {

/// How a column's text is parsed.
enum class ColumnType { Text, Integer, Real, Binary };
/// What a column is for.
enum class ColumnRole { Id, Feature, Target };

/// One column of the schema, with its valid (inclusive) range.
struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::Real;
  ColumnRole role = ColumnRole::Feature;
  bool required = true;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  std::string unit;         ///< e.g. "USD", "years", "points"; shown in errors and the web form.
  std::string description;  ///< one sentence for people.
  /// The amount at risk if this customer defaults (exposure at default): expected loss is
  /// PD x LGD x this column. At most one column of a schema, a numeric feature.
  bool exposure = false;
};

/// The columns of a loan file: one id, the raw features, one binary target.
struct Schema {
  std::vector<ColumnSpec> columns;

  /// The column spec by name, or nullptr.
  const ColumnSpec* find(std::string_view name) const;
  /// The id column, or nullptr when the schema has none.
  const ColumnSpec* id() const;
  /// The target column, or nullptr when the schema has none.
  const ColumnSpec* target() const;
  /// The exposure column, or nullptr when the schema names none (no expected loss then).
  const ColumnSpec* exposure() const;
  /// Names of the feature columns, in schema order.
  std::vector<std::string> feature_names() const;

  nlohmann::json to_json() const;
  /// InputError naming the bad field when the JSON is not a schema. A schema saved before columns
  /// carried "exposure" (no column has the key) takes loan_amt_outstanding, when it is a numeric
  /// column, as the exposure it was hard-wired to be.
  static Schema from_json(const nlohmann::json& j);

  /// The personal-loan schema: customer_id, credit_lines_outstanding, loan_amt_outstanding,
  /// total_debt_outstanding, income, years_employed, fico_score, default.
  static Schema loan_default();
};

/// Lower-case name of a type / role, as used in JSON and config.
std::string_view to_string(ColumnType type);
std::string_view to_string(ColumnRole role);

}  // namespace loanrisk
