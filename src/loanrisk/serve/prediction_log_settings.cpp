#include "loanrisk/serve/prediction_log_settings.hpp"

#include <cstdint>

#include "loanrisk/core/error.hpp"

namespace loanrisk {
namespace {

constexpr const char* kKnown =
    "dir, sample_rate, hash_customer_id, salt, max_file_bytes, max_total_bytes, queue_capacity, "
    "durability";

[[noreturn]] void bad(const std::string& src, const std::string& key, const std::string& why) {
  throw UsageError(src + ": [serve.prediction_log] " + key + " " + why);
}

std::size_t size_value(const std::string& src, const toml::node& v, const std::string& key,
                       std::int64_t min) {
  // is_integer() first: toml++ converts a float such as -8e81 to an integer without a range check.
  const auto n = v.is_integer() ? v.value<std::int64_t>() : std::nullopt;
  if (!n || *n < min) {
    bad(src, key, "must be an integer of at least " + std::to_string(min));
  }
  return static_cast<std::size_t>(*n);
}

}  // namespace

void PredictionLogSettings::validate() const {
  if (!(sample_rate > 0 && sample_rate <= 1)) {
    throw UsageError("prediction_log sample_rate must be in (0, 1], e.g. 0.1 to log one row in 10");
  }
  if (hash_customer_id && salt.empty()) {
    throw UsageError(
        "prediction_log hash_customer_id needs a salt (an unsalted hash of a 7-digit id is easy "
        "to reverse): set salt or $LOANRISK_PREDICTION_LOG_SALT");
  }
  if (max_file_bytes < 4096) throw UsageError("prediction_log max_file_bytes must be >= 4096");
  if (queue_capacity < 1) throw UsageError("prediction_log queue_capacity must be >= 1");
  if (durability != "async" && durability != "sync") {
    throw UsageError("prediction_log durability '" + durability +
                     "' is not one of: async (lines written within ~50 ms), sync (every answer "
                     "waits until its lines are on disk)");
  }
}

void apply_prediction_log_toml(PredictionLogSettings& s, const toml::node& node,
                               const std::string& src) {
  const auto* table = node.as_table();
  if (!table) throw UsageError(src + ": [serve.prediction_log] must be a table");
  for (const auto& [k, v] : *table) {
    const std::string key(k.str());
    if (key == "dir" || key == "salt" || key == "durability") {
      const auto text = v.value<std::string>();
      if (!text || !v.is_string()) bad(src, key, "must be a string");
      (key == "dir" ? s.dir : key == "salt" ? s.salt : s.durability) = *text;
    } else if (key == "sample_rate") {
      const auto rate = v.value<double>();
      if (!rate) bad(src, key, "must be a number in (0, 1]");
      s.sample_rate = *rate;
    } else if (key == "hash_customer_id") {
      if (!v.is_boolean()) bad(src, key, "must be true or false");
      s.hash_customer_id = *v.value<bool>();
    } else if (key == "max_file_bytes") {
      s.max_file_bytes = size_value(src, v, key, 4096);
    } else if (key == "max_total_bytes") {
      s.max_total_bytes = size_value(src, v, key, 0);
    } else if (key == "queue_capacity") {
      s.queue_capacity = size_value(src, v, key, 1);
    } else {
      throw UsageError(src + ": unknown key [serve.prediction_log] " + key +
                       "; known keys: " + kKnown);
    }
  }
}

}  // namespace loanrisk
