// What a client may ask of the background jobs: a job to start, validated field by field before
// anything runs (a data file only from where the server allows it), and a reason to stop one.
#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "loanrisk/core/text.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/jobs.hpp"

namespace loanrisk {
namespace {

constexpr int kMaxTrials = 500;
constexpr std::size_t kMaxReasonBytes = 1000;

/// The path with every symbolic link and "." / ".." resolved, as far as it exists.
std::filesystem::path resolved(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  if (ec) return {};
  if (p.has_parent_path() && p.filename().empty()) p = p.parent_path();  // "dir/" is "dir"
  return p;
}

/// True when path is the default data file or lies under one of dirs.
bool data_allowed(const std::string& path, const std::string& default_data,
                  const std::vector<std::string>& dirs) {
  if (path.find('\0') != std::string::npos) return false;
  const auto p = resolved(path);
  if (p.empty()) return false;
  if (!default_data.empty() && p == resolved(default_data)) return true;
  for (const auto& d : dirs) {
    const auto dir = resolved(d);
    if (dir.empty()) continue;
    // Component by component: /data/loans must not admit /data/loans-secret/x.csv.
    auto [dir_end, p_it] = std::mismatch(dir.begin(), dir.end(), p.begin(), p.end());
    if (dir_end == dir.end() && p_it != p.end()) return true;
  }
  return false;
}

}  // namespace

JobRequest parse_job_request(const nlohmann::json& body, const std::string& default_data,
                             const std::vector<std::string>& data_dirs) {
  if (!body.is_object()) {
    throw HttpError(422,
                    "expected a JSON object like {\"family\": \"xgboost\", \"tune\": true, "
                    "\"trials\": 10}");
  }
  JobRequest r;
  nlohmann::json problems = nlohmann::json::array();
  const auto problem = [&](const std::string& field, const nlohmann::json& value,
                           const std::string& rule) {
    problems.push_back({{"field", field}, {"value", value}, {"rule", rule}});
  };
  static const std::set<std::string> known = {"family", "features",   "tune",
                                              "trials", "experiment", "data"};
  for (const auto& [k, v] : body.items()) {
    if (!known.contains(k)) {
      problem(k, v,
              "is not a known field (known: data, experiment, family, features, trials, tune)");
    }
  }
  const auto& families = classifier_families();
  const nlohmann::json family = body.value("family", nlohmann::json());
  if (!family.is_string() ||
      std::find(families.begin(), families.end(), family.get<std::string>()) == families.end()) {
    problem("family", family, "must be one of " + join(families));
  } else {
    r.family = family.get<std::string>();
  }
  if (body.contains("features")) {
    const auto& f = body["features"];
    std::vector<std::string> valid = raw_feature_names();
    const auto& derived = derived_feature_names();
    valid.insert(valid.end(), derived.begin(), derived.end());
    if (!f.is_array() || f.empty()) {
      problem("features", f, "must be a non-empty array of feature names");
    } else {
      for (const auto& name : f) {
        if (!name.is_string() ||
            std::find(valid.begin(), valid.end(), name.get<std::string>()) == valid.end()) {
          problem("features", name, "must be one of " + join(valid));
        } else if (std::find(r.features.begin(), r.features.end(), name.get<std::string>()) !=
                   r.features.end()) {
          problem("features", name, "is listed twice");
        } else {
          r.features.push_back(name.get<std::string>());
        }
      }
    }
  }
  const nlohmann::json tune = body.value("tune", nlohmann::json(false));
  if (!tune.is_boolean()) {
    problem("tune", tune, "must be true or false");
  } else {
    r.tune = tune.get<bool>();
  }
  const nlohmann::json trials = body.value("trials", nlohmann::json(10));
  if (!trials.is_number_integer() || trials.get<long long>() < 1 ||
      trials.get<long long>() > kMaxTrials) {
    problem("trials", trials, "must be an integer between 1 and " + std::to_string(kMaxTrials));
  } else {
    r.trials = trials.get<int>();
  }
  const nlohmann::json experiment =
      body.value("experiment", nlohmann::json(r.tune ? "web-tuning" : "web"));
  const std::string allowed = "letters, digits, '_', '-', '.' and spaces";
  const std::string name = experiment.is_string() ? experiment.get<std::string>() : "";
  const bool name_ok =
      !name.empty() && name.size() <= 100 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
               c == ' ';
      });
  if (!name_ok) {
    problem("experiment", experiment, "must be 1 to 100 characters: " + allowed);
  } else {
    r.experiment = name;
  }
  const nlohmann::json data = body.value("data", nlohmann::json(default_data));
  std::error_code ec;
  if (!data.is_string() || data.get<std::string>().empty()) {
    problem("data", data,
            "must name a labelled loan CSV on the server (the served model's training data is "
            "not on this machine)");
  } else if (!data_allowed(data.get<std::string>(), default_data, data_dirs)) {
    problem("data", data.get<std::string>().size() > 200 ? nlohmann::json("(a long path)") : data,
            "must be the served model's training data or a file inside a folder the server "
            "allows for jobs (" +
                (data_dirs.empty() ? std::string("none configured: set [serve] job_data_dirs")
                                   : "[serve] job_data_dirs: " + join(data_dirs)) +
                ")");
  } else if (!std::filesystem::is_regular_file(data.get<std::string>(), ec)) {
    problem("data", data, "must be an existing file on the server");
  } else {
    r.data = data.get<std::string>();
  }
  if (!problems.empty()) {
    throw HttpError(422,
                    "invalid job request: " + std::to_string(problems.size()) +
                        (problems.size() == 1 ? " problem" : " problems") +
                        " (fix each listed field and resend)",
                    {{"problems", problems}});
  }
  return r;
}

std::string parse_stop_reason(const nlohmann::json& body) {
  if (!body.is_object()) {
    throw HttpError(422, "expected a JSON object like {\"reason\": \"why the job stops\"}");
  }
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& [k, v] : body.items()) {
    if (k != "reason") {
      problems.push_back(
          {{"field", k}, {"value", v}, {"rule", "is not a known field (known: reason)"}});
    }
  }
  const nlohmann::json reason = body.value("reason", nlohmann::json());
  const bool text = reason.is_string();
  if (!text || reason.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos ||
      reason.get<std::string>().size() > kMaxReasonBytes) {
    problems.push_back(
        {{"field", "reason"},
         {"value", text && reason.get<std::string>().size() > 200 ? nlohmann::json("(a long text)")
                                                                  : reason},
         {"rule", "must say why, in 1 to " + std::to_string(kMaxReasonBytes) +
                      " bytes (it is recorded in the audit trail)"}});
  }
  if (!problems.empty()) {
    throw HttpError(422, "invalid stop request: fix each listed field and resend",
                    {{"problems", problems}});
  }
  return reason.get<std::string>();
}

std::string job_target(const nlohmann::json& job) {
  return job.value("id", "") + ": " + job.value("kind", "") + " " + job.value("family", "") +
         " in experiment " + job.value("experiment", "");
}

}  // namespace loanrisk
