#include "loanrisk/workflow/jobs.hpp"

#include <unistd.h>

#include <algorithm>
#include <concepts>
#include <set>

#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/json_optional.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/tracking/process_identity.hpp"
#include "loanrisk/tracking/study_store.hpp"
#include "loanrisk/tuning/search_space.hpp"
#include "loanrisk/workflow/runtime_record.hpp"

namespace loanrisk {
namespace {

// --- A spec's fields, listed once ----------------------------------------------------------
// Each spec type lists its fields in one `fields` function; the same list writes the spec as JSON
// (Writer) and reads it back with every check (Reader), so the two directions cannot disagree.

class Writer {
 public:
  nlohmann::json json = nlohmann::json::object();

  void text(const char* key, const std::string& v) { json[key] = v; }
  void flag(const char* key, bool v) { json[key] = v; }
  void count(const char* key, const std::optional<int>& v, int, int) { json[key] = v; }
  void seed(const char* key, const std::optional<std::uint64_t>& v) { json[key] = v; }
  void names(const char* key, const std::vector<std::string>& v) { json[key] = v; }
  template <class S>
  void object(const char* key, const S& spec) {
    Writer w;
    fields(w, spec);
    json[key] = std::move(w.json);
  }
};

/// Reads fields, each refused with its name and the fix; done() refuses the fields not read.
class Reader {
 public:
  Reader(const nlohmann::json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) fail("", "must be a JSON object");
  }
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw InputError(where_ + (key.empty() ? "" : (where_.ends_with(':') ? " " : ".") + key) + " " +
                     problem);
  }
  /// InputError for a field no read asked for (a typo would otherwise be ignored silently).
  void done() const {
    for (const auto& item : j_.items()) {
      if (known_.contains(item.key())) continue;
      fail(echo_text(item.key()),
           "is not a known field (known: " + join({known_.begin(), known_.end()}) + ")");
    }
  }
  void allow(const char* key) { known_.insert(key); }

  void text(const char* key, std::string& out) {
    if (!present(key)) return;
    if (!j_[key].is_string()) fail(key, "must be a string");
    out = j_[key].get<std::string>();
    if (!is_valid_utf8(out)) fail(key, "is not valid UTF-8: write the spec in UTF-8");
  }
  void flag(const char* key, bool& out) {
    if (!present(key)) return;
    if (!j_[key].is_boolean()) fail(key, "must be true or false");
    out = j_[key].get<bool>();
  }
  void count(const char* key, std::optional<int>& out, int lo, int hi) {
    if (!present(key) || j_[key].is_null()) return;
    const auto& v = j_[key];
    if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi) {
      fail(key, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    out = v.get<int>();
  }
  void seed(const char* key, std::optional<std::uint64_t>& out) {
    if (!present(key) || j_[key].is_null()) return;
    if (!j_[key].is_number_unsigned()) fail(key, "must be a non-negative integer");
    out = j_[key].get<std::uint64_t>();
  }
  void names(const char* key, std::vector<std::string>& out) {
    if (!present(key)) return;
    if (!j_[key].is_array()) fail(key, "must be an array of strings");
    for (const auto& v : j_[key]) {
      if (!v.is_string()) fail(key, "must be an array of strings");
      out.push_back(v.get<std::string>());
      if (!is_valid_utf8(out.back())) fail(key, "is not valid UTF-8: write the spec in UTF-8");
    }
  }
  template <class S>
  void object(const char* key, S& spec) {
    static const nlohmann::json empty = nlohmann::json::object();
    Reader r(present(key) ? j_[key] : empty, where_ + " " + key + ":");
    fields(r, spec);
    r.done();
  }

 private:
  bool present(const char* key) {
    known_.insert(key);
    return j_.contains(key);
  }
  const nlohmann::json& j_;
  std::string where_;
  std::set<std::string> known_;
};

template <class V, class M>
requires std::same_as<std::remove_const_t<M>, ModelChoice>
void fields(V& v, M& m) {
  v.text("config", m.config);
  v.text("family", m.family);
  v.names("features", m.features);
  v.text("imbalance", m.imbalance);
  v.text("calibration", m.calibration);
  v.text("threshold_rule", m.threshold_rule);
  v.text("on_duplicate_id", m.on_duplicate_id);
  v.seed("seed", m.seed);
  v.flag("no_monotone", m.no_monotone);
}

template <class V, class T>
requires std::same_as<std::remove_const_t<T>, JobTracking>
void fields(V& v, T& t) {
  v.flag("track", t.track);
  v.text("store", t.store);
  v.text("experiment", t.experiment);
  v.text("run_name", t.run_name);
  v.text("register_as", t.register_as);
  v.text("alias", t.alias);
  v.text("reason", t.reason);
  v.flag("override_gate", t.override_gate);
  v.text("run_as", t.run_as);
}

template <class V, class T>
requires std::same_as<std::remove_const_t<T>, MonitorJob>
void fields(V& v, T& t) {
  v.text("model", t.model);
  v.text("store", t.store);
  v.text("data", t.data);
  v.text("log", t.log);
  v.text("since", t.since);
  v.text("until", t.until);
  v.text("rejects", t.rejects);
  v.text("outcomes", t.outcomes);
  v.count("horizon_days", t.horizon_days, 1, 36'500);
  v.text("out", t.out);
  v.text("window", t.window);
  v.count("window_rows", t.window_rows, 1, 1'000'000'000);
}

/// What every job has: its data, where its bundle goes, the model and the tracking.
template <class V, class T>
void common_fields(V& v, T& t) {
  v.text("data", t.data);
  v.text("out", t.out);
  v.object("model", t.model);
  v.object("tracking", t.tracking);
}

template <class V, class T>
requires std::same_as<std::remove_const_t<T>, TrainJob>
void fields(V& v, T& t) {
  common_fields(v, t);
  v.text("rejects", t.rejects);
  v.flag("overwrite", t.overwrite);
  v.flag("external_memory", t.external_memory);
  v.text("cache_dir", t.cache_dir);
}

template <class V, class T>
requires std::same_as<std::remove_const_t<T>, TuneJob>
void fields(V& v, T& t) {
  common_fields(v, t);
  v.text("study", t.study);
  v.count("trials", t.trials, 1, 100'000);
  v.count("study_trials", t.study_trials, 1, 1'000'000);
  v.count("workers", t.workers, 1, 64);
  v.count("cv_folds", t.cv_folds, 0, 100);
  v.text("sampler", t.sampler);
  v.text("pruner", t.pruner);
  v.flag("refit", t.refit);
}

TrainOutcome train_one(const TrainRequest& request, Store* store, const TrackingOptions& options,
                       TrainJobResult::Family& row) {
  if (!store) return train_model(request);
  TrackedOutcome t = train_tracked(*store, request, options);
  row.run_id = t.run_id;
  row.version = t.version;
  return std::move(t.outcome);
}

}  // namespace

void check_tracking(const JobTracking& t) {
  if (!t.alias.empty() && t.register_as.empty()) {
    throw UsageError("--alias needs --register NAME: an alias points at a registered version");
  }
  // Refused before training rather than after: a fresh version has no validation report yet.
  for (const auto& gated : kDefaultGatedAliases) {
    if (t.alias != gated) continue;
    if (t.override_gate) {
      if (t.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
        throw UsageError("--override needs --reason: the history keeps why @" + gated +
                         " moved without validation evidence");
      }
      break;
    }
    throw UsageError("--alias " + gated + ": @" + gated +
                     " moves only on validation evidence, which a version being trained cannot "
                     "have yet. Register it (--alias challenger, or no alias), then run `loanrisk "
                     "validate --model models:/" +
                     t.register_as +
                     "/VERSION --data BOOK.csv --out DIR`, `loanrisk models "
                     "attach-report " +
                     t.register_as + " VERSION DIR` and `loanrisk models alias " + t.register_as +
                     " " + gated +
                     " VERSION`; on a first start with nothing to validate against, add --override "
                     "and a --reason");
  }
  if (t.override_gate && t.alias.empty()) {
    throw UsageError("--override needs --alias: it lets that alias move without a report");
  }
  if (!t.track && !t.register_as.empty()) {
    throw UsageError("--register needs tracking: drop --no-track");
  }
}

namespace {

/// Whether a family declares a parameter: families without randomness (logistic_regression,
/// scorecard) have no seed.
bool has_param(const std::string& family, const std::string& name) {
  const auto& specs = param_specs(family);
  return std::any_of(specs.begin(), specs.end(),
                     [&](const ParamSpec& s) { return s.name == name; });
}

}  // namespace

TrainConfig ModelChoice::resolve() const {
  TrainConfig c = config.empty() ? TrainConfig{} : load_config(config);
  if (!family.empty() && family != "all" && family != c.family) {
    c.family = family;
    c.params = c.given_params;
  }
  if (!features.empty()) c.features.features = features;
  if (!imbalance.empty()) c.imbalance = imbalance;
  if (!calibration.empty()) c.calibration = calibration;
  if (!threshold_rule.empty()) c.threshold_rule = threshold_rule;
  if (!on_duplicate_id.empty()) c.on_duplicate_id = on_duplicate_id;
  if (no_monotone) c.monotone_enabled = false;
  if (seed) {
    c.split.seed = *seed;
    if (has_param(c.family, "seed")) c.params["seed"] = static_cast<double>(*seed % 2147483648ULL);
  }
  // Chosen features pass the checks a config file's [features] use passes.
  if (!features.empty()) validate(c);
  return c;
}

nlohmann::json job_to_json(const JobSpec& job) {
  return std::visit(
      [](const auto& spec) {
        Writer w;
        w.json["kind"] = std::decay_t<decltype(spec)>::kKind;
        fields(w, spec);
        return std::move(w.json);
      },
      job);
}

JobSpec job_from_json(const nlohmann::json& j, const std::string& source) {
  Reader r(j, source + ":");
  r.allow("kind");
  const std::string kind =
      j.contains("kind") && j["kind"].is_string() ? j["kind"].get<std::string>() : "";
  if (kind == TrainJob::kKind) {
    TrainJob t;
    fields(r, t);
    r.done();
    if (t.data.empty()) r.fail("data", "must name the labelled loan CSV to train on");
    if (t.out.empty()) r.fail("out", "must name the bundle folder to write");
    return t;
  }
  if (kind == TuneJob::kKind) {
    TuneJob t;
    fields(r, t);
    r.done();
    if (t.data.empty()) r.fail("data", "must name the labelled loan CSV to tune on");
    return t;
  }
  if (kind == MonitorJob::kKind) {
    MonitorJob t;
    fields(r, t);
    r.done();
    if (t.model.empty()) r.fail("model", "must name the bundle folder or model URI to monitor");
    if (t.out.empty()) r.fail("out", "must name the folder for report.json and report.html");
    return t;
  }
  r.fail("kind", "must be \"train\", \"tune\" or \"monitor\"");
}

TrainJobResult run_train_job(const TrainJob& job, Store* store) {
  check_tracking(job.tracking);
  if (job.data.empty()) throw UsageError("train needs --data FILE (the labelled loan CSV)");
  if (job.out.empty()) throw UsageError("train needs --out FOLDER (where the bundle goes)");
  if (job.tracking.track && !store) throw InternalError("a tracked training job needs a store");
  TrainRequest base;
  base.data = job.data;
  base.out = job.out;
  if (!job.rejects.empty()) base.rejects = job.rejects;
  base.overwrite = job.overwrite;
  base.config = job.model.resolve();
  if (job.external_memory) base.config.external.enabled = true;
  if (!job.cache_dir.empty()) base.config.external.cache_dir = job.cache_dir;
  if (base.config.external.enabled && job.model.family == "all") {
    throw UsageError(
        "--external-memory trains one tree family at a time (xgboost, random_forest or "
        "lightgbm), not --model all");
  }
  const std::string experiment =
      job.tracking.experiment.empty() ? "Default" : job.tracking.experiment;
  TrainJobResult result;
  result.config = base.config;
  if (job.model.family != "all") {
    auto& row = result.families.emplace_back();
    row.family = base.config.family;
    row.bundle = base.out;
    row.outcome = train_one(base, store,
                            {experiment, job.tracking.run_name, "", job.tracking.register_as,
                             job.tracking.alias, job.tracking.reason, job.tracking.override_gate},
                            row);
    return result;
  }
  // Every family on the same split (same data, config and seed), default parameters, one bundle
  // per family under OUT/<family>/ and OUT/comparison.json.
  if (!job.tracking.register_as.empty()) {
    throw UsageError("--register is for one model: train one family with --model NAME");
  }
  std::error_code ec;
  if (std::filesystem::exists(base.out, ec) && !base.overwrite &&
      !std::filesystem::is_empty(base.out, ec)) {
    throw UsageError("output folder '" + base.out.string() +
                     "' already exists: choose another --out or pass --force to replace it");
  }
  std::filesystem::create_directories(base.out);
  result.all = true;
  std::vector<FamilyComparison> rows;
  for (const std::string& family : classifier_families()) {
    TrainRequest req = base;
    req.out = base.out / family;
    req.config.family = family;
    req.config.params.clear();
    if (base.config.params.count("seed") && has_param(family, "seed")) {
      req.config.params["seed"] = base.config.params.at("seed");
    }
    auto& row = result.families.emplace_back();
    row.family = family;
    row.bundle = req.out;
    row.outcome = train_one(req, store, {experiment, family, "", "", "", job.tracking.reason}, row);
    rows.push_back({family, req.out, row.outcome.test, row.outcome.seconds});
  }
  write_json_file(base.out / "comparison.json", comparison_json(rows));
  return result;
}

nlohmann::json job_result_json(const TrainJobResult& result) {
  nlohmann::json families = nlohmann::json::array();
  for (const auto& f : result.families) {
    families.push_back({{"family", f.family},
                        {"bundle", f.bundle.string()},
                        {"run_id", f.run_id},
                        {"version", f.version},
                        {"test_auc_roc", f.outcome.test.auc_roc},
                        {"seconds", f.outcome.seconds}});
  }
  return {{"kind", TrainJob::kKind}, {"families", families}};
}

nlohmann::json job_result_json(const TuneJobResult& result) {
  nlohmann::json families = nlohmann::json::array();
  for (const auto& f : result.families) {
    const auto& best = f.outcome.best;
    families.push_back(
        {{"family", f.family},
         {"study", f.outcome.study.name},
         {"trials", f.outcome.trials.size()},
         {"best_value", best && best->value ? nlohmann::json(*best->value) : nlohmann::json()},
         {"best_trial", best ? nlohmann::json(best->number) : nlohmann::json()},
         {"bundle", f.refit ? nlohmann::json(f.bundle.string()) : nlohmann::json()},
         {"run_id", f.refit ? nlohmann::json(f.refit->run_id) : nlohmann::json()},
         {"version",
          f.refit && f.refit->version ? nlohmann::json(*f.refit->version) : nlohmann::json()},
         {"refit_note", f.refit_note.empty() ? nlohmann::json() : nlohmann::json(f.refit_note)}});
  }
  return {{"kind", TuneJob::kKind}, {"families", families}, {"stopped", result.stopped}};
}

}  // namespace loanrisk
