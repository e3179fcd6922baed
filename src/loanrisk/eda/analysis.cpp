// Runs every section of the analysis. Per-feature work (three sorts of the column each) is spread
// over two threads, which halves the time on a million rows on the two cores we target.
#include "loanrisk/eda/analysis.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <limits>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/features/pipeline.hpp"

namespace loanrisk::eda {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool positive_finite(double v) {
  return std::isfinite(v) && v > 0.0;
}

// The four derived features, computed by FeaturePipeline itself so the formulas live in one place.
// Every outlier action is None (nothing is capped) and z is effectively infinite, so fitting never
// rejects a column for empty fences: only the FICO range and the formulas matter here.
std::vector<std::vector<double>> derived_columns(const Frame& frame, double income_floor) {
  PipelineOptions po = PipelineOptions::defaults();
  po.features = derived_feature_names();
  for (auto& [column, rule] : po.outliers) rule.action = OutlierAction::None;
  po.z_threshold = std::numeric_limits<double>::max();
  po.income_floor = income_floor;
  const DenseMatrix m = FeaturePipeline::fit(frame, po).transform(frame);
  std::vector<std::vector<double>> columns(m.cols, std::vector<double>(m.rows));
  for (std::size_t r = 0; r < m.rows; ++r) {
    for (std::size_t c = 0; c < m.cols; ++c) columns[c][r] = static_cast<double>(m.at(r, c));
  }
  return columns;
}

// Everything about one feature. `values` may hold NaN (empty optional values); `complete` and
// `target` are the rows complete in every feature, used for the relationships with the target.
FeatureReport analyse_feature(const std::string& name, bool derived,
                              const std::vector<double>& values,
                              const std::vector<double>& all_target,
                              const std::vector<double>& complete,
                              const std::vector<double>& target, bool both_classes,
                              const EdaOptions& options, std::vector<double>& ranks) {
  FeatureReport f;
  f.name = name;
  f.derived = derived;
  const std::vector<double> sorted = sorted_finite(values);
  f.summary = describe(values, sorted);
  f.histogram = histogram(values, all_target, options.histogram_bins);
  f.dagostino = dagostino_pearson(sorted);
  // Shapiro-Wilk's p-value is only calibrated up to 5,000 values: test a seeded sample beyond.
  std::vector<double> finite;
  finite.reserve(sorted.size());
  for (double v : values) {
    if (std::isfinite(v)) finite.push_back(v);
  }
  f.shapiro_sampled = finite.size() > kShapiroMaxRows;
  f.shapiro_sample_sorted = seeded_sample(finite, kShapiroMaxRows, options.seed);
  f.shapiro = shapiro_wilk(f.shapiro_sample_sorted);
  f.shapiro_rows = f.shapiro_sample_sorted.size();
  std::sort(f.shapiro_sample_sorted.begin(), f.shapiro_sample_sorted.end());
  if (!derived) {
    f.outliers =
        find_outliers(values, sorted, all_target, options.iqr_factor(name), options.z_threshold);
  }
  f.reference = reference_distribution(name, values, sorted, options.reference_bins);
  f.pearson_target = pearson(complete, target);
  ranks = average_ranks(complete);
  if (both_classes) {
    f.score = single_column_score(complete, target);
    f.woe = woe_iv(complete, &complete == &values ? sorted : sorted_finite(complete), target,
                   options.woe_bins);
  } else {
    f.score = {kNaN, kNaN, true};
    f.woe.iv = kNaN;
  }
  return f;
}

}  // namespace

EdaOptions EdaOptions::defaults() {
  EdaOptions o;
  o.iqr_factors = {{"loan_amt_outstanding", 2.80},
                   {"total_debt_outstanding", 3.90},
                   {"income", 1.90},
                   {"fico_score", 2.00}};
  return o;
}

double EdaOptions::iqr_factor(const std::string& column) const {
  const auto it = iqr_factors.find(column);
  return it == iqr_factors.end() ? 1.5 : it->second;
}

void EdaOptions::validate() const {
  for (const auto& [column, factor] : iqr_factors) {
    if (!positive_finite(factor)) {
      throw UsageError("the IQR factor of '" + column + "' must be a finite number > 0, got " +
                       format_double(factor));
    }
  }
  if (!positive_finite(z_threshold)) {
    throw UsageError("z_threshold must be a finite number > 0, got " + format_double(z_threshold));
  }
  if (!positive_finite(income_floor)) {
    throw UsageError("income_floor must be a finite number > 0, got " +
                     format_double(income_floor));
  }
  if (histogram_bins == 0 || woe_bins == 0 || reference_bins == 0) {
    throw UsageError("histogram, WOE and reference bin counts must be at least 1");
  }
}

EdaReport analyze(const ReadResult& read, const Schema& schema, const std::string& source,
                  const std::string& sha256, const EdaOptions& options) {
  options.validate();
  const auto t0 = std::chrono::steady_clock::now();
  const Frame& frame = read.frame;
  if (frame.rows() == 0) {
    throw InputError(source + ": no valid row to analyse (" + std::to_string(read.rejects.size()) +
                     " rows rejected by the schema)");
  }
  const ColumnSpec* target_spec = schema.target();
  if (target_spec == nullptr || !frame.has(target_spec->name)) {
    throw InputError(source + ": the EDA needs the target column" +
                     (target_spec ? " '" + target_spec->name + "'" : std::string()));
  }
  EdaReport report;
  report.options = options;
  // The overview (hashing every row) runs beside the derived features and the first statistics.
  auto overview = std::async(std::launch::async,
                             [&] { return overview_of(read, schema, options.max_reasons); });

  const std::vector<double>& y = frame.column(target_spec->name);
  ClassBalance& b = report.balance;
  b.target = target_spec->name;
  for (double v : y) {
    if (v == 1.0) ++b.positives;
    if (v == 0.0) ++b.negatives;
  }
  b.default_rate =
      static_cast<double>(b.positives) / static_cast<double>(b.positives + b.negatives);

  // Raw features in the pipeline's order (those the schema and file have), then the derived ones.
  std::vector<std::string> raw;
  for (const auto& name : raw_feature_names()) {
    if (frame.has(name)) raw.push_back(name);
  }
  std::vector<std::size_t> complete_rows;
  for (std::size_t r = 0; r < frame.rows(); ++r) {
    bool ok = std::isfinite(y[r]);
    for (const auto& name : raw) ok = ok && std::isfinite(frame.column(name)[r]);
    if (ok) complete_rows.push_back(r);
  }
  const bool all_complete = complete_rows.size() == frame.rows();
  const Frame complete = all_complete ? Frame{} : frame.take(complete_rows);
  const Frame& cf = all_complete ? frame : complete;
  std::vector<std::vector<double>> derived;
  if (raw.size() == raw_feature_names().size() && cf.rows() > 0) {
    derived = derived_columns(cf, options.income_floor);
  }
  const std::vector<double>& cy = cf.column(target_spec->name);
  const bool both_classes = b.positives > 0 && b.negatives > 0;

  std::vector<std::string> names = raw;
  std::vector<const std::vector<double>*> full, relate;
  for (const auto& name : raw) {
    full.push_back(&frame.column(name));
    relate.push_back(&cf.column(name));
  }
  for (std::size_t k = 0; k < derived.size(); ++k) {
    names.push_back(derived_feature_names()[k]);
    full.push_back(&derived[k]);
    relate.push_back(&derived[k]);
  }
  // Derived features exist on complete rows only; their "all rows" view is that same set.
  const std::vector<double>& derived_target = cy;
  report.features.resize(names.size());
  // Ranks for the Spearman matrix are computed with each feature, on the same two threads.
  std::vector<std::vector<double>> ranks(names.size() + 1);
  auto work = [&](std::size_t first, std::size_t step) {
    for (std::size_t k = first; k < names.size(); k += step) {
      const bool is_derived = k >= raw.size();
      report.features[k] =
          analyse_feature(names[k], is_derived, *full[k], is_derived ? derived_target : y,
                          *relate[k], cy, both_classes, options, ranks[k]);
    }
  };
  auto other = std::async(std::launch::async, work, 1, 2);
  work(0, 2);
  other.get();
  ranks.back() = average_ranks(cy);

  std::vector<std::string> matrix_names = names;
  matrix_names.push_back(target_spec->name);
  relate.push_back(&cy);
  std::vector<const std::vector<double>*> rank_columns;
  for (const auto& r : ranks) rank_columns.push_back(&r);
  auto spearman =
      std::async(std::launch::async, [&] { return pearson_matrix(matrix_names, rank_columns); });
  report.pearson = pearson_matrix(matrix_names, relate);
  report.spearman = spearman.get();
  const std::size_t t = names.size();
  for (std::size_t k = 0; k < names.size(); ++k) {
    report.features[k].spearman_target = report.spearman.at(k, t);
  }
  report.overview = overview.get();
  report.overview.source = source;
  report.overview.sha256 = sha256;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

EdaReport analyze_file(const std::filesystem::path& path, const Schema& schema,
                       const EdaOptions& options) {
  options.validate();
  const auto t0 = std::chrono::steady_clock::now();
  ReadOptions read_options;
  read_options.require_target = true;
  read_options.collect_rejects = true;
  // One read serves both the hash and the parse.
  const std::string bytes = read_file(path);
  const ReadResult read = parse_csv(bytes, path.string(), schema, read_options);
  EdaReport report = analyze(read, schema, path.string(), sha256_hex(bytes), options);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace loanrisk::eda
