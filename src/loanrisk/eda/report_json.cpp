// report.json: one object per section, in the order of the HTML page; and writing both files.
#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/eda/report.hpp"

namespace loanrisk::eda {
namespace {

// NaN and infinities are not JSON; null says "not defined for this data".
nlohmann::json num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

nlohmann::json nums(const std::vector<double>& values) {
  nlohmann::json a = nlohmann::json::array();
  for (double v : values) a.push_back(num(v));
  return a;
}

nlohmann::json test_json(const TestResult& t) {
  return {{"statistic", num(t.statistic)}, {"p_value", num(t.p_value)}};
}

nlohmann::json summary_json(const ColumnSummary& s) {
  return {{"count", s.count},
          {"missing", s.missing},
          {"mean", num(s.mean)},
          {"std", num(s.std)},
          {"min", num(s.min)},
          {"q1", num(s.q1)},
          {"median", num(s.median)},
          {"q3", num(s.q3)},
          {"max", num(s.max)},
          {"skewness", num(s.skewness)},
          {"kurtosis", num(s.kurtosis)},
          {"constant", s.constant}};
}

nlohmann::json outliers_json(const OutlierSummary& o) {
  return {{"iqr_factor", o.iqr_factor},
          {"z_threshold", o.z_threshold},
          {"q1", num(o.q1)},
          {"q3", num(o.q3)},
          {"iqr", num(o.iqr)},
          {"lower", num(o.lower)},
          {"upper", num(o.upper)},
          {"mean", num(o.mean)},
          {"std_population", num(o.std)},
          {"iqr_count", o.iqr_count},
          {"z_count", o.z_count},
          {"both", o.both},
          {"either", o.either},
          {"default_rate_outliers", num(o.default_rate_outliers)},
          {"default_rate_rest", num(o.default_rate_rest)},
          {"box",
           {{"min", num(o.box.min)},
            {"whisker_low", num(o.box.whisker_low)},
            {"q1", num(o.box.q1)},
            {"median", num(o.box.median)},
            {"q3", num(o.box.q3)},
            {"whisker_high", num(o.box.whisker_high)},
            {"max", num(o.box.max)}}}};
}

nlohmann::json woe_json(const WoeResult& w) {
  nlohmann::json bins = nlohmann::json::array();
  for (const auto& b : w.bins) {
    bins.push_back({{"lower", b.lower},
                    {"upper", b.upper},
                    {"count", b.count},
                    {"goods", b.goods},
                    {"bads", b.bads},
                    {"share_good", b.share_good},
                    {"share_bad", b.share_bad},
                    {"woe", b.woe},
                    {"iv", b.iv}});
  }
  return {{"iv", num(w.iv)}, {"band", std::string(iv_band(w.iv))}, {"bins", bins}};
}

nlohmann::json matrix_json(const CorrelationMatrix& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < m.names.size(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (std::size_t j = 0; j < m.names.size(); ++j) row.push_back(num(m.at(i, j)));
    rows.push_back(row);
  }
  return {{"columns", m.names}, {"values", rows}};
}

nlohmann::json feature_json(const FeatureReport& f) {
  nlohmann::json j = {
      {"name", f.name},
      {"derived", f.derived},
      {"summary", summary_json(f.summary)},
      {"histogram",
       {{"edges", nums(f.histogram.edges)},
        {"all", f.histogram.all},
        {"negative", f.histogram.negative},
        {"positive", f.histogram.positive}}},
      {"normality",
       {{"dagostino_pearson", test_json(f.dagostino)},
        {"shapiro_wilk", test_json(f.shapiro)},
        {"shapiro_rows", f.shapiro_rows},
        {"shapiro_sampled", f.shapiro_sampled}}},
      {"target_relationship",
       {{"pearson", num(f.pearson_target)},
        {"spearman", num(f.spearman_target)},
        {"auc", num(f.score.auc)},
        {"auc_best", num(f.score.auc_best)},
        {"direction",
         f.score.higher_is_riskier ? "higher values default more" : "lower values default more"}}},
      {"woe", woe_json(f.woe)},
  };
  j["outliers"] = f.outliers ? outliers_json(*f.outliers) : nlohmann::json();
  return j;
}

}  // namespace

nlohmann::json report_json(const EdaReport& r) {
  const Overview& o = r.overview;
  nlohmann::json types = nlohmann::json::object();
  for (const auto& [name, type] : o.column_types) types[name] = type;
  nlohmann::json features = nlohmann::json::array();
  nlohmann::json reference = nlohmann::json::object();
  for (const auto& f : r.features) {
    features.push_back(feature_json(f));
    nlohmann::json ref = f.reference.to_json();
    ref.erase("feature");
    reference[f.name] = ref;
  }
  nlohmann::json factors = nlohmann::json::object();
  for (const auto& f : r.features) {
    if (f.outliers) factors[f.name] = f.outliers->iqr_factor;
  }
  return {
      {"format", "loanrisk-eda/1"},
      {"overview",
       {{"source", o.source},
        {"sha256", o.sha256},
        {"rows_read", o.rows_read},
        {"rows_valid", o.rows_valid},
        {"columns", o.column_types.size()},
        {"column_types", types},
        {"duplicated_ids", o.duplicated_ids},
        {"duplicated_rows", o.duplicated_rows},
        {"missing", o.missing},
        {"constant_columns", o.constant_columns},
        {"rejects", o.rejects},
        {"reject_reasons", o.reject_reasons},
        {"warnings", o.warnings}}},
      {"class_balance",
       {{"target", r.balance.target},
        {"negatives", r.balance.negatives},
        {"positives", r.balance.positives},
        {"default_rate", num(r.balance.default_rate)}}},
      {"features", features},
      {"correlations",
       {{"pearson", matrix_json(r.pearson)}, {"spearman", matrix_json(r.spearman)}}},
      {"reference",
       {{"bins", r.options.reference_bins},
        {"binning",
         "quantile; bin k holds edges[k] < v <= edges[k+1]; the first bin also holds "
         "values <= edges[1], the last values > its lower edge"},
        {"features", reference}}},
      {"settings",
       {{"iqr_factors", factors},
        {"z_threshold", r.options.z_threshold},
        {"histogram_bins", r.options.histogram_bins},
        {"woe_bins", r.options.woe_bins},
        {"seed", r.options.seed},
        {"skewness", "adjusted Fisher-Pearson G1 (pandas skew, scipy bias=False)"},
        {"kurtosis", "bias-corrected excess G2 (pandas kurt, scipy fisher=True bias=False)"},
        {"std", "sample, ddof=1 (pandas); z-scores use ddof=0 (scipy.stats.zscore)"}}},
      {"seconds", r.seconds},
  };
}

void write_report(const std::filesystem::path& dir, const EdaReport& report) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
    throw UsageError("--out " + dir.string() + " exists and is not a folder; give a folder path");
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InternalError("cannot create the folder " + dir.string() + ": " + ec.message());
  write_json_file(dir / "report.json", report_json(report));
  write_file_atomic(dir / "report.html", report_html(report));
}

}  // namespace loanrisk::eda
