#include "loanrisk/serve/settings.hpp"

#include <toml++/toml.h>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "loanrisk/core/error.hpp"
#include "loanrisk/serve/prediction_log_settings.hpp"

namespace loanrisk {
namespace {

const std::vector<std::string>& known_keys() {
  static const std::vector<std::string> keys = {
      "host",         "port",         "model",          "store",
      "threads",      "max_batch",    "max_body_bytes", "request_timeout_seconds",
      "poll_seconds", "lgd",          "grades",         "require_token_for_predict",
      "log_level",    "drift_window", "prediction_log", "job_data_dirs"};
  return keys;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

[[noreturn]] void bad(const std::string& source, const std::string& key, const std::string& why) {
  throw UsageError(source + ": [serve] " + key + " " + why);
}

double number(const std::string& src, const toml::node& node, const std::string& key) {
  if (auto v = node.value<double>()) return *v;
  bad(src, key, "must be a number");
}

std::int64_t integer(const std::string& src, const toml::node& node, const std::string& key) {
  // is_integer() first: toml++ converts a float such as -8e81 to an integer without a range check.
  if (node.is_integer()) return *node.value<std::int64_t>();
  bad(src, key, "must be an integer");
}

std::string text(const std::string& src, const toml::node& node, const std::string& key) {
  if (auto v = node.value<std::string>()) return *v;
  bad(src, key, "must be a string");
}

std::vector<Grade> parse_grades(const std::string& src, const toml::node& node) {
  const auto* arr = node.as_array();
  if (!arr) bad(src, "grades", "must be an array of tables like { name = \"1\", max_pd = 0.005 }");
  std::vector<Grade> out;
  for (const auto& item : *arr) {
    const auto* t = item.as_table();
    const auto* name = t ? t->get("name") : nullptr;
    const auto* max = t ? t->get("max_pd") : nullptr;
    if (!name || !max || t->size() != 2) {
      bad(src, "grades",
          "entry " + std::to_string(out.size() + 1) + " must be { name = \"...\", max_pd = 0.01 }");
    }
    out.push_back({text(src, *name, "grades.name"), number(src, *max, "grades.max_pd")});
  }
  return out;
}

}  // namespace

std::vector<Grade> ServeSettings::default_grades() {
  return {{"1", 0.005}, {"2", 0.01}, {"3", 0.02}, {"4", 0.04}, {"5", 0.07},
          {"6", 0.12},  {"7", 0.2},  {"8", 0.3},  {"9", 0.5},  {"10", 1.0}};
}

void ServeSettings::validate() const {
  if (port < 0 || port > 65535) {
    throw UsageError("port " + std::to_string(port) + " is out of range: use 0-65535");
  }
  if (threads < 1 || threads > 256) {
    throw UsageError("threads " + std::to_string(threads) + " is out of range: use 1-256");
  }
  if (max_batch < 1) throw UsageError("max_batch must be at least 1");
  if (max_body_bytes < 1024) throw UsageError("max_body_bytes must be at least 1024");
  if (!(request_timeout_seconds > 0)) throw UsageError("request_timeout_seconds must be > 0");
  if (!(poll_seconds > 0)) throw UsageError("poll_seconds must be > 0");
  if (!(lgd > 0 && lgd <= 1)) throw UsageError("lgd must be in (0, 1], e.g. 0.9");
  if (grades.empty()) throw UsageError("grades must list at least one grade");
  double previous = 0;
  for (const auto& g : grades) {
    if (!(g.max_pd > previous) || g.max_pd > 1) {
      throw UsageError("grades must have strictly increasing max_pd in (0, 1]; grade '" + g.name +
                       "' has max_pd " + std::to_string(g.max_pd));
    }
    previous = g.max_pd;
  }
  if (grades.back().max_pd != 1.0) {
    throw UsageError("the last grade must have max_pd = 1.0 so that every PD gets a grade");
  }
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "off"};
  if (!levels.count(log_level)) {
    throw UsageError("log_level '" + log_level + "' is not one of: trace, debug, info, warn, off");
  }
  if (drift_window < 1) throw UsageError("drift_window must be at least 1");
  prediction_log.validate();
}

void apply_serve_toml_text(ServeSettings& s, const std::string& content, const std::string& src) {
  toml::table root;
  try {
    root = toml::parse(content, src);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << src << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    throw UsageError(msg.str());
  }
  const auto* node = root.get("serve");
  if (!node) return;
  const auto* table = node->as_table();
  if (!table) throw UsageError(src + ": [serve] must be a table");
  for (const auto& [k, v] : *table) {
    const std::string key(k.str());
    if (key == "host")
      s.host = text(src, v, key);
    else if (key == "port")
      s.port = static_cast<int>(integer(src, v, key));
    else if (key == "model")
      s.model = text(src, v, key);
    else if (key == "store")
      s.store = text(src, v, key);
    else if (key == "threads")
      s.threads = static_cast<int>(integer(src, v, key));
    else if (key == "max_batch" || key == "max_body_bytes") {
      const auto n = integer(src, v, key);
      if (n < 1) bad(src, key, "must be a positive integer");
      (key == "max_batch" ? s.max_batch : s.max_body_bytes) = static_cast<std::size_t>(n);
    } else if (key == "request_timeout_seconds")
      s.request_timeout_seconds = number(src, v, key);
    else if (key == "poll_seconds")
      s.poll_seconds = number(src, v, key);
    else if (key == "lgd")
      s.lgd = number(src, v, key);
    else if (key == "grades")
      s.grades = parse_grades(src, v);
    else if (key == "require_token_for_predict") {
      if (!v.is_boolean()) bad(src, key, "must be true or false");
      s.require_token_for_predict = *v.value<bool>();
    } else if (key == "log_level")
      s.log_level = text(src, v, key);
    else if (key == "drift_window") {
      const auto n = integer(src, v, key);
      if (n < 1) bad(src, key, "must be a positive integer (rows), e.g. 10000");
      s.drift_window = static_cast<std::size_t>(n);
    } else if (key == "job_data_dirs") {
      const auto* arr = v.as_array();
      if (!arr) bad(src, key, "must be an array of folder paths, e.g. [\"/srv/loans\"]");
      s.job_data_dirs.clear();
      for (const auto& item : *arr) {
        const std::string dir = text(src, item, key + " entry");
        if (dir.empty() || dir.front() != '/') {
          bad(src, key, "entries must be absolute folder paths, got '" + dir + "'");
        }
        s.job_data_dirs.push_back(dir);
      }
    } else if (key == "prediction_log")
      apply_prediction_log_toml(s.prediction_log, v, src);
    else {
      throw UsageError(src + ": unknown key [serve] " + key +
                       "; known keys: " + join(known_keys()));
    }
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

const Grade& grade_of(const std::vector<Grade>& grades, double pd) {
  for (const auto& g : grades) {
    if (pd <= g.max_pd) return g;
  }
  return grades.back();
}

}  // namespace loanrisk
