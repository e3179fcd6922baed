// Samplers: Optuna's TPE constants, reproducibility, bounds, and TPE beating random search.
#include <gtest/gtest.h>

#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/tuning/sampler.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

SearchSpace quadratic_space() {
  SearchSpace s;
  s.family = "test";
  for (const char* name : {"a", "b", "c", "d"}) {
    s.params.push_back({name, ParamDistribution::Kind::Float, -5, 5, false, 0, {}});
  }
  return s;
}

// A shifted sphere, maximised at (1, -2, 0.5, 3) with value 0.
double sphere(const ParamValues& p) {
  return -(std::pow(p.at("a") - 1, 2) + std::pow(p.at("b") + 2, 2) + std::pow(p.at("c") - 0.5, 2) +
           std::pow(p.at("d") - 3, 2));
}

double best_after(const Sampler& sampler, const SearchSpace& space, int trials) {
  std::vector<ObservedTrial> history;
  double best = -HUGE_VAL;
  for (int k = 0; k < trials; ++k) {
    const ParamValues p = sampler.sample(space, history, k);
    const double v = sphere(p);
    history.push_back({k, p, v});
    best = std::max(best, v);
  }
  return best;
}

TEST(TpeConstants, GammaIsOptunasDefault) {
  EXPECT_EQ(tpe_default_gamma(0), 0u);
  EXPECT_EQ(tpe_default_gamma(1), 1u);
  EXPECT_EQ(tpe_default_gamma(10), 1u);
  EXPECT_EQ(tpe_default_gamma(11), 2u);
  EXPECT_EQ(tpe_default_gamma(100), 10u);
  EXPECT_EQ(tpe_default_gamma(1000), 25u);
}

TEST(TpeConstants, WeightsRampOlderTrialsPast25) {
  EXPECT_EQ(tpe_default_weights(3), (std::vector<double>{1, 1, 1}));
  const auto w = tpe_default_weights(28);  // numpy.linspace(1/28, 1, 3) then 25 ones
  ASSERT_EQ(w.size(), 28u);
  EXPECT_DOUBLE_EQ(w[0], 1.0 / 28);
  EXPECT_DOUBLE_EQ(w[1], (1.0 / 28 + 1.0) / 2);
  EXPECT_DOUBLE_EQ(w[2], 1.0);
  EXPECT_DOUBLE_EQ(w[27], 1.0);
}

TEST(Samplers, SameSeedAndHistoryGiveSameProposal) {
  const SearchSpace space = quadratic_space();
  SamplerSettings settings;
  settings.seed = 7;
  const TpeSampler a(settings), b(settings);
  std::vector<ObservedTrial> history;
  for (int k = 0; k < 15; ++k) {
    const ParamValues p = a.sample(space, history, k);
    EXPECT_EQ(p, b.sample(space, history, k));
    history.push_back({k, p, sphere(p)});
  }
  settings.seed = 8;
  EXPECT_NE(TpeSampler(settings).sample(space, history, 15), a.sample(space, history, 15));
}

TEST(Samplers, ProposalsRespectTypesStepsLogAndChoices) {
  SearchSpace s;
  s.family = "test";
  s.params = {{"n", ParamDistribution::Kind::Int, 2, 9, false, 1, {}},
              {"c", ParamDistribution::Kind::Float, 1e-3, 1e2, true, 0, {}},
              {"q", ParamDistribution::Kind::Float, 0, 1, false, 0.25, {}},
              {"k", ParamDistribution::Kind::Categorical, 0, 0, false, 0, {3, 5, 8}}};
  const TpeSampler tpe{SamplerSettings{}};
  std::vector<ObservedTrial> history;
  for (int k = 0; k < 40; ++k) {
    const ParamValues p = tpe.sample(s, history, k);
    for (const auto& d : s.params) {
      EXPECT_TRUE(d.contains(p.at(d.name))) << d.name << " = " << p.at(d.name);
    }
    history.push_back({k, p, -std::abs(std::log10(p.at("c"))) - p.at("n")});
  }
}

TEST(Samplers, UnknownSamplerListsTheValidOnes) {
  SamplerSettings s;
  s.kind = "grid";
  EXPECT_THROW_MSG(make_sampler(s), UsageError, "unknown sampler 'grid'; samplers: tpe, random");
}

// The acceptance test: after 50 trials, averaged over 20 seeds, TPE's best is closer to the
// optimum than random search's.
TEST(Samplers, TpeBeatsRandomSearchOnAShiftedSphere) {
  const SearchSpace space = quadratic_space();
  double tpe_sum = 0, random_sum = 0, multi_sum = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    SamplerSettings settings;
    settings.seed = seed;
    tpe_sum += best_after(TpeSampler(settings), space, 50);
    settings.multivariate = true;
    multi_sum += best_after(TpeSampler(settings), space, 50);
    random_sum += best_after(RandomSampler(seed), space, 50);
  }
  const double tpe = tpe_sum / 20, random = random_sum / 20, multi = multi_sum / 20;
  std::printf("mean best after 50 trials: tpe %.4f, multivariate tpe %.4f, random %.4f\n", tpe,
              multi, random);
  EXPECT_GT(tpe, random);
  EXPECT_GT(multi, random);
  EXPECT_GT(tpe, 0.5 * random);  // at least twice as close to the optimum (values are negative)
}

}  // namespace
}  // namespace loanrisk::testing
