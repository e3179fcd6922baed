#include "loanrisk/validation/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/metrics/curves.hpp"
#include "loanrisk/metrics/pd_tests.hpp"
#include "loanrisk/monitor/compare.hpp"

namespace loanrisk::validation {
namespace {

// A number with a fixed count of decimals, for sentences people read.
std::string fixed(double v, int digits) {
  if (std::isnan(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}
std::string pct(double v) {
  return fixed(100 * v, 2) + "%";
}

// Light of a p-value (small is bad) and of a value where large is bad.
Light p_light(double p, double amber, double red) {
  if (std::isnan(p)) return Light::NotApplicable;
  return p < red ? Light::Red : p < amber ? Light::Amber : Light::Green;
}
Light high_light(double v, double amber, double red) {
  if (std::isnan(v)) return Light::NotApplicable;
  return v > red ? Light::Red : v > amber ? Light::Amber : Light::Green;
}

// One row of the report's table of tests.
struct Test {
  Test(std::string id_, std::string name_) : id(std::move(id_)), name(std::move(name_)) {}
  std::string id, name;
  Light light = Light::NotApplicable;
  double value = std::nan("");
  std::string rule;    // the gate, e.g. "red when p < 0.01, amber when p < 0.05"
  std::string detail;  // what was found, in a sentence
};

nlohmann::json to_json(const Test& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"status", light_name(t.light)},
          {"value", number_or_null(t.value)},
          {"rule", t.rule},
          {"detail", t.detail}};
}

void check(const ValidationInput& in) {
  const std::size_t n = in.y.size();
  if (n == 0) throw InputError("validation: no row to validate on");
  if (in.pd.size() != n) throw InputError("validation: outcomes and PDs differ in number");
  if (!in.exposure.empty() && in.exposure.size() != n) {
    throw InputError("validation: outcomes and exposures differ in number");
  }
  if (in.against && in.against->pd.size() != n) {
    throw InputError("validation: the two models scored different numbers of rows");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (in.y[i] != 0 && in.y[i] != 1) {
      throw InputError("validation: outcome of row " + std::to_string(i + 1) + " is " +
                       format_double(in.y[i]) + ", not 0 or 1");
    }
    if (!(in.pd[i] >= 0 && in.pd[i] <= 1)) {
      throw InputError("validation: PD of row " + std::to_string(i + 1) + " is " +
                       format_double(in.pd[i]) + ", not in [0, 1]");
    }
  }
  if (in.grades.empty()) throw InputError("validation: the master scale has no grade");
}

std::size_t grade_index(const std::vector<Grade>& grades, double pd) {
  return static_cast<std::size_t>(&grade_of(grades, pd) - grades.data());
}

std::string p_rule(double amber, double red) {
  return "red when p < " + format_double(red) + ", amber when p < " + format_double(amber);
}

// Calibration per grade: the table and the gate (the worst grade with enough customers).
Test calibration_by_grade(const ValidationInput& in, const std::vector<std::size_t>& grade,
                          nlohmann::json& table, std::vector<HlGroup>& groups) {
  const std::size_t k = in.grades.size();
  std::vector<std::int64_t> n(k, 0), d(k, 0);
  std::vector<double> pd_sum(k, 0), exposure(k, 0);
  for (std::size_t i = 0; i < in.y.size(); ++i) {
    ++n[grade[i]];
    d[grade[i]] += in.y[i] == 1;
    pd_sum[grade[i]] += in.pd[i];
    if (!in.exposure.empty()) exposure[grade[i]] += in.exposure[i];
  }
  Test t{"calibration_by_grade", "Calibration by grade (Jeffreys)"};
  t.rule = p_rule(in.gates.jeffreys_amber, in.gates.jeffreys_red) + " in a grade of at least " +
           std::to_string(in.gates.min_grade_customers) + " customers";
  std::string worst_grade;
  double worst_p = std::nan("");
  table = nlohmann::json::array();
  for (std::size_t g = 0; g < k; ++g) {
    nlohmann::json row = {{"grade", in.grades[g].name},
                          {"max_pd", in.grades[g].max_pd},
                          {"customers", n[g]},
                          {"defaults", d[g]}};
    if (!in.exposure.empty()) row["exposure"] = exposure[g];
    if (n[g] == 0) {
      row["status"] = light_name(Light::NotApplicable);
      table.push_back(row);
      continue;
    }
    const double avg = pd_sum[g] / static_cast<double>(n[g]);
    const double jeffreys = jeffreys_p_value(n[g], d[g], std::clamp(avg, 0.0, 1.0));
    const double binomial = binomial_p_value(n[g], d[g], std::clamp(avg, 0.0, 1.0));
    groups.push_back({n[g], d[g], avg});
    const bool gated = n[g] >= in.gates.min_grade_customers;
    const Light light = gated ? p_light(jeffreys, in.gates.jeffreys_amber, in.gates.jeffreys_red)
                              : Light::NotApplicable;
    row["average_pd"] = avg;
    row["default_rate"] = static_cast<double>(d[g]) / static_cast<double>(n[g]);
    row["jeffreys_p"] = jeffreys;
    row["binomial_p"] = binomial;
    row["status"] = light_name(light);
    table.push_back(row);
    if (gated && (std::isnan(worst_p) || jeffreys < worst_p)) {
      worst_p = jeffreys;
      worst_grade = in.grades[g].name;
    }
    t.light = worse(t.light, light);
  }
  t.value = worst_p;
  if (std::isnan(worst_p)) {
    t.detail = "no grade has " + std::to_string(in.gates.min_grade_customers) +
               " customers: too few to test";
  } else {
    t.detail = "lowest p-value " + fixed(worst_p, 4) + " in grade " + worst_grade;
    if (t.light == Light::Red) {
      t.detail += ": the grade's PD underestimates its observed default rate";
    }
  }
  return t;
}

Test portfolio_calibration(const ValidationInput& in, nlohmann::json& out) {
  const auto n = static_cast<std::int64_t>(in.y.size());
  std::int64_t d = 0;
  double sum = 0;
  for (std::size_t i = 0; i < in.y.size(); ++i) {
    d += in.y[i] == 1;
    sum += in.pd[i];
  }
  const double avg = sum / static_cast<double>(n);
  const double jeffreys = jeffreys_p_value(n, d, avg);
  const double binomial = binomial_p_value(n, d, avg);
  out = {
      {"customers", n},         {"defaults", d},
      {"average_pd", avg},      {"default_rate", static_cast<double>(d) / static_cast<double>(n)},
      {"jeffreys_p", jeffreys}, {"binomial_p", binomial}};
  Test t{"calibration_portfolio", "Calibration of the portfolio (Jeffreys)"};
  t.rule = p_rule(in.gates.jeffreys_amber, in.gates.jeffreys_red);
  t.light = p_light(jeffreys, in.gates.jeffreys_amber, in.gates.jeffreys_red);
  t.value = jeffreys;
  t.detail = "average PD " + pct(avg) + " against an observed default rate of " +
             pct(static_cast<double>(d) / static_cast<double>(n)) + " (" + std::to_string(d) +
             " defaults in " + std::to_string(n) + "); exact binomial p " + fixed(binomial, 4);
  return t;
}

Test hosmer_lemeshow_test(const ValidationInput& in, const std::vector<HlGroup>& groups,
                          nlohmann::json& out) {
  const HosmerLemeshow hl = hosmer_lemeshow(groups);
  Test t{"hosmer_lemeshow", "Hosmer-Lemeshow over the grades"};
  t.rule = p_rule(in.gates.hosmer_lemeshow_amber, in.gates.hosmer_lemeshow_red);
  out = {{"statistic", hl.statistic}, {"dof", hl.dof}, {"p_value", number_or_null(hl.p_value)}};
  if (hl.dof < 1) {
    t.detail = "no grade with a PD strictly between 0 and 1: nothing to test";
    return t;
  }
  t.value = hl.p_value;
  t.light = p_light(hl.p_value, in.gates.hosmer_lemeshow_amber, in.gates.hosmer_lemeshow_red);
  t.detail = "chi-squared " + fixed(hl.statistic, 3) + " on " + std::to_string(hl.dof) +
             " degrees of freedom, p " + fixed(hl.p_value, 4);
  return t;
}

Test ece_test(const ValidationInput& in, nlohmann::json& out) {
  const auto curve = reliability_curve(in.y, in.pd, 10);
  const double ece = expected_calibration_error(curve);
  out = {{"ece", ece}, {"reliability", loanrisk::to_json(curve)}};
  Test t{"ece", "Expected calibration error"};
  t.rule = "red above " + format_double(in.gates.ece_red) + ", amber above " +
           format_double(in.gates.ece_amber);
  t.value = ece;
  t.light = high_light(ece, in.gates.ece_amber, in.gates.ece_red);
  t.detail = "mean gap between PD and observed rate over 10 PD bins, weighted by customers: " +
             fixed(ece, 4);
  return t;
}

// Discrimination: AUC, decline against initial validation, comparison with --against.
std::vector<Test> discrimination(const ValidationInput& in, nlohmann::json& out) {
  Test auc{"auc", "Discriminatory power (AUC)"};
  auc.rule = "red below " + format_double(in.gates.auc_red) + ", amber below " +
             format_double(in.gates.auc_amber);
  Test decline{"auc_decline", "AUC against initial validation"};
  decline.rule = p_rule(in.gates.auc_decline_amber, in.gates.auc_decline_red);
  Test compare{"auc_compare", "AUC against the compared model (DeLong)"};
  compare.rule =
      "red when lower with p < " + format_double(in.gates.auc_compare_red) + ", amber when lower";
  out = nlohmann::json::object();
  const auto positives = std::count(in.y.begin(), in.y.end(), 1.0);
  if (positives == 0 || positives == static_cast<std::ptrdiff_t>(in.y.size())) {
    const std::string why = std::string("the book has ") +
                            (positives ? "no non-default" : "no default") +
                            ": the AUC is undefined";
    auc.detail = decline.detail = compare.detail = why;
    return {auc, decline, compare};
  }
  const AucWithVariance a = delong_auc(in.y, in.pd);
  out = {{"auc", a.auc},
         {"variance", a.variance},
         {"ci_low", a.ci_low},
         {"ci_high", a.ci_high},
         {"positives", a.positives},
         {"negatives", a.negatives},
         {"gini", 2 * a.auc - 1},
         {"initial_auc", number_or_null(in.initial_auc)}};
  auc.value = a.auc;
  auc.light = a.auc < in.gates.auc_red     ? Light::Red
              : a.auc < in.gates.auc_amber ? Light::Amber
                                           : Light::Green;
  auc.detail = "AUC " + fixed(a.auc, 4) + " (95% CI " + fixed(a.ci_low, 4) + " to " +
               fixed(a.ci_high, 4) + ", DeLong), Gini " + fixed(2 * a.auc - 1, 4);
  if (std::isnan(in.initial_auc)) {
    decline.detail = "the bundle records no test AUC to compare with";
  } else if (!(a.variance > 0)) {
    decline.detail = "the AUC's variance is 0 on this book: no test";
  } else {
    const AucDecline dl = auc_decline(in.initial_auc, a);
    out["decline"] = {{"statistic", dl.statistic}, {"p_value", dl.p_value}};
    decline.value = dl.p_value;
    decline.light = p_light(dl.p_value, in.gates.auc_decline_amber, in.gates.auc_decline_red);
    decline.detail = "AUC " + fixed(a.auc, 4) + " today against " + fixed(in.initial_auc, 4) +
                     " at initial validation, p " + fixed(dl.p_value, 4);
  }
  if (!in.against) {
    compare.detail = "no model to compare with (--against)";
  } else {
    const AucComparison c = delong_compare(in.y, in.pd, in.against->pd);
    out["against"] = {{"auc", c.auc_b},           {"auc_difference", c.auc_a - c.auc_b},
                      {"variance", c.variance_b}, {"covariance", c.covariance},
                      {"z", number_or_null(c.z)}, {"p_value", number_or_null(c.p_value)}};
    compare.value = c.p_value;
    const bool lower = c.auc_a < c.auc_b;
    compare.light = !lower                                 ? Light::Green
                    : c.p_value < in.gates.auc_compare_red ? Light::Red
                                                           : Light::Amber;
    compare.detail = "AUC " + fixed(c.auc_a, 4) + " against " + fixed(c.auc_b, 4) +
                     " for the compared model (difference " + fixed(c.auc_a - c.auc_b, 4) + ", p " +
                     fixed(c.p_value, 4) + (lower ? ")" : "): not lower");
  }
  return {auc, decline, compare};
}

Test concentration(const ValidationInput& in, const std::vector<std::size_t>& grade,
                   nlohmann::json& out) {
  std::vector<double> customers(in.grades.size(), 0), exposure(in.grades.size(), 0);
  for (std::size_t i = 0; i < grade.size(); ++i) {
    customers[grade[i]] += 1;
    if (!in.exposure.empty()) exposure[grade[i]] += in.exposure[i];
  }
  const Herfindahl hc = herfindahl(customers);
  out = {{"customers", {{"index", hc.index}, {"normalised", hc.normalised}}}};
  if (!in.exposure.empty()) {
    const Herfindahl he = herfindahl(exposure);
    out["exposure"] = {{"index", he.index}, {"normalised", he.normalised}};
  }
  Test t{"concentration", "Concentration of customers across grades (Herfindahl)"};
  t.rule = "normalised index red above " + format_double(in.gates.herfindahl_red) +
           ", amber above " + format_double(in.gates.herfindahl_amber);
  t.value = hc.normalised;
  t.light = high_light(hc.normalised, in.gates.herfindahl_amber, in.gates.herfindahl_red);
  t.detail = "Herfindahl index " + fixed(hc.index, 4) + " over " +
             std::to_string(in.grades.size()) + " grades (normalised " + fixed(hc.normalised, 4) +
             ")";
  return t;
}

Test psi_test(const std::string& id, const std::string& name, const monitor::FeatureDrift& d,
              const Gates& gates) {
  Test t{id, name};
  t.rule = "PSI red above " + format_double(gates.psi_red) + ", amber above " +
           format_double(gates.psi_amber);
  t.value = d.psi;
  t.light = high_light(d.psi, gates.psi_amber, gates.psi_red);
  t.detail = std::isnan(d.psi)
                 ? "fewer than " + std::to_string(monitor::kMinRows) + " rows: too few for a PSI"
                 : "PSI " + fixed(d.psi, 4) + " against the training reference";
  return t;
}

// PSI of the score and the worst input; the per-feature table goes into out.
std::vector<Test> stability(const ValidationInput& in, nlohmann::json& out) {
  const monitor::ModelReference& ref = *in.reference;
  const monitor::FeatureDrift score = monitor::compare_feature(ref.score, in.pd);
  out = {{"score", score.to_json(ref.score)}, {"features", nlohmann::json::array()}};
  Test worst{"psi_inputs", "Stability of the inputs (worst PSI)"};
  worst.rule = "PSI red above " + format_double(in.gates.psi_red) + ", amber above " +
               format_double(in.gates.psi_amber);
  std::string worst_name;
  for (const auto& f : ref.features) {
    if (!in.inputs->has(f.name())) continue;
    const monitor::FeatureDrift d = monitor::compare_feature(f, in.inputs->column(f.name()));
    out["features"].push_back(d.to_json(f));
    if (!std::isnan(d.psi) && (std::isnan(worst.value) || d.psi > worst.value)) {
      worst.value = d.psi;
      worst_name = f.name();
    }
  }
  worst.light = high_light(worst.value, in.gates.psi_amber, in.gates.psi_red);
  worst.detail = worst_name.empty() ? "no input with enough rows for a PSI"
                                    : "largest PSI " + fixed(worst.value, 4) + " (" + worst_name +
                                          ") against the training reference";
  return {psi_test("psi_score", "Stability of the score (PSI)", score, in.gates), worst};
}

// Grade migration from the compared model (rows) to the validated model (columns).
nlohmann::json migration(const ValidationInput& in, const std::vector<std::size_t>& grade) {
  const std::size_t k = in.grades.size();
  std::vector<std::vector<std::int64_t>> m(k, std::vector<std::int64_t>(k, 0));
  std::int64_t up = 0, down = 0, far = 0;
  for (std::size_t i = 0; i < grade.size(); ++i) {
    const std::size_t from = grade_index(in.grades, in.against->pd[i]);
    ++m[from][grade[i]];
    up += grade[i] < from;
    down += grade[i] > from;
    far += (grade[i] > from ? grade[i] - from : from - grade[i]) > 1;
  }
  nlohmann::json names = nlohmann::json::array();
  for (const auto& g : in.grades) names.push_back(g.name);
  const double n = static_cast<double>(grade.size());
  return {{"grades", names},
          {"matrix", m},
          {"upgrade_share", static_cast<double>(up) / n},
          {"downgrade_share", static_cast<double>(down) / n},
          {"unchanged_share",
           static_cast<double>(static_cast<std::int64_t>(grade.size()) - up - down) / n},
          {"beyond_one_grade_share", static_cast<double>(far) / n}};
}

}  // namespace

ValidationReport validation_report(const ValidationInput& in) {
  check(in);
  in.gates.validate();
  std::vector<std::size_t> grade(in.y.size());
  for (std::size_t i = 0; i < in.y.size(); ++i) grade[i] = grade_index(in.grades, in.pd[i]);

  nlohmann::json j = {{"model", in.model}, {"data", in.data}, {"gates", in.gates.to_json()}};
  std::vector<Test> tests;
  nlohmann::json portfolio, grades, hl, cal, disc, conc;
  std::vector<HlGroup> groups;
  tests.push_back(portfolio_calibration(in, portfolio));
  tests.push_back(calibration_by_grade(in, grade, grades, groups));
  tests.push_back(hosmer_lemeshow_test(in, groups, hl));
  tests.push_back(ece_test(in, cal));
  j["calibration"] = {{"portfolio", portfolio},
                      {"grades", grades},
                      {"hosmer_lemeshow", hl},
                      {"ece", cal["ece"]},
                      {"reliability", cal["reliability"]}};
  for (auto& t : discrimination(in, disc)) tests.push_back(std::move(t));
  j["discrimination"] = disc;
  tests.push_back(concentration(in, grade, conc));
  j["concentration"] = conc;
  if (in.reference && in.inputs) {
    nlohmann::json stab;
    for (auto& t : stability(in, stab)) tests.push_back(std::move(t));
    j["stability"] = stab;
  } else {
    j["stability"] = nullptr;
  }
  j["against"] = in.against ? in.against->model : nlohmann::json();
  j["migration"] = in.against ? migration(in, grade) : nlohmann::json();

  ValidationReport r;
  j["tests"] = nlohmann::json::array();
  for (const auto& t : tests) {
    j["tests"].push_back(to_json(t));
    r.status = worse(r.status, t.light);
    if (t.light == Light::Red) r.red.push_back(t.name + ": " + t.detail);
  }
  j["status"] = light_name(r.status);
  j["red"] = r.red;
  j["created_at"] = utc_now_iso8601();
  r.json = std::move(j);
  return r;
}

void write_validation_report(const std::filesystem::path& dir, const nlohmann::json& report) {
  std::filesystem::create_directories(dir);
  write_json_file(dir / "report.json", report);
  write_file_atomic(dir / "report.html", validation_html(report));
}

}  // namespace loanrisk::validation
