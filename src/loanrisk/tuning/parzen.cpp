// The Parzen estimator of Optuna's TPE (optuna/samplers/_tpe/parzen_estimator.py): bandwidths from
// the gaps between sorted observations (prior included) clipped by the "magic clip", or a
// Scott-like rule when multivariate; categorical kernels smoothed by the prior weight.
#include "loanrisk/tuning/parzen.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace loanrisk::tuning {
namespace {

constexpr double kPi = 3.14159265358979323846;

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double log_truncnorm_pdf(double x, double mu, double sigma, double low, double high) {
  const double z = (x - mu) / sigma;
  const double mass = normal_cdf((high - mu) / sigma) - normal_cdf((low - mu) / sigma);
  return -0.5 * z * z - std::log(sigma * std::sqrt(2 * kPi)) -
         std::log(std::max(mass, std::numeric_limits<double>::min()));
}

double sample_truncnorm(Rng& rng, double mu, double sigma, double low, double high) {
  for (int i = 0; i < 1000; ++i) {
    const double x = mu + sigma * rng.normal();
    if (x >= low && x <= high) return x;
  }
  return low + (high - low) * rng.uniform();  // a component far outside: fall back to uniform
}

std::vector<double> univariate_sigmas(const std::vector<double>& obs, double low, double high) {
  std::vector<double> with_prior = obs;
  with_prior.push_back(0.5 * (low + high));
  std::vector<std::size_t> order(with_prior.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return with_prior[a] < with_prior[b]; });
  std::vector<double> ends{low};
  for (std::size_t i : order) ends.push_back(with_prior[i]);
  ends.push_back(high);
  std::vector<double> sorted_sigmas(with_prior.size());
  for (std::size_t i = 0; i < sorted_sigmas.size(); ++i) {
    sorted_sigmas[i] = std::max(ends[i + 1] - ends[i], ends[i + 2] - ends[i + 1]);
  }
  if (ends.size() >= 4) {  // consider_endpoints=False
    sorted_sigmas.front() = ends[2] - ends[1];
    sorted_sigmas.back() = ends[ends.size() - 2] - ends[ends.size() - 3];
  }
  std::vector<double> sigmas(obs.size());
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    if (order[rank] < obs.size()) sigmas[order[rank]] = sorted_sigmas[rank];
  }
  return sigmas;
}

}  // namespace

ParzenEstimator::ParzenEstimator(const std::vector<Dimension>& dims,
                                 const std::vector<std::vector<double>>& observations,
                                 const std::vector<double>& weights, bool univariate_bandwidth)
    : dims_(dims) {
  const std::size_t n = observations.size();
  const std::size_t k = n + 1;  // the prior is the last component
  weights_.assign(weights.begin(), weights.end());
  weights_.push_back(1.0);
  const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  for (double& w : weights_) w /= total;
  for (double w : weights_) log_weights_.push_back(std::log(w));
  mus_.assign(k, std::vector<double>(dims.size(), 0.0));
  sigmas_.assign(k, std::vector<double>(dims.size(), 1.0));
  cat_probs_.assign(k, std::vector<std::vector<double>>(dims.size()));
  for (std::size_t d = 0; d < dims.size(); ++d) {
    const Dimension& dim = dims[d];
    std::vector<double> obs(n);
    for (std::size_t i = 0; i < n; ++i) obs[i] = observations[i][d];
    if (dim.categorical) {
      for (std::size_t c = 0; c < k; ++c) {
        std::vector<double> p(dim.n_choices, 1.0 / static_cast<double>(k));
        if (c < n) p[static_cast<std::size_t>(obs[c])] += 1.0;
        const double sum = std::accumulate(p.begin(), p.end(), 0.0);
        for (double& v : p) v /= sum;
        cat_probs_[c][d] = std::move(p);
      }
      continue;
    }
    const double range = dim.high - dim.low;
    std::vector<double> sig;
    if (univariate_bandwidth) {
      sig = univariate_sigmas(obs, dim.low, dim.high);
    } else {
      const double s = 0.2 *
                       std::pow(static_cast<double>(std::max<std::size_t>(n, 1)),
                                -1.0 / (static_cast<double>(dims.size()) + 4.0)) *
                       range;
      sig.assign(n, s);
    }
    const double minsigma = range / std::min(100.0, 1.0 + static_cast<double>(k));
    for (std::size_t i = 0; i < n; ++i) {
      mus_[i][d] = obs[i];
      sigmas_[i][d] = std::clamp(sig[i], minsigma, range);
    }
    mus_[n][d] = 0.5 * (dim.low + dim.high);
    sigmas_[n][d] = range;
  }
}

std::vector<double> ParzenEstimator::sample(Rng& rng) const {
  double u = rng.uniform();
  std::size_t c = 0;
  while (c + 1 < weights_.size() && u >= weights_[c]) u -= weights_[c++];
  std::vector<double> x(dims_.size());
  for (std::size_t d = 0; d < dims_.size(); ++d) {
    const Dimension& dim = dims_[d];
    if (dim.categorical) {
      double v = rng.uniform();
      std::size_t choice = 0;
      const auto& p = cat_probs_[c][d];
      while (choice + 1 < p.size() && v >= p[choice]) v -= p[choice++];
      x[d] = static_cast<double>(choice);
    } else {
      x[d] = sample_truncnorm(rng, mus_[c][d], sigmas_[c][d], dim.low, dim.high);
    }
  }
  return x;
}

double ParzenEstimator::log_pdf(const std::vector<double>& x) const {
  std::vector<double> terms(weights_.size());
  double top = -std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < weights_.size(); ++c) {
    double t = log_weights_[c];
    for (std::size_t d = 0; d < dims_.size(); ++d) {
      const Dimension& dim = dims_[d];
      t += dim.categorical ? std::log(cat_probs_[c][d][static_cast<std::size_t>(x[d])])
                           : log_truncnorm_pdf(x[d], mus_[c][d], sigmas_[c][d], dim.low, dim.high);
    }
    terms[c] = t;
    top = std::max(top, t);
  }
  double sum = 0;
  for (double t : terms) sum += std::exp(t - top);
  return top + std::log(sum);
}

}  // namespace loanrisk::tuning
