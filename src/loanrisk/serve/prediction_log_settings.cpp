#include "loanrisk/serve/prediction_log_settings.hpp"

#include "loanrisk/config/toml_section.hpp"
#include "loanrisk/core/error.hpp"

namespace loanrisk {

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
  const TomlSection t(src, node, "serve.prediction_log", TomlStyle::Sectioned, "");
  t.check_keys({"dir", "sample_rate", "hash_customer_id", "salt", "max_file_bytes",
                "max_total_bytes", "queue_capacity", "durability"});
  t.string("dir", s.dir);
  t.number("sample_rate", s.sample_rate, {.min = 0, .max = 1, .min_open = true},
           "e.g. 0.1 to log one row in 10");
  t.boolean("hash_customer_id", s.hash_customer_id);
  t.string("salt", s.salt);
  t.integer("max_file_bytes", s.max_file_bytes, 4096);
  t.integer("max_total_bytes", s.max_total_bytes, 0);
  t.integer("queue_capacity", s.queue_capacity, 1);
  t.choice("durability", s.durability, {"async", "sync"});
}

}  // namespace loanrisk
