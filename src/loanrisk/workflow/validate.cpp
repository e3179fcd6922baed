// The `validate` workflow: one labelled book scored by the model under validation (and by the
// model it is compared with, on the very same rows), handed to the validation report.
#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/data/csv_reader.hpp"
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

}  // namespace

ValidateOutcome validate_file(const ValidateRequest& req) {
  const Bundle bundle = Bundle::load(req.model);
  const auto* target = bundle.schema.target();
  if (!target) throw InputError("the bundle's schema has no target column: nothing to validate");
  const ReadResult read = read_with_rejects(req.data, bundle.schema, true, req.rejects);
  if (read.frame.rows() == 0) {
    throw InputError(req.data.string() + ": no valid row to validate on (all rows were rejected)");
  }
  validation::ValidationInput in;
  in.model =
      model_info(bundle, req.model, req.model_label.empty() ? req.model.string() : req.model_label);
  in.data = {{"source", req.data.string()},
             {"rows", read.frame.rows()},
             {"rows_read", read.rows_read},
             {"rows_rejected", read.rejects.size()}};
  in.y = read.frame.column(target->name);
  in.pd = bundle.predict(read.frame);
  if (const auto* e = bundle.schema.exposure(); e && read.frame.has(e->name)) {
    in.exposure = read.frame.column(e->name);
  }
  in.grades = req.policy.grades;
  in.initial_auc = initial_auc(bundle);
  in.gates = req.gates;
  std::optional<monitor::ModelReference> reference;
  if (!bundle.reference.is_null()) {
    reference = monitor::ModelReference::from_json(bundle.reference,
                                                   (req.model / "reference.json").string());
    in.reference = &*reference;
    in.inputs = &read.frame;
  }
  if (req.against) {
    const Bundle other = Bundle::load(*req.against);
    for (const auto& name : other.schema.feature_names()) {
      if (!read.frame.has(name)) {
        throw InputError("--against model needs column '" + name + "', which " + req.data.string() +
                         " (read with the validated model's schema) lacks");
      }
    }
    in.against = validation::Against{
        model_info(other, *req.against,
                   req.against_label.empty() ? req.against->string() : req.against_label),
        other.predict(read.frame)};
  }
  ValidateOutcome o;
  o.report = validation::validation_report(in);
  if (req.out) validation::write_validation_report(*req.out, o.report.json);
  o.rows_read = read.rows_read;
  o.rows_rejected = read.rejects.size();
  return o;
}

}  // namespace loanrisk
