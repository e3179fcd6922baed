// The synthetic loan book. The model (documented with the same constants in
// docs/synthetic-data.md), per row, in this draw order:
//   income   = max(1000, N(70000, 20000))                                  rounded to cents
//   lines    ~ categorical {0: .4128, 1: .2590, 2: .0902, 3: .0599, 4: .0484, 5: .1297}
//   years    = clamp(round(N(4.55, 1.6)), 0, 10)
//   dti      = max(0.01, 0.058 + 0.046 lines - 0.004 (years - 4.55) + N(0, 0.022))
//   lti      = max(0.002, 0.066 - 0.0015 years + N(0, 0.0102))
//   fico     = clamp(round(638 + 10 (years - 4.55) - 9 (lines - 1.46) + N(0, 56.5)), 300, 850)
//   z        = -14.0 + 2.4 lines + 25 dti - 0.03 (fico - 638) - 1.0 (years - 4.55)
//   default  = 1 when U(0,1) < 1 / (1 + exp(-z))
//   loan_amt = income * lti, total_debt = income * dti                     rounded to cents
//   id       = a 7-digit number not used before in this book
// Only the portable Rng is used, so a seed gives the same book everywhere.
// Drift scenarios (strength s, default 1) change one input after the draws above, so the same seed
// gives the same applicants, shifted, and defaults follow the shifted inputs through z:
//   income_shock: income x (1 - 0.3 s); debts and loans keep their pre-shock amounts
//   fico_shift:   fico - 50 s (clamped to 300-850)
//   debt_growth:  total_debt x (1 + 0.6 s), so dti grows by the same factor
#include "loanrisk/data/synth.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/rng.hpp"
#include "loanrisk/data/schema.hpp"

namespace loanrisk {
namespace {

constexpr std::uint64_t kFirstId = 1'000'000;
constexpr std::uint64_t kIdCount = 9'000'000;  // 1000000 .. 9999999
constexpr std::array<double, 6> kLinesShare = {0.4128, 0.2590, 0.0902, 0.0599, 0.0484, 0.1297};
constexpr double kIntercept = -14.0;  // puts the default rate near 18.5%

double cents(double v) {
  return std::round(v * 100.0) / 100.0;
}

int draw_lines(Rng& rng) {
  const double u = rng.uniform();
  double acc = 0.0;
  for (std::size_t k = 0; k + 1 < kLinesShare.size(); ++k) {
    acc += kLinesShare[k];
    if (u < acc) return static_cast<int>(k);
  }
  return static_cast<int>(kLinesShare.size() - 1);
}

// Unique 7-digit ids: rejection against a bitmap of the ids already given.
class IdPool {
 public:
  IdPool() : used_((kIdCount + 63) / 64, 0) {}
  std::uint64_t draw(Rng& rng) {
    for (;;) {
      const std::uint64_t k = rng.below(kIdCount);
      std::uint64_t& word = used_[k / 64];
      const std::uint64_t bit = std::uint64_t{1} << (k % 64);
      if ((word & bit) == 0) {
        word |= bit;
        return kFirstId + k;
      }
    }
  }

 private:
  std::vector<std::uint64_t> used_;
};

}  // namespace

const std::vector<std::string>& synth_drift_kinds() {
  static const std::vector<std::string> kinds = {"none", "income_shock", "fico_shift",
                                                 "debt_growth"};
  return kinds;
}

Frame synth_loan_book(const SynthOptions& options) {
  if (options.rows > kIdCount) {
    throw UsageError("a synthetic book has at most 9000000 rows (its ids have 7 digits), got " +
                     std::to_string(options.rows) + ". Fix: ask for fewer rows");
  }
  const auto& kinds = synth_drift_kinds();
  if (std::find(kinds.begin(), kinds.end(), options.drift) == kinds.end()) {
    throw UsageError("unknown drift '" + options.drift +
                     "'. Fix: use one of none, income_shock, fico_shift, debt_growth");
  }
  if (!(options.drift_strength >= 0 && options.drift_strength <= 3)) {
    throw UsageError("drift strength must be between 0 and 3 (1 is the documented scenario)");
  }
  const double s = options.drift == "none" ? 0.0 : options.drift_strength;
  const double income_factor = options.drift == "income_shock" ? 1.0 - 0.3 * s : 1.0;
  const double fico_shift = options.drift == "fico_shift" ? -50.0 * s : 0.0;
  const double debt_factor = options.drift == "debt_growth" ? 1.0 + 0.6 * s : 1.0;
  const std::size_t n = options.rows;
  std::vector<double> lines_col(n), loan(n), debt(n), income_col(n), years_col(n), fico_col(n),
      target(n);
  Frame f;
  f.ids.reserve(n);
  Rng rng(options.seed);
  IdPool ids;
  for (std::size_t i = 0; i < n; ++i) {
    const double drawn_income = cents(std::max(1000.0, 70000.0 + 20000.0 * rng.normal()));
    const double lines = draw_lines(rng);
    const double years = std::clamp(std::round(4.55 + 1.6 * rng.normal()), 0.0, 10.0);
    const double drawn_dti =
        std::max(0.01, 0.058 + 0.046 * lines - 0.004 * (years - 4.55) + 0.022 * rng.normal());
    const double lti = std::max(0.002, 0.066 - 0.0015 * years + 0.0102 * rng.normal());
    const double fico = std::clamp(std::round(638.0 + 10.0 * (years - 4.55) - 9.0 * (lines - 1.46) +
                                              56.5 * rng.normal() + fico_shift),
                                   300.0, 850.0);
    // Debts are fixed before an income shock; dti follows both shocks.
    const double debt_amount = cents(drawn_income * drawn_dti * debt_factor);
    const double income = s > 0 ? cents(drawn_income * income_factor) : drawn_income;
    const double dti = s > 0 ? debt_amount / income : drawn_dti;
    const double z =
        kIntercept + 2.4 * lines + 25.0 * dti - 0.03 * (fico - 638.0) - 1.0 * (years - 4.55);
    const double p = 1.0 / (1.0 + std::exp(-z));
    target[i] = rng.uniform() < p ? 1.0 : 0.0;
    lines_col[i] = lines;
    loan[i] = cents(drawn_income * lti);
    debt[i] = s > 0 ? debt_amount : cents(income * dti);
    income_col[i] = income;
    years_col[i] = years;
    fico_col[i] = fico;
    f.ids.push_back(std::to_string(ids.draw(rng)));
  }
  f.lines.assign(n, 0);
  // Moved one by one: an initializer list would copy every column.
  std::vector<double>* cols[] = {&lines_col, &loan,     &debt,  &income_col,
                                 &years_col, &fico_col, &target};
  std::size_t k = 0;
  for (const auto& c : Schema::loan_default().columns) {
    if (c.type == ColumnType::Text) continue;
    f.names.push_back(c.name);
    f.columns.push_back(std::move(*cols[k++]));
  }
  return f;
}

}  // namespace loanrisk
