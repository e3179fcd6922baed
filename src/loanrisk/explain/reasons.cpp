#include "loanrisk/explain/reasons.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "loanrisk/core/error.hpp"

namespace loanrisk {
namespace {

/// Code and sentence of each model input; the sentence explains why a value raises the PD.
struct Catalogue {
  const char* code;
  const char* sentence;
  int decimals;  ///< how the value is printed in the sentence.
};

const std::map<std::string, Catalogue>& catalogue() {
  static const std::map<std::string, Catalogue> c = {
      {"debt_to_income_ratio", {"R01_DEBT_TO_INCOME", "Total debt is high relative to income", 2}},
      {"credit_to_income_ratio",
       {"R02_LOAN_TO_INCOME", "Loan amount is high relative to income", 2}},
      {"fico_score", {"R03_FICO_LOW", "FICO score is low", 0}},
      {"fico_score_diff", {"R04_FICO_BELOW_FAIR", "FICO score is below a fair score of 700", 0}},
      {"normalized_fico_score",
       {"R05_FICO_RANK_LOW", "FICO score ranks low among past applicants", 2}},
      {"credit_lines_outstanding", {"R06_CREDIT_LINES", "Many credit lines are outstanding", 0}},
      {"total_debt_outstanding", {"R07_TOTAL_DEBT", "Total debt outstanding is high", 0}},
      {"loan_amt_outstanding", {"R08_LOAN_AMOUNT", "Loan amount outstanding is high", 0}},
      {"income", {"R09_INCOME_LOW", "Income is low", 0}},
      {"years_employed", {"R10_EMPLOYMENT_SHORT", "Employment history is short in years", 0}},
  };
  return c;
}

/// The catalogue entry of a model input, or nullptr for one it does not know.
const Catalogue* entry_of(const std::string& feature) {
  const auto it = catalogue().find(feature);
  return it == catalogue().end() ? nullptr : &it->second;
}

/// The sentence with the value as the catalogue prints it ("... (0.52)"), written over `text`
/// (its storage reused) with std::to_chars (the same digits as printf's %.*f): every predict
/// answer has four.
void write_sentence(std::string& text, const Catalogue* c, const std::string& feature,
                    double value) {
  text.clear();
  if (c) {
    text += c->sentence;
  } else {
    text += "Value of ";
    text += feature;
    text += " raises the risk";
  }
  // Room for any double in fixed notation (up to 309 integer digits).
  char buf[400];
  const auto written =
      std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, c ? c->decimals : 2);
  text += " (";
  text.append(buf, written.ptr);
  text += ')';
}

/// The double that prints like the float (0.525f -> 0.525, not 0.5249999761581421).
double float_as_shown(float v) {
  char buf[32];
  const auto w = std::to_chars(buf, buf + sizeof buf, v);
  double d = v;
  std::from_chars(buf, w.ptr, d);
  return d;
}

}  // namespace

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
    for (std::size_t j = 0; j < X.cols; ++j) e.values.push_back(float_as_shown(X.at(r, j)));
    e.contributions.assign(contributions.begin() + static_cast<std::ptrdiff_t>(r * width),
                           contributions.begin() + static_cast<std::ptrdiff_t>(r * width + X.cols));
    e.base_value = contributions[r * width + X.cols];
    e.margin = e.base_value;
    for (double c : e.contributions) e.margin += c;
  }
  return out;
}

namespace {

// The top `limit` positive contributions among n, largest first (ties by feature order), each
// made a Reason from its feature's name and value, written over `out` (its strings reused). A
// selection, `limit` passes over n: each pass takes the largest of those ranked after the last
// one taken, which is the order a stable sort gives, without a buffer to sort.
template <typename Value>
void top_reasons(const std::vector<std::string>& features, const double* contributions,
                 std::size_t n, Value&& value, std::size_t limit, std::vector<Reason>& out) {
  std::size_t count = 0;
  for (std::size_t last = n; count < limit; ++count) {
    std::size_t best = n;
    for (std::size_t j = 0; j < n; ++j) {
      const double c = contributions[j];
      if (!(c > 0)) continue;
      if (last < n && (c > contributions[last] || (c == contributions[last] && j <= last))) {
        continue;  // ranked before or at the last one taken
      }
      if (best == n || c > contributions[best]) best = j;
    }
    if (best == n) break;
    if (out.size() == count) out.emplace_back();
    Reason& r = out[count];
    const Catalogue* entry = entry_of(features[best]);
    r.code = entry ? entry->code : "R99_OTHER";
    r.feature = features[best];
    r.value = value(best);
    r.contribution = contributions[best];
    write_sentence(r.text, entry, features[best], r.value);
    last = best;
  }
  out.resize(count);
}

}  // namespace

std::vector<Reason> reason_codes(const Explanation& e, std::size_t limit) {
  std::vector<Reason> out;
  top_reasons(
      e.features, e.contributions.data(), e.contributions.size(),
      [&](std::size_t j) { return e.values[j]; }, limit, out);
  return out;
}

void reason_codes(const DenseMatrix& X, std::size_t row, const std::vector<double>& contributions,
                  std::size_t limit, std::vector<Reason>& out) {
  const std::size_t width = X.cols + 1;
  if (contributions.size() != X.rows * width || row >= X.rows || X.names.size() != X.cols) {
    throw InternalError("contributions have " + std::to_string(contributions.size()) +
                        " values, expected " + std::to_string(X.rows) + " rows x " +
                        std::to_string(width) + " for row " + std::to_string(row));
  }
  top_reasons(
      X.names, contributions.data() + row * width, X.cols,
      [&](std::size_t j) { return float_as_shown(X.at(row, j)); }, limit, out);
}

std::vector<Reason> reason_codes(const DenseMatrix& X, std::size_t row,
                                 const std::vector<double>& contributions, std::size_t limit) {
  std::vector<Reason> out;
  reason_codes(X, row, contributions, limit, out);
  return out;
}

std::string reason_code(const std::string& feature) {
  const Catalogue* c = entry_of(feature);
  return c ? c->code : "R99_OTHER";
}

std::string reason_text(const std::string& feature, double value) {
  std::string text;
  write_sentence(text, entry_of(feature), feature, value);
  return text;
}

}  // namespace loanrisk
