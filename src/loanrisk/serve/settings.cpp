#include "loanrisk/serve/settings.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "loanrisk/config/toml_section.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/serve/oidc_settings.hpp"
#include "loanrisk/serve/prediction_log_toml.hpp"

namespace loanrisk {
namespace {

std::vector<Grade> read_grades(const TomlSection& serve, const toml::node& node) {
  const auto* arr = node.as_array();
  if (!arr) {
    serve.fail(node, "grades", "must be an array of tables like { name = \"1\", max_pd = 0.005 }");
  }
  std::vector<Grade> out;
  for (const auto& item : *arr) {
    const auto* t = item.as_table();
    const auto* name = t ? t->get("name") : nullptr;
    const auto* max = t ? t->get("max_pd") : nullptr;
    if (!name || !max || t->size() != 2) {
      serve.fail(item, "grades entry " + std::to_string(out.size() + 1),
                 "must be { name = \"...\", max_pd = 0.01 }");
    }
    out.push_back({serve.string_of(*name, "grades.name"),
                   serve.number_of(*max, "grades.max_pd", {.min = 0, .max = 1, .min_open = true})});
  }
  return out;
}

std::vector<std::string> read_job_data_dirs(const TomlSection& serve, const toml::node& node) {
  std::vector<std::string> dirs = serve.strings_of(node, "job_data_dirs");
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    if (dirs[i].empty() || dirs[i].front() != '/') {
      serve.fail(*node.as_array()->get(i), "job_data_dirs",
                 "entries must be absolute folder paths, got '" + echo_text(dirs[i], 60) + "'");
    }
  }
  return dirs;
}

}  // namespace

void ServeSettings::validate() const {
  if (port < 0 || port > 65535) {
    throw UsageError("port " + std::to_string(port) + " is out of range: use 0-65535");
  }
  if (threads < 0 || threads > 256) {
    throw UsageError("threads " + std::to_string(threads) +
                     " is out of range: use 1-256, or 0 for the process's thread budget");
  }
  if (max_batch < 1) throw UsageError("max_batch must be at least 1");
  if (max_body_bytes < 1024) throw UsageError("max_body_bytes must be at least 1024");
  if (!(request_timeout_seconds > 0)) throw UsageError("request_timeout_seconds must be > 0");
  if (!(poll_seconds > 0)) throw UsageError("poll_seconds must be > 0");
  policy().validate();
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "off"};
  if (!levels.count(log_level)) {
    throw UsageError("log_level '" + log_level + "' is not one of: trace, debug, info, warn, off");
  }
  if (drift_window < 1) throw UsageError("drift_window must be at least 1");
  prediction_log.validate();
}

void apply_serve_toml_text(ServeSettings& s, const std::string& content, const std::string& src) {
  const toml::table root = parse_toml(content, src);
  apply_oidc_toml(s, root, src);
  const toml::node* node = root.get("serve");
  if (!node) return;
  const TomlSection t(src, *node, "serve", TomlStyle::Sectioned, "");
  t.check_keys({"host",
                "port",
                "model",
                "challenger",
                "store",
                "threads",
                "max_batch",
                "max_body_bytes",
                "request_timeout_seconds",
                "poll_seconds",
                "lgd",
                "grades",
                "require_token_for_predict",
                "log_level",
                "drift_window",
                "prediction_log",
                "job_data_dirs",
                "job_max_running",
                "job_max_running_per_person",
                "job_max_queued_per_person",
                "job_stop_grace_seconds",
                "wrong_token_limit",
                "protected_aliases",
                "tls_cert",
                "tls_key"});
  t.string("host", s.host);
  t.integer("port", s.port, 0, 65535);
  t.string("model", s.model);
  t.string("challenger", s.challenger);
  t.string("store", s.store);
  t.string("tls_cert", s.tls_cert);
  t.string("tls_key", s.tls_key);
  t.integer("threads", s.threads, 1, 256);
  t.integer("max_batch", s.max_batch, 1);
  t.integer("max_body_bytes", s.max_body_bytes, 1024);
  t.number("request_timeout_seconds", s.request_timeout_seconds, {.min = 0, .min_open = true});
  t.number("poll_seconds", s.poll_seconds, {.min = 0, .min_open = true});
  t.number("lgd", s.lgd, {.min = 0, .max = 1, .min_open = true}, "e.g. 0.9");
  if (const auto* grades = t.get("grades")) s.grades = read_grades(t, *grades);
  t.boolean("require_token_for_predict", s.require_token_for_predict);
  t.choice("log_level", s.log_level, {"trace", "debug", "info", "warn", "off"});
  t.integer("drift_window", s.drift_window, 1, std::numeric_limits<std::int64_t>::max(),
            "a positive integer (rows), e.g. 10000");
  if (const auto* dirs = t.get("job_data_dirs")) s.job_data_dirs = read_job_data_dirs(t, *dirs);
  t.integer("job_max_running", s.jobs.max_running, 1, 256);
  t.integer("job_max_running_per_person", s.jobs.max_running_per_person, 1, 256);
  t.integer("job_max_queued_per_person", s.jobs.max_queued_per_person, 0, 1000);
  t.integer("job_stop_grace_seconds", s.jobs.stop_grace_seconds, 1, 3600);
  t.integer("wrong_token_limit", s.wrong_token_limit, 0, 1'000'000);
  if (const auto* aliases = t.get("protected_aliases")) {
    s.protected_aliases = t.strings_of(*aliases, "protected_aliases");
    for (std::size_t i = 0; i < s.protected_aliases.size(); ++i) {
      try {
        check_registry_name("alias", s.protected_aliases[i]);
      } catch (const UsageError& e) {
        t.fail(*aliases->as_array()->get(i), "protected_aliases", e.what());
      }
    }
  }
  if (const auto* log = t.get("prediction_log")) {
    apply_prediction_log_toml(s.prediction_log, *log, src);
  }
  try {
    s.validate();
  } catch (const UsageError& e) {
    throw UsageError(src + ": [serve] " + e.what());
  }
}

void apply_serve_toml(ServeSettings& s, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UsageError("cannot read config file '" + file.string() + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  apply_serve_toml_text(s, ss.str(), file.string());
}

void apply_serve_env(ServeSettings& s) {
  apply_oidc_env(s);
  if (const char* v = std::getenv("LOANRISK_ADMIN_TOKEN")) s.admin_token = v;
  if (const char* v = std::getenv("LOANRISK_PREDICTION_LOG_SALT"); v && *v) {
    s.prediction_log.salt = v;
  }
  if (const char* v = std::getenv("LOANRISK_API_TOKEN")) s.api_token = v;
  if (const char* v = std::getenv("LOANRISK_SERVE_HOST"); v && *v) s.host = v;
  if (const char* v = std::getenv("LOANRISK_SERVE_PORT"); v && *v) {
    char* end = nullptr;
    const long p = std::strtol(v, &end, 10);
    if (*end != '\0' || p < 0 || p > 65535) {
      throw UsageError("LOANRISK_SERVE_PORT='" + std::string(v) + "' is not a port (0-65535)");
    }
    s.port = static_cast<int>(p);
  }
}

}  // namespace loanrisk
