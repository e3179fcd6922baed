#include "cli/print.hpp"

#include <cmath>
#include <cstdio>
#include <functional>

namespace loanrisk::cli {

void print_metrics(
    std::ostream& os,
    const std::vector<std::pair<std::string, const ClassificationReport*>>& reports) {
  using Get = std::function<double(const ClassificationReport&)>;
  const std::vector<std::pair<std::string, Get>> rows = {
      {"AUC-ROC", [](const auto& r) { return r.auc_roc; }},
      {"PR-AUC", [](const auto& r) { return r.pr_auc; }},
      {"F1", [](const auto& r) { return r.f1; }},
      {"recall", [](const auto& r) { return r.recall; }},
      {"precision", [](const auto& r) { return r.precision; }},
      {"accuracy", [](const auto& r) { return r.accuracy; }},
      {"Brier", [](const auto& r) { return r.brier; }},
      {"log loss", [](const auto& r) { return r.log_loss; }},
      {"KS", [](const auto& r) { return r.ks; }},
      {"Gini", [](const auto& r) { return r.gini; }},
  };
  char buf[64];
  std::snprintf(buf, sizeof buf, "%-12s", "metric");
  os << buf;
  for (const auto& [name, r] : reports) {
    std::snprintf(buf, sizeof buf, "%12s", name.c_str());
    os << buf;
  }
  os << "\n";
  for (const auto& [label, get] : rows) {
    std::snprintf(buf, sizeof buf, "%-12s", label.c_str());
    os << buf;
    for (const auto& [name, r] : reports) {
      const double v = get(*r);
      if (std::isnan(v)) {
        std::snprintf(buf, sizeof buf, "%12s", "n/a");
      } else {
        std::snprintf(buf, sizeof buf, "%12.4f", v);
      }
      os << buf;
    }
    os << "\n";
  }
  for (const auto& [name, r] : reports) {
    const auto& cm = r->confusion;
    os << name << ": n=" << r->n << " defaults=" << r->positives << " threshold=" << r->threshold
       << " confusion tp=" << cm.tp << " fp=" << cm.fp << " tn=" << cm.tn << " fn=" << cm.fn
       << "\n";
  }
}

void report_duplicates(std::ostream& os, const DuplicateIds& duplicates, const std::string& policy,
                       std::size_t rows_dropped) {
  if (duplicates.ids == 0) return;
  os << "warning: " << duplicates.summary() << "\n";
  if (policy == "keep-last") {
    os << "  keep-last: " << rows_dropped << " earlier rows of those customers dropped\n";
  } else {
    os << "  group: every row kept; each customer's rows are in one split "
          "(--on-duplicate-id reject|keep-last|group)\n";
  }
}

}  // namespace loanrisk::cli
