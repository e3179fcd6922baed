#include "loanrisk/monitor/prediction_log_settings.hpp"

#include <cstdlib>

#include "loanrisk/core/error.hpp"

namespace loanrisk {

void PredictionLogSettings::validate() const {
  if (!(sample_rate > 0 && sample_rate <= 1)) {
    throw UsageError("prediction_log sample_rate must be in (0, 1], e.g. 0.1 to log one row in 10");
  }
  // The salt may still come from the environment, applied after the config file.
  const char* env_salt = std::getenv("LOANRISK_PREDICTION_LOG_SALT");
  if (hash_customer_id && salt.empty() && (env_salt == nullptr || *env_salt == '\0')) {
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

}  // namespace loanrisk
