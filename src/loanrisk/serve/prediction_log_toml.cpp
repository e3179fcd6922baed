#include "loanrisk/serve/prediction_log_toml.hpp"

#include "loanrisk/config/toml_section.hpp"
#include "loanrisk/core/error.hpp"

namespace loanrisk {

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
