#pragma once
// Search spaces: the distribution each tuned hyperparameter is drawn from, declared per family in
// loanrisk.toml's [tuning.space.<family>] tables, with the original project's spaces as defaults.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/models/classifier.hpp"

namespace loanrisk {

/// One tuned hyperparameter and the distribution it is sampled from.
struct ParamDistribution {
  enum class Kind { Int, Float, Categorical };
  std::string name;
  Kind kind = Kind::Float;
  double low = 0;               ///< inclusive (Int and Float).
  double high = 0;              ///< inclusive (Int and Float).
  bool log = false;             ///< sample uniformly in log space (low must be > 0).
  double step = 0;              ///< grid step from low (0: continuous Float, 1 for Int by default).
  std::vector<double> choices;  ///< Categorical values (numbers, as every parameter is one).

  /// Snaps a raw value onto the distribution (rounds to the step grid, clamps to the bounds).
  double snap(double value) const;
  /// True when value is a value this distribution can produce.
  bool contains(double value) const;
};

/// The parameters tuned for one family; parameters not listed keep their configured values.
struct SearchSpace {
  std::string family;
  std::vector<ParamDistribution> params;

  /// {"family": ..., "params": [{"name", "type", "low", "high", "log", "step", "choices"}]}.
  nlohmann::json to_json() const;
  /// Reads to_json()'s form; InputError when it is malformed.
  static SearchSpace from_json(const nlohmann::json& j);
};

/// The default space of a family (the original project's spaces); UsageError for a family that
/// has none, listing those that do.
SearchSpace default_search_space(const std::string& family);

/// Families that have a default space, in the order `--model all` tunes them.
const std::vector<std::string>& tunable_families();

/// Checks every parameter against the family's declared parameters (name known, bounds inside
/// the declared range, integers for Int parameters); UsageError naming the parameter and the fix.
void validate_search_space(const SearchSpace& space);

}  // namespace loanrisk
