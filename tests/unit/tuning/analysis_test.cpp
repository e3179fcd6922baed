// The study analysis the web app's study view draws: pruned and failed trials keep their
// parameters and state but have no objective (never 0), only complete trials enter the slice and
// parallel-coordinates data, and intermediate values are kept per trial.
#include "loanrisk/tuning/analysis.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace loanrisk {
namespace {

TEST(StudyAnalysis, PrunedTrialsKeepParamsAndHaveNoObjective) {
  SearchSpace space = default_search_space("logistic_regression");
  ASSERT_FALSE(space.params.empty());
  const std::string p = space.params[0].name;
  TrialRecord complete{0, TrialState::kComplete, {{p, 1.0}}, 0.8, "", 0, {}, {{10, 0.7}}, {}};
  TrialRecord pruned{1, TrialState::kPruned, {{p, 2.0}}, std::nullopt, "", 0, {}, {{10, 0.3}}, {}};
  TrialRecord failed{2, TrialState::kFail, {{p, 3.0}}, std::nullopt, "", 0, {}, {}, {}};
  StudyInfo study;
  study.name = "s";
  study.family = "logistic_regression";
  const nlohmann::json a = analyse_study(study, space, {complete, pruned, failed});
  EXPECT_EQ(a["states"]["COMPLETE"], 1);
  EXPECT_EQ(a["states"]["PRUNED"], 1);
  EXPECT_EQ(a["states"]["FAIL"], 1);
  ASSERT_EQ(a["history"].size(), 3u);
  EXPECT_EQ(a["history"][1]["state"], "PRUNED");
  EXPECT_TRUE(a["history"][1]["value"].is_null());
  EXPECT_EQ(a["history"][1]["params"][p], 2.0);
  EXPECT_EQ(a["history"][2]["params"][p], 3.0);
  EXPECT_EQ(a["history"][1]["best_so_far"], 0.8);
  ASSERT_EQ(a["parallel_coordinates"].size(), 1u);
  EXPECT_EQ(a["slice"][p].size(), 1u);
  ASSERT_EQ(a["intermediate"].size(), 2u);
  EXPECT_EQ(a["intermediate"][1]["number"], 1);
  EXPECT_EQ(a["intermediate"][1]["steps"][0][1], 0.3);
  EXPECT_EQ(a["best"]["number"], 0);
}

}  // namespace
}  // namespace loanrisk
