// The model card a reviewer reads (Mitchell et al. 2019; SR 11-7 practice): written from the
// bundle's own metrics and lineage, so it can never disagree with them.
#include <cmath>
#include <sstream>

#include "loanrisk/bundle/bundle.hpp"

namespace loanrisk {
namespace {

std::string num(const nlohmann::json& j, const char* key, int digits = 4) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_number()) return "n/a";
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(digits);
  os << j.at(key).get<double>();
  return os.str();
}

std::string text(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "n/a";
  const auto& v = j.at(key);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

std::string model_card(const Bundle& b) {
  std::ostringstream md;
  md << "# Model card: probability of default, personal loans\n\n";
  md << "## Model\n";
  md << "- Family: `" << b.family << "`\n";
  md << "- Created: " << b.created_at << "\n";
  md << "- Decision threshold on the calibrated PD: " << b.threshold << " (chosen by "
     << b.threshold_rule << " on the validation split)\n";
  md << "- Calibration: " << b.calibrator.method_name()
     << " (fitted on the validation split; every prediction path applies it)\n";
  md << "- Class imbalance treatment of the training split: " << b.imbalance << "\n";
  md << "- Inputs (" << b.pipeline.feature_names().size() << "): ";
  for (std::size_t i = 0; i < b.pipeline.feature_names().size(); ++i) {
    md << (i ? ", " : "") << "`" << b.pipeline.feature_names()[i] << "`";
  }
  md << "\n- Hyperparameters: ";
  bool first = true;
  for (const auto& [k, v] : b.params) {
    md << (first ? "" : ", ") << k << "=" << v;
    first = false;
  }
  md << "\n\n## Intended use\n";
  md << "Estimate the probability that a personal-loan customer defaults, to support (not replace) "
        "a loan "
        "officer's decision and expected-loss provisioning. Not for use on populations unlike the "
        "training data (see Data) or for products other than personal loans.\n\n";
  md << "## Data\n";
  const auto& lin = b.lineage;
  md << "- File: `" << text(lin, "data_path") << "` (sha256 `" << text(lin, "data_sha256")
     << "`)\n";
  if (lin.contains("rows")) {
    const auto& r = lin.at("rows");
    md << "- Rows: " << text(r, "read") << " read, " << text(r, "rejected") << " rejected; split "
       << text(r, "train") << " train / " << text(r, "validation") << " validation / "
       << text(r, "test") << " test; " << text(r, "dropped_as_outliers")
       << " training rows dropped by the outlier policy\n";
  }
  md << "- Split seed: " << text(lin, "seed") << " (stratified on the target)\n\n";
  md << "## Metrics\n";
  md << "| split | AUC-ROC | PR-AUC | F1 | recall | precision | accuracy | Brier | log loss | KS | "
        "Gini |\n";
  md << "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const char* split : {"validation", "test"}) {
    if (!b.metrics.contains(split)) continue;
    const auto& m = b.metrics.at(split);
    md << "| " << split << " | " << num(m, "auc_roc") << " | " << num(m, "pr_auc") << " | "
       << num(m, "f1") << " | " << num(m, "recall") << " | " << num(m, "precision") << " | "
       << num(m, "accuracy") << " | " << num(m, "brier") << " | " << num(m, "log_loss") << " | "
       << num(m, "ks") << " | " << num(m, "gini") << " |\n";
  }
  md << "\n## Caveats\n";
  md << "- The PD is the model's raw probability; check calibration before using it for "
        "provisioning.\n";
  md << "- Inputs outside the schema's valid ranges are refused, never scored.\n";
  md << "- Metrics on a near-separable portfolio overstate what a new population will show: "
        "monitor "
        "drift (PSI) and performance once outcomes arrive.\n\n";
  md << "## Lineage\n";
  md << "- loanrisk " << text(lin, "loanrisk_version") << ", git commit `"
     << text(lin, "git_commit") << "`\n";
  md << "- Libraries: " << (lin.contains("libraries") ? lin.at("libraries").dump() : "n/a") << "\n";
  return md.str();
}

}  // namespace loanrisk
