// Fitting (fences, FICO range) and applying the feature pipeline. transform() works on blocks of
// rows, column by column inside a block, in double, and casts to float once when writing the
// matrix.
#include "loanrisk/features/pipeline.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string_view>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/quantile.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

constexpr double kFicoCentre = 700.0;  // fico_score_diff is the distance to a "fair" score

// Fences of one column. std is the population standard deviation (ddof = 0, as numpy's default),
// computed in two passes for accuracy.
ColumnFit fit_column(const std::string& name, const std::vector<double>& values, OutlierRule rule,
                     double z) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InputError("training column '" + name + "' has the non-finite value " +
                       format_double(values[i]) + " at row " + std::to_string(i));
    }
  }
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  ColumnFit f;
  f.rule = rule;
  f.q1 = quantile_sorted(sorted, 0.25);
  f.q3 = quantile_sorted(sorted, 0.75);
  double sum = 0.0;
  for (double v : values) sum += v;
  const double n = static_cast<double>(values.size());
  f.mean = sum / n;
  double squares = 0.0;
  for (double v : values) squares += (v - f.mean) * (v - f.mean);
  f.std = std::sqrt(squares / n);
  const double iqr = f.q3 - f.q1;
  f.lower = std::max(f.q1 - rule.iqr_factor * iqr, f.mean - z * f.std);
  f.upper = std::min(f.q3 + rule.iqr_factor * iqr, f.mean + z * f.std);
  if (f.lower > f.upper) {
    throw UsageError("the fences of column '" + name + "' are empty (lower " +
                     format_double(f.lower) + " > upper " + format_double(f.upper) +
                     "); raise z_threshold or its iqr_factor");
  }
  return f;
}

// Rows are processed in blocks so that a block of the output matrix (and the capped inputs) stays
// in cache while every feature column of it is written.
constexpr std::size_t kBlockRows = 512;

// Writes rows [0, len) of one output column of a block; `value(r)` is computed in double.
template <typename F>
void fill_column(float* block, std::size_t cols, std::size_t col, std::size_t len, F value) {
  float* out = block + col;
  for (std::size_t r = 0; r < len; ++r, out += cols) *out = static_cast<float>(value(r));
}

enum class Kind { Raw, DebtToIncome, CreditToIncome, FicoDiff, NormalizedFico };

std::size_t raw_index(std::string_view name) {
  const auto& raw = raw_feature_names();
  return static_cast<std::size_t>(std::find(raw.begin(), raw.end(), name) - raw.begin());
}

}  // namespace

FeaturePipeline FeaturePipeline::fit(const Frame& train, const PipelineOptions& options) {
  options.validate();
  if (train.rows() == 0) throw InputError("the training frame has no rows");
  std::vector<std::string> needed = options.input_columns();
  for (const auto& [column, rule] : options.outliers) {
    if (rule.action != OutlierAction::None) needed.push_back(column);
  }
  for (const auto& column : needed) {
    if (!train.has(column)) {
      throw InputError("the training data has no column '" + column +
                       "', which the feature pipeline needs");
    }
  }
  FeaturePipeline p;
  p.options_ = options;
  for (const auto& column : raw_feature_names()) {
    if (!train.has(column)) continue;
    const auto rule_it = options.outliers.find(column);
    const OutlierRule rule = rule_it == options.outliers.end() ? OutlierRule{} : rule_it->second;
    p.fits_[column] = fit_column(column, train.column(column), rule, options.z_threshold);
  }
  // The FICO range is taken from what the model trains on: rows kept by the drop rules, values
  // after capping, so normalized_fico_score spans exactly [0, 1] on the training matrix.
  if (train.has("fico_score")) {
    const std::vector<std::size_t> keep = p.rows_to_keep(train);
    if (keep.empty()) throw InputError("the outlier drop rules remove every training row");
    const ColumnFit& fico = p.fits_.at("fico_score");
    const bool cap = fico.rule.action == OutlierAction::Cap;
    const std::vector<double>& values = train.column("fico_score");
    p.fico_min_ = std::numeric_limits<double>::infinity();
    p.fico_max_ = -std::numeric_limits<double>::infinity();
    for (std::size_t r : keep) {
      const double v = cap ? std::clamp(values[r], fico.lower, fico.upper) : values[r];
      p.fico_min_ = std::min(p.fico_min_, v);
      p.fico_max_ = std::max(p.fico_max_, v);
    }
  }
  p.make_plan();
  return p;
}

void FeaturePipeline::make_plan() {
  plan_ = Plan{};
  plan_.inputs = options_.input_columns();
  for (const auto& column : plan_.inputs) plan_.input_raw.push_back(raw_index(column));
  for (const auto& column : plan_.inputs) {
    const auto fit = fits_.find(column);
    if (fit == fits_.end() || fit->second.rule.action != OutlierAction::Cap) continue;
    const std::size_t k = raw_index(column);
    plan_.capped[k] = true;
    plan_.lower[k] = fit->second.lower;
    plan_.upper[k] = fit->second.upper;
  }
  for (const auto& name : options_.features) {
    Kind kind = Kind::Raw;
    if (name == "debt_to_income_ratio") kind = Kind::DebtToIncome;
    if (name == "credit_to_income_ratio") kind = Kind::CreditToIncome;
    if (name == "fico_score_diff") kind = Kind::FicoDiff;
    if (name == "normalized_fico_score") kind = Kind::NormalizedFico;
    plan_.kinds.push_back(static_cast<int>(kind));
    plan_.raw_of.push_back(raw_index(name));
  }
}

std::vector<std::size_t> FeaturePipeline::rows_to_keep(const Frame& train) const {
  std::vector<char> keep(train.rows(), 1);
  for (const auto& [column, fit] : fits_) {
    if (fit.rule.action != OutlierAction::Drop) continue;
    if (!train.has(column)) {
      throw InputError("the data has no column '" + column + "', which has a drop rule");
    }
    const std::vector<double>& values = train.column(column);
    for (std::size_t r = 0; r < values.size(); ++r) {
      // Written so that NaN (never within the fences) is dropped too.
      if (!(values[r] >= fit.lower && values[r] <= fit.upper)) keep[r] = 0;
    }
  }
  std::vector<std::size_t> rows;
  rows.reserve(keep.size());
  for (std::size_t r = 0; r < keep.size(); ++r) {
    if (keep[r] != 0) rows.push_back(r);
  }
  return rows;
}

DenseMatrix FeaturePipeline::transform(const Frame& frame) const {
  DenseMatrix m;
  transform(frame, m);
  return m;
}

void FeaturePipeline::transform(const Frame& frame, DenseMatrix& m) const {
  // Source column of every raw input, by raw_index(); null when not read.
  std::array<const double*, 6> source{};
  for (std::size_t i = 0; i < plan_.inputs.size(); ++i) {
    const std::string& column = plan_.inputs[i];
    const int index = frame.index_of(column);
    if (index < 0) {
      throw InputError("the input has no column '" + column +
                       "'; the pipeline reads: " + join(plan_.inputs));
    }
    source[plan_.input_raw[i]] = frame.columns[static_cast<std::size_t>(index)].data();
  }

  // Assigned, not rebuilt: a reused matrix keeps its storage (names copied into their strings).
  m.rows = frame.rows();
  m.cols = options_.features.size();
  m.names = options_.features;
  m.values.resize(m.rows * m.cols);
  const std::vector<std::size_t>& raw_of = plan_.raw_of;

  const double floor = options_.income_floor;
  const double fmin = fico_min_, span = fico_max_ - fico_min_;
  // One block of capped values per input (a single-row request needs one row, not 512; a few
  // rows fit on the stack).
  const std::size_t block_rows = std::min(kBlockRows, m.rows);
  std::array<double, 6 * 8> few;
  std::vector<double> many;
  if (block_rows > 8) many.resize(source.size() * block_rows);
  double* const capped = block_rows > 8 ? many.data() : few.data();
  std::array<const double*, 6> in{};
  const std::size_t debt_k = raw_index("total_debt_outstanding"),
                    loan_k = raw_index("loan_amt_outstanding");
  const std::size_t income_k = raw_index("income"), fico_k = raw_index("fico_score");
  for (std::size_t start = 0; start < m.rows; start += kBlockRows) {
    const std::size_t len = std::min(kBlockRows, m.rows - start);
    // Capping happens before deriving, so the ratios and FICO features see capped values: a
    // capped income also bounds debt_to_income_ratio, and serving computes what training did.
    for (std::size_t k = 0; k < source.size(); ++k) {
      if (source[k] == nullptr) continue;
      in[k] = source[k] + start;
      if (!plan_.capped[k]) continue;
      double* c = capped + k * block_rows;
      for (std::size_t r = 0; r < len; ++r)
        c[r] = std::clamp(in[k][r], plan_.lower[k], plan_.upper[k]);
      in[k] = c;
    }
    const double* debt = in[debt_k];
    const double* loan = in[loan_k];
    const double* income = in[income_k];
    const double* fico = in[fico_k];
    float* block = m.values.data() + start * m.cols;
    for (std::size_t j = 0; j < m.cols; ++j) {
      switch (static_cast<Kind>(plan_.kinds[j])) {
        case Kind::Raw: {
          const double* v = in[raw_of[j]];
          fill_column(block, m.cols, j, len, [&](std::size_t r) { return v[r]; });
          break;
        }
        case Kind::DebtToIncome:
          fill_column(block, m.cols, j, len,
                      [&](std::size_t r) { return debt[r] / std::max(income[r], floor); });
          break;
        case Kind::CreditToIncome:
          fill_column(block, m.cols, j, len,
                      [&](std::size_t r) { return loan[r] / std::max(income[r], floor); });
          break;
        case Kind::FicoDiff:
          fill_column(block, m.cols, j, len, [&](std::size_t r) { return fico[r] - kFicoCentre; });
          break;
        case Kind::NormalizedFico:
          // A constant training FICO carries no information: every row gets 0.
          fill_column(block, m.cols, j, len, [&](std::size_t r) {
            return span > 0.0 ? std::clamp((fico[r] - fmin) / span, 0.0, 1.0) : 0.0;
          });
          break;
      }
    }
  }
}

}  // namespace loanrisk
