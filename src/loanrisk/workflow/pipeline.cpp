// The closed loop (see pipeline.hpp). The work folder holds one state.json per book and config
// (keyed by their hashes): each step's status is written atomically when it ends, so an attempt
// killed in a step redoes that step only. Steps are written so that redoing one is harmless: the
// split and the reports are recomputed, registration finds the version a killed attempt already
// registered from the same training run, and alias moves and report attachments are idempotent.
#include "loanrisk/workflow/pipeline.hpp"

#include <csignal>
#include <cstdlib>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/config/toml_section.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/rng.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/workflow/jobs.hpp"
#include "loanrisk/workflow/tracked.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {
namespace {

namespace fs = std::filesystem;

// Fault injection for the resumption test: LOANRISK_TEST_KILL_AT=STEP:start|end sends this
// process SIGKILL there, the way an OOM killer or a node drain would.
void maybe_killed(const std::string& step, const char* phase) {
  const char* at = std::getenv("LOANRISK_TEST_KILL_AT");
  if (at && step + ":" + phase == at) std::raise(SIGKILL);
}

// The book split into training and holdout rows, stratified by outcome, the same for a seed.
void split_book(const fs::path& data, const TrainConfig& config, double holdout, std::uint64_t seed,
                const fs::path& train_csv, const fs::path& holdout_csv) {
  const ReadResult read = read_with_rejects(data, config.schema, true, std::nullopt);
  const auto* target = config.schema.target();
  if (!target) throw UsageError("the schema has no target column: the pipeline needs outcomes");
  const auto& y = read.frame.column(target->name);
  std::vector<std::size_t> by_class[2];
  for (std::size_t i = 0; i < y.size(); ++i) by_class[y[i] > 0.5 ? 1 : 0].push_back(i);
  Rng rng(seed);
  std::vector<std::size_t> train, held;
  for (auto& rows : by_class) {
    for (std::size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng.below(i)]);
    const auto n_held = static_cast<std::size_t>(static_cast<double>(rows.size()) * holdout + 0.5);
    held.insert(held.end(), rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n_held));
    train.insert(train.end(), rows.begin() + static_cast<std::ptrdiff_t>(n_held), rows.end());
  }
  std::sort(train.begin(), train.end());
  std::sort(held.begin(), held.end());
  write_frame_csv(train_csv, read.frame.take(train), config.schema);
  write_frame_csv(holdout_csv, read.frame.take(held), config.schema);
}

class Pipeline {
 public:
  Pipeline(Store& store, const PipelineRequest& req) : store_(store), req_(req) {}

  PipelineResult run() {
    const PipelineSettings& s = req_.settings;
    if (s.data.empty()) {
      throw UsageError("pipeline needs a book: --data FILE or [pipeline] data in " +
                       req_.config.string());
    }
    if (!fs::exists(s.data)) {
      throw InputError("the book '" + s.data + "' does not exist: check --data or [pipeline] data");
    }
    check_registry_name("[pipeline] model", s.model);
    ModelChoice choice;
    choice.config = req_.config.string();
    config_ = choice.resolve();
    // One state per book, config and model: a new book starts afresh, the same one resumes.
    const std::string key =
        sha256_hex(sha256_file(s.data) + sha256_file(req_.config) + s.model).substr(0, 16);
    result_.work = fs::path(s.work_dir) / key;
    fs::create_directories(result_.work);
    state_path_ = result_.work / "state.json";
    if (fs::exists(state_path_)) {
      state_ = read_json_file(state_path_);
      result_.resumed = true;
    } else {
      state_ = {{"key", key},
                {"data", s.data},
                {"data_sha256", sha256_file(s.data)},
                {"config", req_.config.string()},
                {"model", s.model},
                {"attempts", nlohmann::json::array()},
                {"steps", nlohmann::json::object()}};
    }
    if (state_.value("finished", false)) {
      result_.exit_code = state_.value("exit_code", 0);
      result_.why = state_.value("why", "");
      result_.state = state_;
      return result_;
    }
    const Run parent = store_.create_run({s.experiment, "pipeline " + s.model, "", ""});
    result_.parent_run_id = parent.id;
    store_.set_tag(parent.id, "loanrisk.pipeline.key", key);
    store_.set_tag(parent.id, "loanrisk.pipeline.data", s.data);
    if (!state_["attempts"].empty()) {
      store_.set_tag(parent.id, "loanrisk.pipeline.resumes", state_["attempts"].back());
    }
    state_["attempts"].push_back(parent.id);
    save();
    try {
      for (const auto& step : kPipelineSteps) {
        // A red check stops everything; a red validation still registers the challenger (for
        // review and shadowing) but never promotes it.
        if (step == "promote" && step_status("validate") == "red") break;
        const std::string before = step_status(step);
        if (before.empty()) run_step(step, parent.id);  // else a previous attempt finished it
        if (step == "check" && step_status("check") == "red") break;
      }
      verdict();
      for (const auto& step : kPipelineSteps) {
        if (state_["steps"].contains(step)) {
          store_.set_tag(parent.id, "loanrisk.pipeline.step." + step,
                         state_["steps"][step].value("status", "") + " " +
                             state_["steps"][step].value("run_id", ""));
        }
      }
      state_["finished"] = true;
      state_["exit_code"] = result_.exit_code;
      state_["why"] = result_.why;
      save();
      store_.end_run(parent.id, RunStatus::kFinished);
    } catch (...) {
      try {
        store_.end_run(parent.id, RunStatus::kFailed);
      } catch (...) {
        // The step's error matters more.
      }
      throw;
    }
    result_.state = state_;
    return result_;
  }

 private:
  // Whether the model is registered, and where @champion points (nothing on a first run).
  bool model_exists() {
    for (const auto& m : ModelRegistry(store_).list_models()) {
      if (m.name == req_.settings.model) return true;
    }
    return false;
  }
  std::optional<std::int64_t> champion_version() {
    if (!model_exists()) return std::nullopt;
    const auto aliases = ModelRegistry(store_).get_model(req_.settings.model).aliases;
    const auto it = aliases.find("champion");
    return it == aliases.end() ? std::nullopt : std::optional(it->second);
  }

  std::string step_status(const std::string& step) const {
    return state_["steps"].contains(step) ? state_["steps"][step].value("status", "") : "";
  }
  void save() { write_json_file(state_path_, state_); }

  void run_step(const std::string& step, const std::string& parent) {
    maybe_killed(step, "start");
    const Run run = store_.create_run({req_.settings.experiment, step, parent, ""});
    nlohmann::json out;
    try {
      if (step == "check") out = check(run.id);
      if (step == "train") out = train(run.id, parent);
      if (step == "validate") out = validate(run.id);
      if (step == "register") out = register_challenger(run.id);
      if (step == "promote") out = promote(run.id);
      store_.end_run(run.id, RunStatus::kFinished);
    } catch (...) {
      try {
        store_.end_run(run.id, RunStatus::kFailed);
      } catch (...) {
        // The step's error matters more.
      }
      throw;
    }
    out["run_id"] = run.id;
    if (!out.contains("status")) out["status"] = "done";
    state_["steps"][step] = out;
    maybe_killed(step, "end");
    save();
  }

  // The book reads against the schema, has both outcomes, and its drift against the champion's
  // training reference is measured (the reason to retrain, recorded; not a stop).
  nlohmann::json check(const std::string& run_id) {
    const PipelineSettings& s = req_.settings;
    const ReadResult read = read_with_rejects(s.data, config_.schema, true, std::nullopt);
    const auto& y = read.frame.column(config_.schema.target()->name);
    double defaults = 0;
    for (double v : y) defaults += v;
    const auto rows = static_cast<double>(y.size());
    store_.set_dataset(run_id, state_["data_sha256"], s.data, static_cast<std::int64_t>(y.size()));
    store_.log_metrics(run_id, {{"rows", rows, 0, 0}, {"default_rate", defaults / rows, 0, 0}});
    nlohmann::json out = {{"rows", y.size()}, {"defaults", defaults}};
    const double min_class = std::min(defaults, rows - defaults);
    if (min_class < 20) {
      return stop(out, "the book has " + format_double(defaults) + " defaults among " +
                           format_double(rows) +
                           " rows: too few of one outcome to train and validate a PD "
                           "model (at least 20 of each)");
    }
    if (!champion_version()) {
      out["drift"] = "no champion yet: nothing to compare with";
      return out;
    }
    MonitorJob job;
    job.model = "models:/" + s.model + "@champion";
    job.data = s.data;
    job.out = (result_.work / "drift").string();
    const MonitorJobResult drift = run_monitor_job(job, &store_);
    const std::string status = drift.report.json.value("status", "");
    out["drift"] = status;
    out["drift_report"] = (result_.work / "drift" / "report.html").string();
    std::vector<MetricPoint> points{{"psi_score", drift.report.score.psi, 0, 0}};
    for (const auto& f : drift.report.features) points.push_back({"psi_" + f.name, f.psi, 0, 0});
    store_.log_metrics(run_id, points);
    store_.set_tag(run_id, "loanrisk.drift", status);
    return out;
  }

  nlohmann::json train(const std::string& run_id, const std::string& parent) {
    const PipelineSettings& s = req_.settings;
    const fs::path train_csv = result_.work / "train.csv",
                   holdout_csv = result_.work / "holdout.csv";
    split_book(s.data, config_, s.holdout, s.seed, train_csv, holdout_csv);
    TrainRequest req;
    req.data = train_csv;
    req.out = result_.work / "bundle";
    req.config = config_;
    req.overwrite = true;
    const TrackedOutcome t = train_tracked(store_, req,
                                           {s.experiment, "challenger " + config_.family, parent,
                                            "", "", "pipeline on " + s.data, false});
    store_.set_tag(run_id, "loanrisk.train_run", t.run_id);
    return {{"train_run_id", t.run_id},
            {"family", config_.family},
            {"bundle", req.out.string()},
            {"test_auc", t.outcome.test.auc_roc}};
  }

  nlohmann::json validate(const std::string& run_id) {
    const PipelineSettings& s = req_.settings;
    ValidateRequest v;
    v.model = result_.work / "bundle";
    v.model_label = "pipeline challenger (" + config_.family + ")";
    v.data = result_.work / "holdout.csv";
    v.policy = req_.policy;
    v.gates = validation::gates_from_toml(req_.config);
    v.out = result_.work / "validation";
    if (const auto champion = champion_version()) {
      v.against = resolve_model_uri(store_, "models:/" + s.model + "@champion");
      v.against_label = "models:/" + s.model + "@champion (v" + std::to_string(*champion) + ")";
    }
    const ValidateOutcome o = validate_file(v);
    store_.log_artifact(run_id, *v.out, "validation");
    store_.set_tag(run_id, "loanrisk.validation", validation::light_name(o.report.status));
    const auto& d = o.report.json["discrimination"];
    if (d.is_object() && d.contains("auc") && d["auc"].is_number()) {
      store_.log_metric(run_id, "auc_roc", d["auc"].get<double>(), 0, 0);
    }
    nlohmann::json out = {{"report", (*v.out / "report.html").string()},
                          {"validation", validation::light_name(o.report.status)},
                          {"red", o.report.red},
                          {"against", v.against_label}};
    if (o.report.status == validation::Light::Red) out["status"] = "red";
    return out;
  }

  nlohmann::json register_challenger(const std::string& run_id) {
    const PipelineSettings& s = req_.settings;
    const std::string train_run = state_["steps"]["train"]["train_run_id"];
    ModelRegistry reg(store_, req_.by);
    std::int64_t version = 0;
    if (model_exists()) {
      for (const ModelVersion& v : reg.versions(s.model)) {
        if (v.run_id == train_run) version = v.version;  // a killed attempt registered it
      }
    }
    if (version == 0) {
      version =
          reg.register_version(s.model, train_run, "pipeline challenger on " + s.data).version;
    }
    const VersionReport report = reg.attach_report(s.model, version, result_.work / "validation");
    reg.set_alias(s.model, "challenger", version, "pipeline on " + s.data);
    store_.set_tag(run_id, "loanrisk.registered", s.model + "/" + std::to_string(version));
    nlohmann::json out = {{"version", version}, {"report_sha256", report.sha256}};
    return out;
  }

  nlohmann::json promote(const std::string& run_id) {
    const PipelineSettings& s = req_.settings;
    const auto& reg_state = state_["steps"]["register"];
    const std::int64_t version = reg_state["version"];
    const std::string validation = state_["steps"]["validate"].value("validation", "");
    if (!s.auto_promote) {
      store_.set_tag(run_id, "loanrisk.promoted", "no: [pipeline] auto_promote is off");
      return {{"status", "skipped"},
              {"why", "auto_promote is off: promote with `loanrisk models alias " + s.model +
                          " champion " + std::to_string(version) + " --reason ...`"}};
    }
    if (validation != "green") {
      store_.set_tag(run_id, "loanrisk.promoted", "no: validation " + validation);
      return {{"status", "skipped"},
              {"why", "validation is " + validation + ", not green on every gate"}};
    }
    ModelRegistry reg(store_, req_.by);
    reg.set_gated_aliases(req_.gated_aliases);
    reg.set_alias(s.model, "champion", version, "pipeline: every gate green on " + s.data,
                  reg_state.value("report_sha256", ""));
    store_.set_tag(run_id, "loanrisk.promoted", s.model + "/" + std::to_string(version));
    return {{"promoted", version}};
  }

  nlohmann::json stop(nlohmann::json out, const std::string& why) {
    out["status"] = "red";
    out["why"] = why;
    return out;
  }

  // The exit code and its reason, from the state (the same whichever attempt ends the pipeline).
  void verdict() {
    const auto& steps = state_["steps"];
    if (step_status("check") == "red") {
      result_.exit_code = 4;
      result_.why = "check: " + steps["check"].value("why", "");
    } else if (step_status("validate") == "red") {
      const auto& v = steps["validate"];
      std::vector<std::string> red;
      for (const auto& line : v["red"]) red.push_back(line.get<std::string>());
      result_.exit_code = 4;
      result_.why = "validation has " + std::to_string(red.size()) + " red gate" +
                    (red.size() == 1 ? "" : "s") + " (" + join(red, "; ") + "); report " +
                    v.value("report", "");
      if (steps.contains("register")) {
        result_.why += "; models:/" + req_.settings.model + "@challenger (v" +
                       std::to_string(steps["register"].value("version", 0)) +
                       ") is registered for review and shadowing, @champion is unchanged";
      }
    }
  }

  Store& store_;
  const PipelineRequest& req_;
  TrainConfig config_;
  PipelineResult result_;
  nlohmann::json state_;
  fs::path state_path_;
};

}  // namespace

PipelineSettings pipeline_settings_from_toml(const fs::path& config) {
  const std::string source = config.string();
  const toml::table root = parse_toml(read_toml_file(config), source);
  PipelineSettings s;
  const toml::node* node = root.get("pipeline");
  if (!node) return s;
  const TomlSection t(source, *node, "pipeline", TomlStyle::Located, "pipeline.");
  t.check_keys({"auto_promote", "data", "experiment", "holdout", "model", "seed", "work_dir"});
  t.string("model", s.model);
  t.string("data", s.data);
  t.string("work_dir", s.work_dir);
  t.string("experiment", s.experiment);
  t.number("holdout", s.holdout, {.min = 0.05, .max = 0.9}, "a share of the book, e.g. 0.25");
  t.integer("seed", s.seed);
  t.boolean("auto_promote", s.auto_promote);
  if (s.work_dir.empty()) throw UsageError(source + ": [pipeline] work_dir must not be empty");
  return s;
}

PipelineResult run_pipeline(Store& store, const PipelineRequest& request) {
  return Pipeline(store, request).run();
}

}  // namespace loanrisk
