// The bundle reference (round trip, malformed input) and the drift scenarios of the synthetic book
// seen through it: the same distribution stays green, each drift turns its own feature red only.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/data/schema.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/monitor/compare.hpp"
#include "support/test_support.hpp"

namespace loanrisk::monitor {
namespace {

std::vector<double> fake_scores(const Frame& f) {
  // Any deterministic function of the inputs will do for a score reference.
  std::vector<double> s;
  for (double fico : f.column("fico_score")) s.push_back(1.0 - fico / 900.0);
  return s;
}

ModelReference reference_of(std::uint64_t seed) {
  const Frame book = synth_loan_book({20000, seed});
  return build_reference(book, Schema::loan_default().feature_names(), fake_scores(book));
}

std::map<std::string, Status> statuses(const ModelReference& ref, const SynthOptions& options) {
  const Frame book = synth_loan_book(options);
  std::map<std::string, Status> out;
  for (const auto& f : ref.features)
    out[f.name()] = compare_feature(f, book.column(f.name())).status;
  out["score"] = compare_feature(ref.score, fake_scores(book)).status;
  return out;
}

TEST(ModelReference, RoundTripsThroughJson) {
  const ModelReference ref = reference_of(1);
  ASSERT_EQ(ref.features.size(), 6u);
  const ModelReference back = ModelReference::from_json(ref.to_json(), "reference.json");
  ASSERT_EQ(back.features.size(), ref.features.size());
  for (std::size_t k = 0; k < ref.features.size(); ++k) {
    EXPECT_EQ(back.features[k].name(), ref.features[k].name());
    EXPECT_EQ(back.features[k].bins.edges, ref.features[k].bins.edges);
    EXPECT_EQ(back.features[k].bins.shares, ref.features[k].bins.shares);
    EXPECT_EQ(back.features[k].quantiles, ref.features[k].quantiles);
    EXPECT_EQ(back.features[k].quantiles.size(), kSketchPoints);
  }
  EXPECT_EQ(back.score.bins.edges, ref.score.bins.edges);
  EXPECT_EQ(back.rows, 20000u);
}

TEST(ModelReference, RejectsAMalformedDocumentWithWhereAndHow) {
  EXPECT_THROW_MSG(ModelReference::from_json(nlohmann::json::object(), "b/reference.json"),
                   InputError, "b/reference.json has no 'features' array");
  nlohmann::json j = reference_of(1).to_json();
  j["features"][2]["shares"] = {0.5};
  EXPECT_THROW_MSG(ModelReference::from_json(j, "r.json"), InputError,
                   "r.json features[2] (total_debt_outstanding) has inconsistent edges");
  j["features"][2].erase("quantiles");
  EXPECT_THROW_MSG(ModelReference::from_json(j, "r.json"), InputError, "retrain");
}

TEST(CompareFeature, SameValuesGiveZeroDrift) {
  std::vector<double> v;
  for (int i = 0; i < 1000; ++i) v.push_back(i % 97);
  const FeatureReference ref = feature_reference("x", v);
  const FeatureDrift d = compare_feature(ref, v);
  EXPECT_NEAR(d.psi, 0.0, 1e-12);
  EXPECT_LT(d.ks, 0.02);  // the sketch is exact to about one percentile
  EXPECT_LT(d.wasserstein, 0.01);
  EXPECT_EQ(d.status, Status::Green);
  double sum = 0;
  for (const auto& b : d.bins) sum += b.live;
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

TEST(CompareFeature, FewRowsAreInsufficient) {
  const FeatureReference ref = feature_reference("x", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  const FeatureDrift d = compare_feature(ref, std::vector<double>(kMinRows - 1, 100.0));
  EXPECT_TRUE(std::isnan(d.psi));
  EXPECT_EQ(d.status, Status::Insufficient);
  EXPECT_DOUBLE_EQ(d.ks, 1.0);  // still reported: every live value is above the reference
  EXPECT_EQ(d.to_json(ref)["psi"], nullptr);
}

TEST(SynthDrift, TheSameDistributionStaysGreenEverywhere) {
  const ModelReference ref = reference_of(1);
  for (const auto& [name, status] : statuses(ref, {5000, 2})) {
    EXPECT_EQ(status, Status::Green) << name;
  }
}

TEST(SynthDrift, EachKindTurnsItsFeatureRedAndLeavesTheOthersGreen) {
  const ModelReference ref = reference_of(1);
  const std::map<std::string, std::string> own = {{"income_shock", "income"},
                                                  {"fico_shift", "fico_score"},
                                                  {"debt_growth", "total_debt_outstanding"}};
  for (const auto& [kind, feature] : own) {
    SynthOptions o{5000, 3};
    o.drift = kind;
    for (const auto& [name, status] : statuses(ref, o)) {
      if (name == "score") continue;  // the fake score follows FICO, not the inputs in general
      EXPECT_EQ(status, name == feature ? Status::Red : Status::Green) << kind << ": " << name;
    }
  }
}

TEST(SynthDrift, StrengthZeroIsTheUndriftedBookAndUnknownKindsAreRefused) {
  SynthOptions o{500, 9};
  const Frame base = synth_loan_book(o);
  o.drift = "fico_shift";
  o.drift_strength = 0;
  EXPECT_EQ(synth_loan_book(o).columns, base.columns);
  o.drift = "rates_up";
  EXPECT_THROW_MSG(synth_loan_book(o), UsageError,
                   "unknown drift 'rates_up'. Fix: use one of none, income_shock");
}

}  // namespace
}  // namespace loanrisk::monitor
