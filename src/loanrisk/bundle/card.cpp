// The model card a reviewer reads (Mitchell et al. 2019; SR 11-7 practice): written from the
// bundle's own metrics and lineage, so it can never disagree with them.
#include <cmath>
#include <sstream>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/core/text.hpp"

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

/// A list of strings in words ("calibrator fit and threshold choice"); other values as text().
std::string words(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_array()) return text(j, key);
  std::vector<std::string> items;
  for (const auto& v : j.at(key)) items.push_back(v.is_string() ? v.get<std::string>() : v.dump());
  if (items.empty()) return "nothing else";
  const std::string last = items.back();
  items.pop_back();
  return items.empty() ? last : join(items) + " and " + last;
}

}  // namespace

std::string model_card(const Bundle& b) {
  std::ostringstream md;
  md << "# Model card: probability of default, personal loans\n\n";
  md << "## Model\n";
  md << "- Family: `" << b.family << "`\n";
  md << "- Created: " << b.created_at << "\n";
  // Bundles from before the calibration slice fitted both on the whole validation split.
  const bool slice = b.metrics.contains("calibration");
  const char* fitted_on =
      slice ? "the calibration slice of the validation split" : "the validation split";
  md << "- Decision threshold on the calibrated PD: " << b.threshold << " (chosen by "
     << b.threshold_rule << " on " << fitted_on << ")\n";
  md << "- Calibration: " << b.calibrator.method_name() << " (fitted on " << fitted_on
     << "; every prediction path applies it)\n";
  if (!std::isnan(b.calibrator.target_rate())) {
    md << "- PDs anchored to a portfolio default rate of " << 100 * b.calibrator.target_rate()
       << "% ([calibration] target_rate): every calibrated log-odds is shifted by "
       << b.calibrator.shift() << " so that the mean PD of the training rows equals it\n";
  }
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
    if (r.contains("duplicate_ids")) {
      const auto& d = r.at("duplicate_ids");
      md << "- Customer ids on several rows: " << text(d, "ids") << " (" << text(d, "extra_rows")
         << " extra rows; policy " << text(d, "policy") << ", " << text(d, "dropped")
         << " rows dropped)\n";
    }
  }
  md << "- Split seed: " << text(lin, "seed")
     << " (stratified on the target, by customer: no customer is in two splits)\n\n";
  md << "## Metrics\n";
  md << "| split | AUC-ROC | PR-AUC | F1 | recall | precision | accuracy | Brier | log loss | KS | "
        "Gini |\n";
  md << "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const char* split : {"validation", "calibration", "test"}) {
    if (!b.metrics.contains(split)) continue;
    const auto& m = b.metrics.at(split);
    md << "| " << split << " | " << num(m, "auc_roc") << " | " << num(m, "pr_auc") << " | "
       << num(m, "f1") << " | " << num(m, "recall") << " | " << num(m, "precision") << " | "
       << num(m, "accuracy") << " | " << num(m, "brier") << " | " << num(m, "log_loss") << " | "
       << num(m, "ks") << " | " << num(m, "gini") << " |\n";
  }
  if (b.metrics.contains("rows")) {
    md << "\nRows of each line: ";
    bool leading = true;
    for (const auto& [split, rows] : b.metrics.at("rows").items()) {
      md << (leading ? "" : "; ") << split << " " << text(rows, "rows") << " (used for "
         << (!rows.is_object() || !rows.contains("used_for") ? std::string("nothing else")
                                                             : words(rows, "used_for"))
         << ")";
      leading = false;
    }
    md << ".\n";
  }
  if (b.model) {
    const nlohmann::json info = b.model->describe();
    if (info.contains("scorecard")) {
      const auto& s = info.at("scaling");
      md << "\n## Scorecard\n";
      md << "Points: " << s.at("base_score").get<double>() << " at odds of "
         << s.at("base_odds").get<double>() << ":1 (good:bad), " << s.at("pdo").get<double>()
         << " points to double the odds; an applicant's score is the sum of their points, and a "
            "higher score is a lower risk. Bins, WoE and IV are from the training rows.\n";
      if (info.contains("directions")) {
        // Which way each characteristic's default rate runs: configured ([model.monotone]) or,
        // where free, the data's.
        std::vector<std::string> up, down;
        for (const auto& [name, direction] : info.at("directions").items()) {
          (direction == "ascending" ? up : down).push_back(name);
        }
        md << "\nThe default rate rises from bin to bin with: " << (up.empty() ? "none" : join(up))
           << "; it falls with: " << (down.empty() ? "none" : join(down)) << ".\n";
      }
      md << "\n";
      md << "| characteristic | bin | count | default rate | WoE | IV | points |\n";
      md << "|---|---|---|---|---|---|---|\n";
      for (const auto& row : info.at("scorecard")) {
        md << "| " << row.at("characteristic").get<std::string>() << " | "
           << row.at("bin").get<std::string>() << " | " << row.at("count") << " | "
           << num(row, "default_rate") << " | " << num(row, "woe") << " | " << num(row, "iv")
           << " | " << row.at("points") << " |\n";
      }
    }
  }
  md << "\n## Caveats\n";
  // One statement about calibration, true for this bundle (it said "raw probability" of
  // calibrated PDs).
  if (b.calibrator.method_name() == "none") {
    md << "- The PD is the model's raw probability (no calibration): check the calibration "
          "section of the evaluation report before using it for provisioning.\n";
  } else {
    md << "- The PD is calibrated (" << b.calibrator.method_name() << ", on " << fitted_on
       << "); calibration holds for populations like the training data: recheck it on recent "
          "outcomes (`loanrisk validate`) before using PDs for provisioning.\n";
  }
  md << "- Inputs outside the schema's valid ranges are refused, never scored.\n";
  md << "- Metrics on a near-separable portfolio overstate what a new population will show: "
        "monitor "
        "drift (PSI) and performance once outcomes arrive.\n\n";
  md << "## Lineage\n";
  md << "- loanrisk " << text(lin, "loanrisk_version") << ", git commit `"
     << text(lin, "git_commit") << "`\n";
  // Readable words, not the lineage's JSON, and XGBoost only when the model's trees come from it.
  std::vector<std::string> libraries;
  if (lin.contains("libraries") && lin.at("libraries").is_object()) {
    const nlohmann::json& libs = lin.at("libraries");
    const bool trees = b.model && b.model->describe().contains("n_trees");
    for (const auto& [name, version] : libs.items()) {
      if (!version.is_string() || (name == "xgboost" && !trees)) continue;
      const std::string v = version.get<std::string>();
      if (name == "compiler")
        libraries.push_back("compiled by " + v);
      else if (name == "xgboost")
        libraries.push_back("XGBoost " + v + " (the model's trees)");
      else
        libraries.push_back(name + " " + v);
    }
  }
  md << "- Libraries: " << (libraries.empty() ? "not recorded" : join(libraries)) << "\n";
  return md.str();
}

}  // namespace loanrisk
