// Parameter resolution: defaults filled, unknown keys and bad values rejected before any training,
// with messages that name the parameter, the family and what would be accepted.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/models/family.hpp"

namespace loanrisk {

std::string models::format_param_value(double value) {
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 1e15) {
    return fmt::format("{}", static_cast<long long>(value));
  }
  return fmt::format("{}", value);
}

namespace {

using models::format_param_value;

void check_value(const std::string& family, const ParamSpec& spec, double value) {
  const std::string where = fmt::format("parameter '{}' of '{}'", spec.name, family);
  if (!std::isfinite(value)) {
    throw UsageError(fmt::format("{} must be a finite number, got {}", where, value));
  }
  if (spec.type == ParamSpec::Type::Int && value != std::trunc(value)) {
    throw UsageError(
        fmt::format("{} must be a whole number, got {}", where, format_param_value(value)));
  }
  if (value < spec.min || value > spec.max) {
    throw UsageError(fmt::format("{} must be between {} and {}, got {}", where,
                                 format_param_value(spec.min), format_param_value(spec.max),
                                 format_param_value(value)));
  }
}

}  // namespace

ParamValues resolve_params(const std::string& family, const ParamValues& given) {
  const std::vector<ParamSpec>& specs = models::find_family(family).params;
  for (const auto& entry : given) {
    // Not a structured binding: clang 14 (the fuzz build's) cannot capture one in a lambda.
    const std::string& name = entry.first;
    const bool known = std::any_of(specs.begin(), specs.end(),
                                   [&](const ParamSpec& spec) { return spec.name == name; });
    if (!known) {
      std::vector<std::string> names;
      for (const ParamSpec& spec : specs) names.push_back(spec.name);
      std::sort(names.begin(), names.end());
      throw UsageError(
          fmt::format("unknown parameter '{}' for model family '{}'; known parameters: {}", name,
                      family, fmt::join(names, ", ")));
    }
  }
  ParamValues resolved;
  for (const ParamSpec& spec : specs) {
    const auto it = given.find(spec.name);
    const double value = it == given.end() ? spec.default_value : it->second;
    check_value(family, spec, value);
    resolved[spec.name] = value;
  }
  return resolved;
}

}  // namespace loanrisk
