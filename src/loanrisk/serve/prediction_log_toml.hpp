#pragma once
// Parsing of loanrisk.toml's [serve.prediction_log] table, kept apart from settings.cpp so that
// the prediction log's keys live next to each other.
#include <string>

#include <toml++/toml.h>

#include "loanrisk/monitor/prediction_log_settings.hpp"

namespace loanrisk {

/// Applies a [serve.prediction_log] table; UsageError naming src and the key for unknown keys
/// (listing the known ones) or values of the wrong type.
void apply_prediction_log_toml(PredictionLogSettings& settings, const toml::node& node,
                               const std::string& src);

}  // namespace loanrisk
