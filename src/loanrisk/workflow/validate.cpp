// The `validate` workflow: one labelled book scored by the model under validation (and by the
// model it is compared with, on the very same rows), handed to the validation report.
#include <algorithm>
#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/outcomes.hpp"
#include "loanrisk/monitor/outcome_join.hpp"
#include "loanrisk/monitor/prediction_log.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {
namespace {

// The bundle's tree hash ties the report to the exact model: the registry refuses to attach it
// to a version whose bundle differs.
nlohmann::json model_info(const Bundle& b, const std::filesystem::path& dir,
                          const std::string& label) {
  return {{"source", label},          {"bundle_sha256", sha256_tree(dir)},
          {"family", b.family},       {"created_at", b.created_at},
          {"threshold", b.threshold}, {"calibration", b.calibrator.method_name()}};
}

double initial_auc(const Bundle& b) {
  const auto& test = b.metrics.contains("test") ? b.metrics["test"] : nlohmann::json();
  if (test.is_object() && test.contains("auc_roc") && test["auc_roc"].is_number()) {
    return test["auc_roc"].get<double>();
  }
  return std::nan("");
}

/// The rows to validate on: their inputs, outcomes and the data section of the report.
struct Rows {
  Frame frame;
  std::vector<double> y;
  nlohmann::json data;
  std::size_t rows_read = 0, rows_rejected = 0;
  // Logged traffic only: what the server answered and what the shadow said for each row.
  std::vector<double> logged_pd, logged_challenger_pd;
};

Rows book_rows(const ValidateRequest& req, const Bundle& bundle, const std::string& target) {
  ReadResult read = read_with_rejects(req.data, bundle.schema, true, req.rejects);
  if (read.frame.rows() == 0) {
    throw InputError(req.data.string() + ": no valid row to validate on (all rows were rejected)");
  }
  Rows r;
  r.data = {{"source", req.data.string()},
            {"rows", read.frame.rows()},
            {"rows_read", read.rows_read},
            {"rows_rejected", read.rejects.size()}};
  r.y = read.frame.column(target);
  r.rows_read = read.rows_read;
  r.rows_rejected = read.rejects.size();
  r.frame = std::move(read.frame);
  return r;
}

Rows traffic_rows(const ValidateRequest& req, const Bundle& bundle,
                  const std::optional<Bundle>& other) {
  const LoggedTraffic& t = *req.traffic;
  std::vector<std::string> features = bundle.schema.feature_names();
  if (other) {
    for (const auto& name : other->schema.feature_names()) {
      if (std::find(features.begin(), features.end(), name) == features.end()) {
        features.push_back(name);
      }
    }
  }
  monitor::LoggedPredictions log =
      monitor::read_prediction_log(t.log, features, t.since_ms, t.until_ms);
  const monitor::OutcomeJoin joined =
      monitor::join_outcomes(log, read_outcomes(t.outcomes), {t.salt, t.horizon_days});
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < joined.target.size(); ++i) {
    if (!std::isnan(joined.target[i])) keep.push_back(i);
  }
  Rows r;
  r.frame = log.inputs.take(keep);
  for (const std::size_t i : keep) {
    r.y.push_back(joined.target[i]);
    r.logged_pd.push_back(log.pd[i]);
    if (!log.challenger_pd.empty()) r.logged_challenger_pd.push_back(log.challenger_pd[i]);
  }
  r.rows_read = keep.size();
  r.data = {{"source",
             "prediction log " + t.log.string() + " joined with outcomes " + t.outcomes.string()},
            {"rows", keep.size()},
            {"rows_read", log.lines - log.skipped},
            {"rows_rejected", 0},
            {"log",
             {{"files", log.files},
              {"lines", log.lines},
              {"lines_outside_since_until", log.skipped},
              {"models", log.models},
              {"challengers", log.challengers}}},
            {"outcomes", joined.to_json()}};
  return r;
}

/// How many rows' logged PD (the server's answer, or the shadow's) this model reproduces: it
/// says whether the report is about the model that served (or shadowed) the traffic.
std::size_t reproduced(const std::vector<double>& logged, const std::vector<double>& pd) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < logged.size() && i < pd.size(); ++i) {
    if (std::abs(logged[i] - pd[i]) <= 1e-9) ++n;
  }
  return n;
}

nlohmann::json served_json(const Rows& rows, const std::vector<double>& pd) {
  return {{"rows_as_served_champion", reproduced(rows.logged_pd, pd)},
          {"rows_as_shadowed_challenger", reproduced(rows.logged_challenger_pd, pd)}};
}

}  // namespace

ValidateOutcome validate_file(const ValidateRequest& req) {
  const Bundle bundle = Bundle::load(req.model);
  const auto* target = bundle.schema.target();
  if (!target) throw InputError("the bundle's schema has no target column: nothing to validate");
  std::optional<Bundle> other;
  if (req.against) other = Bundle::load(*req.against);
  Rows rows = req.traffic ? traffic_rows(req, bundle, other) : book_rows(req, bundle, target->name);
  const Frame& frame = rows.frame;
  validation::ValidationInput in;
  in.model =
      model_info(bundle, req.model, req.model_label.empty() ? req.model.string() : req.model_label);
  in.y = rows.y;
  in.pd = bundle.predict(frame);
  if (req.traffic) in.model["traffic"] = served_json(rows, in.pd);
  in.data = rows.data;
  if (const auto* e = bundle.schema.exposure(); e && frame.has(e->name)) {
    in.exposure = frame.column(e->name);
  }
  in.grades = req.policy.grades;
  in.initial_auc = initial_auc(bundle);
  in.gates = req.gates;
  std::optional<monitor::ModelReference> reference;
  if (!bundle.reference.is_null()) {
    reference = monitor::ModelReference::from_json(bundle.reference,
                                                   (req.model / "reference.json").string());
    in.reference = &*reference;
    in.inputs = &frame;
  }
  if (other) {
    for (const auto& name : other->schema.feature_names()) {
      if (!frame.has(name)) {
        throw InputError("--against model needs column '" + name + "', which " + req.data.string() +
                         " (read with the validated model's schema) lacks");
      }
    }
    in.against = validation::Against{
        model_info(*other, *req.against,
                   req.against_label.empty() ? req.against->string() : req.against_label),
        other->predict(frame)};
    if (req.traffic) in.against->model["traffic"] = served_json(rows, in.against->pd);
  }
  ValidateOutcome o;
  o.report = validation::validation_report(in);
  if (req.out) validation::write_validation_report(*req.out, o.report.json);
  o.rows_read = rows.rows_read;
  o.rows_rejected = rows.rows_rejected;
  return o;
}

}  // namespace loanrisk
