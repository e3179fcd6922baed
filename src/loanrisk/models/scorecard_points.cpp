// Scorecard points: scaling, points per bin from the logistic coefficients, scores, the PD a
// score implies, and reason codes (docs/scorecard.md, "Points").
#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/models/scorecard_binning.hpp"

namespace loanrisk::models {

double ScoreScaling::factor() const {
  return pdo / std::log(2.0);
}

double ScoreScaling::offset() const {
  return base_score - factor() * std::log(base_odds);
}

int Characteristic::max_points() const {
  return points.empty() ? 0 : *std::max_element(points.begin(), points.end());
}

Scorecard build_scorecard(std::vector<std::string> names, std::vector<Binning> binnings,
                          const std::vector<double>& coefficients, double intercept,
                          const ScoreScaling& scaling) {
  if (!(std::isfinite(scaling.base_score) && std::isfinite(scaling.pdo) && scaling.pdo > 0 &&
        std::isfinite(scaling.base_odds) && scaling.base_odds > 0)) {
    throw UsageError(fmt::format(
        "scorecard scaling needs a finite base_score, pdo > 0 and base_odds > 0; got base_score "
        "{}, base_odds {}, pdo {}",
        scaling.base_score, scaling.base_odds, scaling.pdo));
  }
  if (binnings.empty() || names.size() != binnings.size() ||
      coefficients.size() != binnings.size()) {
    throw InputError(fmt::format(
        "scorecard needs one name and one coefficient per binning, at least one; got {} names, "
        "{} binnings, {} coefficients",
        names.size(), binnings.size(), coefficients.size()));
  }
  if (binnings.size() > kMaxCharacteristics) {
    throw InputError(fmt::format("scorecard has {} characteristics; at most {} are supported",
                                 binnings.size(), kMaxCharacteristics));
  }
  if (!std::isfinite(intercept)) {
    throw InputError(fmt::format("scorecard intercept must be finite, got {}", intercept));
  }
  Scorecard card;
  card.scaling = scaling;
  card.intercept = intercept;
  const double k = static_cast<double>(binnings.size());
  const double factor = scaling.factor(), offset = scaling.offset();
  for (std::size_t f = 0; f < binnings.size(); ++f) {
    if (!std::isfinite(coefficients[f])) {
      throw InputError(fmt::format("scorecard coefficient of '{}' must be finite, got {}", names[f],
                                   coefficients[f]));
    }
    Characteristic c{std::move(names[f]), std::move(binnings[f]), coefficients[f], {}};
    for (std::size_t i = 0; i < c.binning.bin_total(); ++i) {
      const double raw =
          offset / k - factor * (intercept / k + c.coefficient * c.binning.bin_at(i).woe);
      if (!(std::abs(raw) <= kMaxBinPoints)) {
        throw InputError(fmt::format(
            "scorecard points of '{}' bin {} are {}, beyond +-{} (a PDO or base odds far off the "
            "usual scale?)",
            c.name, i, raw, kMaxBinPoints));
      }
      c.points.push_back(static_cast<int>(std::lround(raw)));
    }
    card.characteristics.push_back(std::move(c));
  }
  return card;
}

std::vector<int> Scorecard::points_of(const std::vector<double>& values) const {
  if (values.size() != characteristics.size()) {
    throw InputError(fmt::format("scorecard has {} characteristics but the applicant has {} values",
                                 characteristics.size(), values.size()));
  }
  std::vector<int> points;
  for (std::size_t f = 0; f < values.size(); ++f) {
    const Characteristic& c = characteristics[f];
    points.push_back(c.points[c.binning.bin_index(values[f])]);
  }
  return points;
}

int Scorecard::score(const std::vector<double>& values) const {
  int total = 0;
  for (int p : points_of(values)) total += p;
  return total;
}

double Scorecard::model_pd(const std::vector<double>& values) const {
  if (values.size() != characteristics.size()) {
    throw InputError(fmt::format("scorecard has {} characteristics but the applicant has {} values",
                                 characteristics.size(), values.size()));
  }
  double z = intercept;
  for (std::size_t f = 0; f < values.size(); ++f) {
    z += characteristics[f].coefficient * characteristics[f].binning.woe_of(values[f]);
  }
  return 1 / (1 + std::exp(-z));
}

std::vector<ReasonCode> Scorecard::reasons(const std::vector<double>& values, std::size_t n) const {
  const std::vector<int> points = points_of(values);
  std::vector<ReasonCode> out;
  for (std::size_t f = 0; f < points.size(); ++f) {
    const int best = characteristics[f].max_points();
    if (best > points[f]) {
      out.push_back({characteristics[f].name, points[f], best, best - points[f]});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const ReasonCode& a, const ReasonCode& b) {
    return a.points_lost > b.points_lost;
  });
  if (out.size() > n) out.resize(n);
  return out;
}

double pd_of_score(double score, const ScoreScaling& scaling) {
  return 1 / (1 + std::exp((score - scaling.offset()) / scaling.factor()));
}

}  // namespace loanrisk::models
