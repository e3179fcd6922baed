#include "loanrisk/metrics/classification.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using Vec = std::vector<double>;

TEST(Ranking, HandComputedSmallCase) {
  // Pairs (pos, neg): 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 -> 3 of 4 -> AUC 0.75.
  // Descending: 0.8 (pos) P=1 R=.5; 0.4 (neg); 0.35 (pos) P=2/3 R=1 -> AP = .5*1 + .5*2/3.
  const Vec y{0, 0, 1, 1}, s{0.1, 0.4, 0.35, 0.8};
  EXPECT_DOUBLE_EQ(auc_roc(y, s), 0.75);
  EXPECT_DOUBLE_EQ(average_precision(y, s), 0.8333333333333333);
  // Thresholds 0.8: tpr .5 fpr 0; 0.4: .5/.5; 0.35: 1/.5; 0.1: 1/1 -> KS 0.5.
  EXPECT_DOUBLE_EQ(ks_statistic(y, s), 0.5);
}

TEST(Ranking, AllTiedGivesHalfCreditAndPrevalence) {
  const Vec y{0, 1, 0, 1}, s{0.5, 0.5, 0.5, 0.5};
  EXPECT_DOUBLE_EQ(auc_roc(y, s), 0.5);
  EXPECT_DOUBLE_EQ(average_precision(y, s), 0.5);
  EXPECT_DOUBLE_EQ(ks_statistic(y, s), 0.0);
}

TEST(Ranking, PartialTiesAreGroupedNotOrderedByInputPosition) {
  // Positive and negative tied at 0.6: half credit for that pair; ordering them either way in the
  // input must not change anything.
  const Vec y1{1, 0, 1, 0}, s1{0.6, 0.6, 0.9, 0.2};
  const Vec y2{0, 1, 1, 0}, s2{0.6, 0.6, 0.9, 0.2};
  // pairs: (0.6,0.6)=.5, (0.6,0.2)=1, (0.9,0.6)=1, (0.9,0.2)=1 -> 3.5/4.
  EXPECT_DOUBLE_EQ(auc_roc(y1, s1), 0.875);
  EXPECT_DOUBLE_EQ(auc_roc(y2, s2), 0.875);
  // 0.9: P=1 R=.5; 0.6 group: P=2/3 R=1 -> .5 + .5*2/3.
  EXPECT_DOUBLE_EQ(average_precision(y1, s1), 0.8333333333333333);
  EXPECT_DOUBLE_EQ(average_precision(y2, s2), 0.8333333333333333);
  // 0.9: |.5 - 0| = .5; 0.6: |1 - .5| = .5; 0.2: 0.
  EXPECT_DOUBLE_EQ(ks_statistic(y1, s1), 0.5);
}

TEST(Ranking, PerfectAndInvertedSeparation) {
  const Vec y{0, 0, 0, 1, 1};
  const Vec good{0.1, 0.2, 0.3, 0.7, 0.9};
  const Vec bad{0.9, 0.8, 0.7, 0.2, 0.1};
  EXPECT_DOUBLE_EQ(auc_roc(y, good), 1.0);
  EXPECT_DOUBLE_EQ(ks_statistic(y, good), 1.0);
  EXPECT_DOUBLE_EQ(average_precision(y, good), 1.0);
  EXPECT_DOUBLE_EQ(auc_roc(y, bad), 0.0);
  EXPECT_DOUBLE_EQ(ks_statistic(y, bad), 1.0);  // two-sided: the gap's sign is not kept
  // Inverted: positives are found last: P at R=.5 is 1/4, at R=1 is 2/5.
  EXPECT_DOUBLE_EQ(average_precision(y, bad), 0.5 * 0.25 + 0.5 * 0.4);
}

TEST(Ranking, OneClassGivesNaN) {
  EXPECT_TRUE(std::isnan(auc_roc({1, 1, 1}, {0.2, 0.5, 0.9})));
  EXPECT_TRUE(std::isnan(auc_roc({0, 0}, {0.2, 0.5})));
  EXPECT_TRUE(std::isnan(auc_roc({}, {})));
  EXPECT_TRUE(std::isnan(ks_statistic({0, 0}, {0.2, 0.5})));
  EXPECT_TRUE(std::isnan(average_precision({0, 0}, {0.2, 0.5})));
  // Only positives: every threshold has precision 1.
  EXPECT_DOUBLE_EQ(average_precision({1, 1}, {0.2, 0.5}), 1.0);
}

TEST(Ranking, AucEqualsPairCountingOnRandomTies) {
  // The trapezoid over distinct thresholds must equal the O(n^2) Mann-Whitney count with half
  // credit for ties; scores on a coarse grid make many ties.
  std::mt19937 gen(42);
  std::uniform_int_distribution<int> grid(0, 9), coin(0, 1);
  Vec y(300), s(300);
  for (std::size_t i = 0; i < y.size(); ++i) {
    y[i] = coin(gen);
    s[i] = grid(gen) / 10.0 + 0.05 * y[i] * grid(gen);
  }
  double wins = 0, pairs = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    for (std::size_t k = 0; k < y.size(); ++k) {
      if (y[i] != 1 || y[k] != 0) continue;
      pairs += 1;
      wins += s[i] > s[k] ? 1.0 : (s[i] == s[k] ? 0.5 : 0.0);
    }
  }
  EXPECT_NEAR(auc_roc(y, s), wins / pairs, 1e-15);
}

// Reference values computed with scikit-learn 1.2.1 (Debian python3-sklearn):
// roc_auc_score, average_precision_score, brier_score_loss, log_loss(eps=1e-15), and
// max|tpr - fpr| of roc_curve(drop_intermediate=False) (= scipy ks_2samp statistic).
// At 0.5: f1_score, precision_score, recall_score, accuracy_score of (s >= 0.5).
const Vec kY20{1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
const Vec kS20{0.4, 0.4, 0.4, 0.5, 0.5, 0.5, 0.7, 0.4, 0.3, 0.5,
               0.1, 0.3, 0.6, 0.0, 0.0, 0.5, 0.2, 0.7, 0.3, 0.3};

TEST(Sklearn, TwentyRowsWithTies) {
  EXPECT_DOUBLE_EQ(auc_roc(kY20, kS20), 0.898989898989899);
  EXPECT_DOUBLE_EQ(average_precision(kY20, kS20), 0.8806818181818181);
  EXPECT_DOUBLE_EQ(ks_statistic(kY20, kS20), 0.6868686868686869);
  EXPECT_DOUBLE_EQ(brier_score(kY20, kS20), 0.182);
  EXPECT_NEAR(log_loss(kY20, kS20), 0.5276055468472902, 1e-14);
  const ConfusionMatrix cm = confusion_at(kY20, kS20, 0.5);
  EXPECT_EQ(cm.tp, 7);
  EXPECT_EQ(cm.fp, 1);
  EXPECT_EQ(cm.tn, 8);
  EXPECT_EQ(cm.fn, 4);
  EXPECT_DOUBLE_EQ(f1(cm), 0.7368421052631579);
  EXPECT_DOUBLE_EQ(precision(cm), 0.875);
  EXPECT_DOUBLE_EQ(recall(cm), 0.6363636363636364);
  EXPECT_DOUBLE_EQ(accuracy(cm), 0.75);
}

TEST(Probabilistic, BrierAndLogLossByHand) {
  const Vec y{0, 0, 1, 1}, p{0.1, 0.4, 0.35, 0.8};
  // (.01 + .16 + .4225 + .04) / 4
  EXPECT_DOUBLE_EQ(brier_score(y, p), 0.158125);
  // sklearn 1.2.1 log_loss(eps=1e-15): 0.47228795380917615
  EXPECT_NEAR(log_loss(y, p), 0.47228795380917615, 1e-15);
  EXPECT_DOUBLE_EQ(log_loss(y, p),
                   -(std::log(0.9) + std::log(0.6) + std::log(0.35) + std::log(0.8)) / 4);
}

TEST(Probabilistic, LogLossClipsZeroAndOne) {
  // Confident and wrong: -log(1e-15) and -log(1 - (1 - 1e-15)), not infinity.
  // sklearn 1.2.1 log_loss([0,1,1,0], [0,1,0,1], eps=1e-15) = 17.26958809681289
  const double loss = log_loss({0, 1, 1, 0}, {0.0, 1.0, 0.0, 1.0});
  EXPECT_TRUE(std::isfinite(loss));
  EXPECT_NEAR(loss, 17.26958809681289, 1e-12);
  // Confident and right: nearly zero, still finite.
  EXPECT_LT(log_loss({0, 1}, {0.0, 1.0}), 2e-15);
  EXPECT_NEAR(log_loss({1}, {0.0}, 1e-3), -std::log(1e-3), 1e-15);
  EXPECT_THROW_MSG(log_loss({1}, {0.5}, 0.0), UsageError, "eps must lie in (0, 0.5)");
  EXPECT_TRUE(std::isnan(brier_score({}, {})));
  EXPECT_TRUE(std::isnan(log_loss({}, {})));
}

TEST(Threshold, ProbabilityEqualToThresholdIsPositive) {
  const ConfusionMatrix cm = confusion_at({1, 0, 1, 0}, {0.5, 0.5, 0.49, 0.2}, 0.5);
  EXPECT_EQ(cm.tp, 1);
  EXPECT_EQ(cm.fp, 1);
  EXPECT_EQ(cm.fn, 1);
  EXPECT_EQ(cm.tn, 1);
}

TEST(Threshold, ZeroDivisionGivesZero) {
  const ConfusionMatrix none = confusion_at({1, 0, 1}, {0.1, 0.2, 0.3}, 0.9);
  EXPECT_EQ(none.tp + none.fp, 0);
  EXPECT_DOUBLE_EQ(precision(none), 0.0);
  EXPECT_DOUBLE_EQ(recall(none), 0.0);
  EXPECT_DOUBLE_EQ(f1(none), 0.0);
  EXPECT_DOUBLE_EQ(accuracy(none), 1.0 / 3.0);
  const ConfusionMatrix no_pos = confusion_at({0, 0}, {0.1, 0.2}, 0.5);
  EXPECT_DOUBLE_EQ(recall(no_pos), 0.0);
  EXPECT_TRUE(std::isnan(accuracy(ConfusionMatrix{})));
}

TEST(Validation, MessagesNameTheIndexAndValue) {
  EXPECT_THROW_MSG(auc_roc({0, 1}, {0.5}), InputError,
                   "labels and scores differ in size: 2 labels, 1 scores");
  EXPECT_THROW_MSG(auc_roc({0, 2}, {0.5, 0.6}), InputError,
                   "label at index 1 is 2; labels must be exactly 0 or 1");
  EXPECT_THROW_MSG(auc_roc({0, 1}, {0.5, std::nan("")}), InputError, "NaN in scores at index 1");
  EXPECT_THROW_MSG(evaluate_classification({0, 1, 1}, {0.5, 1.5, 0.2}, 0.5), InputError,
                   "probability at index 1 is 1.5; probabilities must be finite and within [0, 1]");
  EXPECT_THROW_MSG(
      evaluate_classification({0, 1}, {0.5, std::numeric_limits<double>::infinity()}, 0.5),
      InputError, "probability at index 1 is inf");
  EXPECT_THROW_MSG(evaluate_classification({0, 1}, {0.5, -0.25}, 0.5), InputError,
                   "probability at index 1 is -0.25");
  EXPECT_THROW_MSG(evaluate_classification({0.5}, {0.5}, 0.5), InputError,
                   "label at index 0 is 0.5");
  EXPECT_THROW_MSG(evaluate_classification({0, 1}, {0.5}, 0.5), InputError,
                   "labels and probabilities differ in size: 2 labels, 1 probabilities");
  EXPECT_THROW_MSG(evaluate_classification({}, {}, 0.5), InputError, "no rows to evaluate");
}

TEST(Report, MatchesTheSingleMetrics) {
  const ClassificationReport r = evaluate_classification(kY20, kS20, 0.5);
  EXPECT_EQ(r.n, 20u);
  EXPECT_EQ(r.positives, 11u);
  EXPECT_DOUBLE_EQ(r.threshold, 0.5);
  EXPECT_DOUBLE_EQ(r.auc_roc, 0.898989898989899);
  EXPECT_DOUBLE_EQ(r.gini, 2 * 0.898989898989899 - 1);
  EXPECT_DOUBLE_EQ(r.pr_auc, 0.8806818181818181);
  EXPECT_DOUBLE_EQ(r.ks, 0.6868686868686869);
  EXPECT_DOUBLE_EQ(r.brier, 0.182);
  EXPECT_DOUBLE_EQ(r.log_loss, log_loss(kY20, kS20));
  EXPECT_DOUBLE_EQ(r.f1, 0.7368421052631579);
  EXPECT_DOUBLE_EQ(r.precision, 0.875);
  EXPECT_DOUBLE_EQ(r.recall, 0.6363636363636364);
  EXPECT_DOUBLE_EQ(r.accuracy, 0.75);
  EXPECT_EQ(r.confusion.tp, 7);
  EXPECT_EQ(r.confusion.fn, 4);

  const nlohmann::json j = r.to_json();
  EXPECT_EQ(j.at("n"), 20);
  EXPECT_EQ(j.at("positives"), 11);
  EXPECT_DOUBLE_EQ(j.at("auc_roc").get<double>(), 0.898989898989899);
  EXPECT_DOUBLE_EQ(j.at("gini").get<double>(), r.gini);
  EXPECT_EQ(j.at("confusion_matrix"), (nlohmann::json{{"tp", 7}, {"fp", 1}, {"tn", 8}, {"fn", 4}}));
  for (const char* key : {"auc_roc", "pr_auc", "f1", "recall", "precision", "accuracy", "brier",
                          "log_loss", "ks", "gini", "threshold"}) {
    EXPECT_TRUE(j.at(key).is_number_float()) << key;
  }
  EXPECT_EQ(j.size(), 14u);
}

TEST(Report, OneClassWritesNullNotNaN) {
  const ClassificationReport r = evaluate_classification({0, 0, 0}, {0.1, 0.7, 0.2}, 0.5);
  EXPECT_TRUE(std::isnan(r.auc_roc));
  EXPECT_TRUE(std::isnan(r.gini));
  EXPECT_TRUE(std::isnan(r.pr_auc));
  EXPECT_TRUE(std::isnan(r.ks));
  EXPECT_DOUBLE_EQ(r.accuracy, 2.0 / 3.0);
  const nlohmann::json j = r.to_json();
  EXPECT_TRUE(j.at("auc_roc").is_null());
  EXPECT_TRUE(j.at("gini").is_null());
  EXPECT_TRUE(j.at("pr_auc").is_null());
  EXPECT_TRUE(j.at("ks").is_null());
  EXPECT_EQ(j.dump().find("NaN"), std::string::npos);
  EXPECT_NE(j.dump().find("\"auc_roc\":null"), std::string::npos);
}

}  // namespace
}  // namespace loanrisk
