#include "loanrisk/tuning/sampler.hpp"

#include <algorithm>
#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/rng.hpp"
#include "loanrisk/tuning/parzen.hpp"

namespace loanrisk {
namespace {

using Kind = ParamDistribution::Kind;

// Each trial's generator depends only on the seed and the trial number.
Rng trial_rng(std::uint64_t seed, std::int64_t number) {
  return Rng(seed ^ (0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(number + 1)));
}

// The sampler's internal scale: log for log-scaled ranges, widened by half a step for grids.
tuning::Dimension dimension_of(const ParamDistribution& p) {
  tuning::Dimension d;
  if (p.kind == Kind::Categorical) {
    d.categorical = true;
    d.n_choices = p.choices.size();
    return d;
  }
  const double half = p.step > 0 ? p.step / 2 : 0;
  d.low = p.log ? std::log(p.low - half) : p.low - half;
  d.high = p.log ? std::log(p.high + half) : p.high + half;
  if (p.log && p.low - half <= 0) d.low = std::log(p.low);
  return d;
}

double to_internal(const ParamDistribution& p, double value) {
  if (p.kind == Kind::Categorical) {
    const auto it = std::find(p.choices.begin(), p.choices.end(), value);
    return static_cast<double>(it == p.choices.end() ? 0 : it - p.choices.begin());
  }
  return p.log ? std::log(value) : value;
}

double from_internal(const ParamDistribution& p, double x) {
  if (p.kind == Kind::Categorical) return p.choices.at(static_cast<std::size_t>(x));
  return p.snap(p.log ? std::exp(x) : x);
}

double uniform_internal(const tuning::Dimension& d, Rng& rng) {
  if (d.categorical) return static_cast<double>(rng.below(d.n_choices));
  return d.low + (d.high - d.low) * rng.uniform();
}

ParamValues random_params(const SearchSpace& space, Rng& rng) {
  ParamValues out;
  for (const auto& p : space.params)
    out[p.name] = from_internal(p, uniform_internal(dimension_of(p), rng));
  return out;
}

// Observations of the given params in internal scale, one row per trial.
std::vector<std::vector<double>> rows_of(const std::vector<const ObservedTrial*>& trials,
                                         const std::vector<const ParamDistribution*>& params) {
  std::vector<std::vector<double>> rows;
  for (const ObservedTrial* t : trials) {
    std::vector<double> row;
    for (const ParamDistribution* p : params) {
      const auto it = t->params.find(p->name);
      row.push_back(it == t->params.end() ? 0.0 : to_internal(*p, it->second));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// Draws candidates from l and keeps the one with the largest log l - log g.
std::vector<double> best_candidate(const std::vector<tuning::Dimension>& dims,
                                   const std::vector<std::vector<double>>& below,
                                   const std::vector<std::vector<double>>& above, bool univariate,
                                   int candidates, Rng& rng) {
  const tuning::ParzenEstimator l(dims, below, tpe_default_weights(below.size()), univariate);
  const tuning::ParzenEstimator g(dims, above, tpe_default_weights(above.size()), univariate);
  std::vector<double> best;
  double best_score = -HUGE_VAL;
  for (int i = 0; i < candidates; ++i) {
    auto x = l.sample(rng);
    const double score = l.log_pdf(x) - g.log_pdf(x);
    if (best.empty() || score > best_score) {
      best_score = score;
      best = std::move(x);
    }
  }
  return best;
}

}  // namespace

std::vector<double> tpe_default_weights(std::size_t n) {
  if (n < 25) return std::vector<double>(n, 1.0);
  std::vector<double> w;
  const std::size_t ramp = n - 25;
  for (std::size_t i = 0; i < ramp; ++i) {
    // numpy.linspace(1 / n, 1.0, num=n - 25)
    const double t = ramp == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(ramp - 1);
    w.push_back(1.0 / static_cast<double>(n) + t * (1.0 - 1.0 / static_cast<double>(n)));
  }
  w.insert(w.end(), 25, 1.0);
  return w;
}

std::size_t tpe_default_gamma(std::size_t n) {
  return std::min<std::size_t>(static_cast<std::size_t>(std::ceil(0.1 * static_cast<double>(n))),
                               25);
}

ParamValues RandomSampler::sample(const SearchSpace& space, const std::vector<ObservedTrial>&,
                                  std::int64_t number) const {
  Rng rng = trial_rng(seed_, number);
  return random_params(space, rng);
}

ParamValues TpeSampler::sample(const SearchSpace& space, const std::vector<ObservedTrial>& history,
                               std::int64_t number) const {
  Rng rng = trial_rng(settings_.seed, number);
  if (history.size() < static_cast<std::size_t>(std::max(settings_.startup_trials, 1))) {
    return random_params(space, rng);
  }
  std::vector<const ObservedTrial*> ranked;
  for (const auto& t : history) ranked.push_back(&t);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const ObservedTrial* a, const ObservedTrial* b) {
                     return a->value != b->value ? a->value > b->value : a->number < b->number;
                   });
  const std::size_t n_below = tpe_default_gamma(ranked.size());
  std::vector<const ObservedTrial*> below(ranked.begin(), ranked.begin() + n_below);
  std::vector<const ObservedTrial*> above(ranked.begin() + n_below, ranked.end());
  const auto by_number = [](const ObservedTrial* a, const ObservedTrial* b) {
    return a->number < b->number;
  };
  std::sort(below.begin(), below.end(), by_number);  // weights ramp over trial order
  std::sort(above.begin(), above.end(), by_number);

  ParamValues out;
  if (settings_.multivariate) {
    std::vector<const ParamDistribution*> params;
    std::vector<tuning::Dimension> dims;
    for (const auto& p : space.params) {
      params.push_back(&p);
      dims.push_back(dimension_of(p));
    }
    const auto x = best_candidate(dims, rows_of(below, params), rows_of(above, params), false,
                                  settings_.ei_candidates, rng);
    for (std::size_t d = 0; d < params.size(); ++d)
      out[params[d]->name] = from_internal(*params[d], x[d]);
    return out;
  }
  for (const auto& p : space.params) {
    const std::vector<const ParamDistribution*> one{&p};
    const auto x = best_candidate({dimension_of(p)}, rows_of(below, one), rows_of(above, one), true,
                                  settings_.ei_candidates, rng);
    out[p.name] = from_internal(p, x[0]);
  }
  return out;
}

std::unique_ptr<Sampler> make_sampler(const SamplerSettings& settings) {
  if (settings.kind == "tpe") return std::make_unique<TpeSampler>(settings);
  if (settings.kind == "random") return std::make_unique<RandomSampler>(settings.seed);
  throw UsageError("unknown sampler '" + settings.kind + "'; samplers: tpe, random");
}

}  // namespace loanrisk
