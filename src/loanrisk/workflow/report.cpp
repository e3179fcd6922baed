#include "loanrisk/workflow/report.hpp"
#include "loanrisk/core/text.hpp"

#include "loanrisk/evaluation/report.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {

nlohmann::json bundle_report(const Bundle& bundle, const std::vector<double>& y,
                             const std::vector<double>& raw_pd, const std::string& title,
                             std::size_t resamples) {
  EvaluationInput in;
  in.title = title;
  in.y = y;
  in.raw_pd = raw_pd;
  in.pd = bundle.calibrator.apply(raw_pd);
  in.threshold = bundle.threshold;
  in.threshold_rule = bundle.threshold_rule;
  in.calibration = bundle.calibrator.method_name();
  in.model_info = bundle.model->describe();
  in.context = {{"family", bundle.family},
                {"imbalance", bundle.imbalance},
                {"created_at", bundle.created_at}};
  in.bootstrap.resamples = resamples;
  in.bootstrap.seed = 42;
  return evaluation_report(in);
}

std::map<std::string, std::string> report_files(const nlohmann::json& report) {
  return {{"report.json", dump_json(report, 2) + "\n"}, {"report.html", evaluation_html(report)}};
}

nlohmann::json comparison_json(const std::vector<FamilyComparison>& rows) {
  nlohmann::json families = nlohmann::json::array();
  for (const FamilyComparison& row : rows) {
    nlohmann::json entry = row.test.to_json();
    entry["family"] = row.family;
    entry["bundle"] = row.bundle.string();
    entry["seconds"] = row.seconds;
    families.push_back(std::move(entry));
  }
  return {{"split", "test"}, {"families", families}};
}

}  // namespace loanrisk
