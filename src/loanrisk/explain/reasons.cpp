#include "loanrisk/explain/reasons.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "loanrisk/core/error.hpp"
#include "loanrisk/features/pipeline.hpp"

namespace loanrisk {
namespace {

/// A factor: one input the applicant gave, or a ratio of two of them.
struct Catalogue {
  const char* factor;
  const char* code;       ///< the adverse reason's code.
  const char* label;      ///< what the factor is, for the sentences that only say its effect.
  const char* low;        ///< the sentence when the applicant's value is below the training mean.
  const char* high;       ///< ... above it.
  int riskier;            ///< +1: a higher value is the conventional adverse side; -1: lower.
  const char* numerator;  ///< a ratio's inputs (nullptr for an input itself).
  const char* denominator;
  const char* numerator_name;  ///< how the sentence names them.
  const char* denominator_name;
};

constexpr Catalogue kCatalogue[] = {
    {"debt_to_income_ratio", "R01_DEBT_TO_INCOME", "Total debt relative to income",
     "Total debt is low relative to income", "Total debt is high relative to income", +1,
     "total_debt_outstanding", "income", "total debt", "income"},
    {"credit_to_income_ratio", "R02_LOAN_TO_INCOME", "Loan amount relative to income",
     "Loan amount is low relative to income", "Loan amount is high relative to income", +1,
     "loan_amt_outstanding", "income", "loan amount", "income"},
    {"fico_score", "R03_FICO_LOW", "FICO score", "FICO score is low", "FICO score is high", -1,
     nullptr, nullptr, nullptr, nullptr},
    {"credit_lines_outstanding", "R06_CREDIT_LINES", "Credit lines outstanding",
     "Few credit lines are outstanding", "Many credit lines are outstanding", +1, nullptr, nullptr,
     nullptr, nullptr},
    {"total_debt_outstanding", "R07_TOTAL_DEBT", "Total debt outstanding",
     "Total debt outstanding is low", "Total debt outstanding is high", +1, nullptr, nullptr,
     nullptr, nullptr},
    {"loan_amt_outstanding", "R08_LOAN_AMOUNT", "Loan amount outstanding",
     "Loan amount outstanding is low", "Loan amount outstanding is high", +1, nullptr, nullptr,
     nullptr, nullptr},
    {"income", "R09_INCOME_LOW", "Income", "Income is low", "Income is high", -1, nullptr, nullptr,
     nullptr, nullptr},
    {"years_employed", "R10_EMPLOYMENT_SHORT", "Years employed", "Employment history is short",
     "Employment history is long", -1, nullptr, nullptr, nullptr, nullptr},
};

const Catalogue* entry_of(std::string_view factor) {
  for (const auto& c : kCatalogue) {
    if (factor == c.factor) return &c;
  }
  return nullptr;
}

/// A number as a loan officer reads it: whole numbers with thousands separators, others with
/// two decimals (ratios always with two).
void append_number(std::string& out, double v, bool ratio) {
  if (!std::isfinite(v)) {
    out += "n/a";
    return;
  }
  char buf[400];
  const bool whole = !ratio && v == std::floor(v) && std::fabs(v) < 1e15;
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, whole ? 0 : 2);
  const char* begin = buf;
  if (*begin == '-') out += *begin++;
  const char* end = r.ptr;
  const char* dot = std::find(begin, end, '.');
  const auto digits = static_cast<std::size_t>(dot - begin);
  for (std::size_t i = 0; i < digits; ++i) {
    if (i > 0 && (digits - i) % 3 == 0) out += ',';
    out += begin[i];
  }
  out.append(dot, end);
}

/// One factor's effect on a row, summed over the model inputs that belong to it.
struct Effect {
  std::size_t first = 0;  ///< its first model input (ties are broken in model input order).
  double contribution = 0;
};

std::string upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

double raw_value(const Frame& frame, const char* column, std::size_t row) {
  return frame.has(column) ? frame.column(column)[row] : std::nan("");
}

double typical(const FeaturePipeline& pipeline, const char* column) {
  const auto it = pipeline.fits().find(column);
  return it == pipeline.fits().end() ? std::nan("") : it->second.mean;
}

/// Writes reason r for factor `name` of row `row`.
void describe(const FeaturePipeline& pipeline, const Frame& frame, const DenseMatrix& X,
              std::size_t row, std::size_t first, const std::string& name, double contribution,
              Reason& r) {
  const Catalogue* c = entry_of(name);
  const bool raising = contribution > 0;
  r.feature = name;
  r.contribution = contribution;
  r.text.clear();
  if (c == nullptr) {  // a model input the catalogue does not know: its model value
    r.code = raising ? "R99_OTHER" : "L99_OTHER";
    r.value = X.at(row, first);
    r.text.append(name).append(" (");
    append_number(r.text, r.value, true);
    r.text.append(raising ? ") raised the estimated risk" : ") lowered the estimated risk");
    return;
  }
  double value = 0, mean = 0;
  const double floor = pipeline.options().income_floor;
  if (c->numerator) {
    const double num = raw_value(frame, c->numerator, row);
    const double den = raw_value(frame, c->denominator, row);
    value = num / std::max(den, floor);
    mean = typical(pipeline, c->numerator) / std::max(typical(pipeline, c->denominator), floor);
  } else {
    value = raw_value(frame, c->factor, row);
    mean = typical(pipeline, c->factor);
  }
  r.value = value;
  const int side = value > mean ? +1 : value < mean ? -1 : 0;  // 0 also when either is NaN
  const bool adverse_side = side != 0 && side == c->riskier;
  const bool says_side = raising ? adverse_side : (side != 0 && !adverse_side);
  if (says_side) {
    r.text = side > 0 ? c->high : c->low;
    // A factor that lowered the PD: "L" and the adverse code's number ("L03_FICO_SCORE").
    r.code = raising ? c->code : "L" + std::string(c->code + 1, 2) + "_" + upper(c->factor);
  } else {
    r.text = c->label;
    r.code = raising ? "R90_MODEL_EFFECT" : "L90_MODEL_EFFECT";
  }
  r.text += " (";
  if (c->numerator) {
    r.text.append(c->numerator_name).append(" ");
    append_number(r.text, raw_value(frame, c->numerator, row), false);
    r.text.append(", ").append(c->denominator_name).append(" ");
    append_number(r.text, raw_value(frame, c->denominator, row), false);
  } else {
    append_number(r.text, value, false);
  }
  r.text += ')';
  if (!says_side) r.text += raising ? " raised the estimated risk" : " lowered the estimated risk";
}

}  // namespace

std::string reason_factor(const std::string& feature) {
  if (feature == "fico_score_diff" || feature == "normalized_fico_score") return "fico_score";
  return feature;
}

std::string points_reason_text(const PointsReason& r) {
  const std::string factor = reason_factor(r.feature);
  const Catalogue* c = entry_of(factor);
  std::string name = c ? c->label : r.feature;
  if (c && factor != r.feature) name += " (" + r.feature + ")";
  return name + ": " + std::to_string(r.points) + " of " + std::to_string(r.max_points) +
         " points (" + std::to_string(r.points_lost) + " below the best)";
}

std::string reason_code(const std::string& factor) {
  const Catalogue* c = entry_of(factor);
  return c ? c->code : "R99_OTHER";
}

std::vector<Explanation> split_contributions(const DenseMatrix& X,
                                             const std::vector<double>& contributions) {
  const std::size_t width = X.cols + 1;
  if (contributions.size() != X.rows * width) {
    throw InternalError("contributions have " + std::to_string(contributions.size()) +
                        " values, expected " + std::to_string(X.rows) + " rows x " +
                        std::to_string(width));
  }
  std::vector<Explanation> out(X.rows);
  for (std::size_t r = 0; r < X.rows; ++r) {
    Explanation& e = out[r];
    e.features = X.names;
    e.values.reserve(X.cols);
    for (std::size_t j = 0; j < X.cols; ++j) {
      // The double that prints like the float (0.525f -> 0.525, not 0.5249999761581421).
      char buf[32];
      const auto w = std::to_chars(buf, buf + sizeof buf, X.at(r, j));
      double d = X.at(r, j);
      std::from_chars(buf, w.ptr, d);
      e.values.push_back(d);
    }
    e.contributions.assign(contributions.begin() + static_cast<std::ptrdiff_t>(r * width),
                           contributions.begin() + static_cast<std::ptrdiff_t>(r * width + X.cols));
    e.base_value = contributions[r * width + X.cols];
    e.margin = e.base_value;
    for (double c : e.contributions) e.margin += c;
  }
  return out;
}

void reason_codes(const FeaturePipeline& pipeline, const Frame& frame, const DenseMatrix& X,
                  std::size_t row, const std::vector<double>& contributions, std::size_t limit,
                  Direction direction, bool declined, std::vector<Reason>& out) {
  const std::size_t width = X.cols + 1;
  if (contributions.size() != X.rows * width || row >= X.rows || X.names.size() != X.cols ||
      frame.rows() != X.rows) {
    throw InternalError("contributions have " + std::to_string(contributions.size()) +
                        " values, expected " + std::to_string(X.rows) + " rows x " +
                        std::to_string(width) + " for row " + std::to_string(row));
  }
  const double* c = contributions.data() + row * width;
  // Factors in model input order, each with its summed contribution (at most X.cols of them).
  thread_local std::vector<Effect> effects;
  thread_local std::vector<std::string> names;
  effects.clear();
  std::size_t n = 0;
  for (std::size_t j = 0; j < X.cols; ++j) {
    const std::string& feature = X.names[j];
    const char* factor = feature == "fico_score_diff" || feature == "normalized_fico_score"
                             ? "fico_score"
                             : feature.c_str();
    std::size_t k = 0;
    while (k < n && names[k] != factor) ++k;
    if (k == n) {
      if (names.size() == n) names.emplace_back();
      names[n++] = factor;
      effects.push_back({j, 0.0});
    }
    if (std::isfinite(c[j])) effects[k].contribution += c[j];
  }
  const double sign = direction == Direction::Raising ? 1.0 : -1.0;
  // Selection of the largest effects in order (a stable sort's order, without a buffer).
  std::size_t count = 0;
  for (std::size_t last = n; count < limit; ++count) {
    std::size_t best = n;
    for (std::size_t k = 0; k < n; ++k) {
      const double e = sign * effects[k].contribution;
      if (!(e > 0)) continue;
      if (last < n) {
        const double l = sign * effects[last].contribution;
        if (e > l || (e == l && k <= last)) continue;  // ranked before or at the last one taken
      }
      if (best == n || e > sign * effects[best].contribution) best = k;
    }
    if (best == n) break;
    if (out.size() == count) out.emplace_back();
    describe(pipeline, frame, X, row, effects[best].first, names[best], effects[best].contribution,
             out[count]);
    last = best;
  }
  if (count == 0 && declined && direction == Direction::Raising && limit > 0) {
    if (out.empty()) out.emplace_back();
    Reason& r = out[0];
    r.code = "R00_BASELINE";
    r.feature.clear();
    r.value = 0;
    r.contribution = 0;
    r.text =
        "No single factor raised the estimated risk: the model's starting estimate for every "
        "applicant is above the approval threshold";
    count = 1;
  }
  out.resize(count);
}

std::vector<Reason> reason_codes(const FeaturePipeline& pipeline, const Frame& frame,
                                 const DenseMatrix& X, std::size_t row,
                                 const std::vector<double>& contributions, std::size_t limit,
                                 Direction direction, bool declined) {
  std::vector<Reason> out;
  reason_codes(pipeline, frame, X, row, contributions, limit, direction, declined, out);
  return out;
}

}  // namespace loanrisk
