#include "loanrisk/tuning/optuna_export.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/tracking/store_uri.hpp"
#include "loanrisk/tuning/optuna_file.hpp"

namespace loanrisk {
namespace {

using Kind = ParamDistribution::Kind;

// Optuna stores datetime_start/complete as SQLAlchemy writes a naive datetime.now(): local time,
// "YYYY-MM-DD HH:MM:SS.ffffff".
std::string optuna_datetime(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[40];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  std::snprintf(text + n, sizeof text - n, ".%06d", static_cast<int>(ms % 1000) * 1000);
  return text;
}

// A trial value's column pair as Optuna's TrialValueModel keeps it: infinities as NULL with
// their type (NaN only in intermediate values; a NaN objective fails the trial).
std::pair<SqlValue, std::string> optuna_value(double v) {
  if (std::isnan(v)) return {std::monostate{}, "NAN"};
  if (std::isinf(v)) return {std::monostate{}, v > 0 ? "INF_POS" : "INF_NEG"};
  return {v, "FINITE"};
}

SqlValue optional_datetime(const std::optional<std::int64_t>& ms) {
  if (!ms) return std::monostate{};
  return optuna_datetime(*ms);
}

// The value Optuna gives a trial: a pruned trial without one takes its last intermediate value
// (optuna/study/_tell.py), a running or failed trial has none.
std::optional<double> exported_value(const TrialRecord& t) {
  if (t.state == TrialState::kPruned && !t.value && !t.intermediate.empty()) {
    return t.intermediate.back().second;
  }
  if (t.state == TrialState::kRunning || t.state == TrialState::kFail) return std::nullopt;
  return t.value;
}

std::int64_t insert_study(OptunaFile& file, const StudyInfo& study, const SearchSpace& space) {
  const std::int64_t id = file.insert("INSERT INTO studies(study_name) VALUES(?)", {study.name});
  file.insert("INSERT INTO study_directions(direction, study_id, objective) VALUES(?, ?, 0)",
              {std::string("MAXIMIZE"), id});
  nlohmann::json settings = study.settings_json;
  if (nlohmann::json::accept(study.settings_json)) {
    settings = nlohmann::json::parse(study.settings_json);
  }
  const std::vector<std::pair<std::string, nlohmann::json>> attributes = {
      {"family", study.family},
      {"objective", "validation composite (maximize)"},
      {"settings", settings},
      {"search_space", space.to_json()},
      {"loanrisk_parent_run_id", study.parent_run_id},
  };
  for (const auto& [key, value] : attributes) {
    file.insert("INSERT INTO study_user_attributes(study_id, \"key\", value_json) VALUES(?, ?, ?)",
                {id, key, dump_json(value)});
  }
  return id;
}

void insert_trial(OptunaFile& file, std::int64_t study_id, const SearchSpace& space,
                  const TrialRecord& t, OptunaExportSummary& summary) {
  const std::int64_t id = file.insert(
      "INSERT INTO trials(number, study_id, state, datetime_start, datetime_complete) "
      "VALUES(?, ?, ?, ?, ?)",
      {t.number, study_id, to_string(t.state), optuna_datetime(t.started_ms),
       t.state == TrialState::kRunning ? SqlValue(std::monostate{})
                                       : optional_datetime(t.ended_ms)});
  for (const auto& [name, value] : t.params) {
    const std::string& key = name;  // a structured binding cannot be captured before C++20's fix
    const auto d = std::find_if(space.params.begin(), space.params.end(),
                                [&](const ParamDistribution& p) { return p.name == key; });
    if (d == space.params.end()) {
      throw InputError("trial " + std::to_string(t.number) + " has the parameter '" + name +
                       "', which the study's search space does not declare");
    }
    file.insert(
        "INSERT INTO trial_params(trial_id, param_name, param_value, distribution_json) "
        "VALUES(?, ?, ?, ?)",
        {id, name, optuna_internal_value(*d, value), optuna_distribution_json(*d).dump()});
    ++summary.params;
  }
  if (const auto value = exported_value(t)) {
    const auto [cell, type] = optuna_value(*value);
    file.insert(
        "INSERT INTO trial_values(trial_id, objective, value, value_type) VALUES(?, 0, ?, ?)",
        {id, cell, type});
  }
  for (const auto& [step, value] : t.intermediate) {
    const auto [cell, type] = optuna_value(value);
    file.insert(
        "INSERT INTO trial_intermediate_values(trial_id, step, intermediate_value, "
        "intermediate_value_type) VALUES(?, ?, ?, ?)",
        {id, step, cell, type});
    ++summary.intermediate_values;
  }
  if (!t.run_id.empty()) {
    file.insert("INSERT INTO trial_user_attributes(trial_id, \"key\", value_json) VALUES(?, ?, ?)",
                {id, std::string("loanrisk_run_id"), dump_json(t.run_id)});
  }
  // Optuna's SuccessiveHalvingPruner keeps the value a trial had at each rung it completed as
  // the system attribute completed_rung_<r>; loanrisk's pruner records the same.
  for (const auto& [rung, value] : t.rungs) {
    file.insert(
        "INSERT INTO trial_system_attributes(trial_id, \"key\", value_json) VALUES(?, ?, ?)",
        {id, "completed_rung_" + std::to_string(rung), dump_json(number_or_null(value))});
  }
  ++summary.trials;
}

}  // namespace

std::filesystem::path optuna_storage_path(const std::string& storage_uri) {
  const std::string shown = echo_text(storage_uri);
  if (!storage_uri.starts_with("sqlite:")) {
    throw UsageError("--storage '" + shown +
                     "' is not an SQLite URI: export-optuna writes an SQLite file, named "
                     "sqlite:////absolute/path.db or sqlite:///relative/path.db as Optuna reads "
                     "it (another storage can then be filled with optuna.copy_study)");
  }
  if (storage_uri.find('?') != std::string::npos) {
    throw UsageError("--storage '" + shown +
                     "' has a query string, which export-optuna does not take: give the file only");
  }
  const StoreUri uri = parse_store_uri(storage_uri);
  const std::filesystem::path& path = uri.sqlite_path;
  if (path == ":memory:") {
    throw UsageError("--storage '" + shown + "' is an in-memory database; name a file");
  }
  std::error_code ec;
  const std::filesystem::path folder =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(folder, ec)) {
    throw UsageError("--storage '" + shown + "': the folder " + echo_text(folder.string()) +
                     " does not exist; create it first (export-optuna creates the file, not "
                     "folders)");
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw UsageError("--storage '" + shown + "' names a folder; name an SQLite file in it");
  }
  return path;
}

nlohmann::json optuna_distribution_json(const ParamDistribution& d) {
  if (d.kind == Kind::Categorical) {
    return {{"name", "CategoricalDistribution"}, {"attributes", {{"choices", d.choices}}}};
  }
  if (d.kind == Kind::Float) {
    const nlohmann::json step = d.step > 0 ? nlohmann::json(d.step) : nlohmann::json(nullptr);
    return {{"name", "FloatDistribution"},
            {"attributes", {{"step", step}, {"low", d.low}, {"high", d.high}, {"log", d.log}}}};
  }
  const auto step = static_cast<std::int64_t>(d.step > 0 ? d.step : 1);
  if (d.log && step != 1) {
    throw UsageError("parameter '" + d.name + "': Optuna's IntDistribution cannot combine log " +
                     "with step " + std::to_string(step));
  }
  return {{"name", "IntDistribution"},
          {"attributes",
           {{"log", d.log},
            {"step", step},
            {"low", static_cast<std::int64_t>(d.low)},
            {"high", static_cast<std::int64_t>(d.high)}}}};
}

double optuna_internal_value(const ParamDistribution& d, double value) {
  const auto outside = [&] {
    return InputError("parameter '" + d.name + "' = " + format_double(value) +
                      " is outside its search space");
  };
  if (d.kind == Kind::Categorical) {
    const auto it = std::find(d.choices.begin(), d.choices.end(), value);
    if (it == d.choices.end()) throw outside();
    return static_cast<double>(it - d.choices.begin());
  }
  if (!(value >= d.low && value <= d.high)) throw outside();
  if (d.kind == Kind::Int && value != std::floor(value)) throw outside();
  return value;
}

OptunaExportSummary export_optuna_study(const StudyInfo& study, const SearchSpace& space,
                                        const std::vector<TrialRecord>& trials,
                                        const std::string& storage_uri) {
  OptunaExportSummary summary;
  summary.path = optuna_storage_path(storage_uri);
  std::error_code ec;
  summary.created_file = !std::filesystem::exists(summary.path, ec);
  try {
    OptunaFile file(summary.path, summary.created_file);
    file.query("BEGIN IMMEDIATE");
    try {
      if (file.check_empty_or_optuna()) file.create_schema();
      const auto existing = file.query(
          "SELECT s.study_id, (SELECT COUNT(*) FROM trials t WHERE t.study_id = s.study_id) "
          "FROM studies s WHERE s.study_name = ?",
          {study.name});
      if (!existing.empty()) {
        throw UsageError(echo_text(summary.path.string()) + " already holds a study named '" +
                         echo_text(study.name) + "' (study_id " + existing[0].text(0) + ", " +
                         existing[0].text(1) +
                         " trials); nothing was written: export into another file, or remove "
                         "it first with `optuna delete-study --study-name NAME --storage URI`");
      }
      summary.study_id = insert_study(file, study, space);
      for (const auto& t : trials) insert_trial(file, summary.study_id, space, t, summary);
      file.query("COMMIT");
    } catch (...) {
      file.rollback();
      throw;
    }
  } catch (...) {
    // A file this call created holds nothing worth keeping when the export failed.
    if (summary.created_file) std::filesystem::remove(summary.path, ec);
    throw;
  }
  return summary;
}

}  // namespace loanrisk
