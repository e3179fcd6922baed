// fit_external_memory: the tree families trained from batches through XGBoost's external memory
// agree with in-memory training, and every failure is a clear error with the page cache removed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/models/external_memory.hpp"
#include "model_test_data.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::auc;
using testing::Labelled;
using testing::logistic_problem;
using testing::TempDir;

// The rows of a labelled set in batches of `batch` rows; `fail_at` > 0 throws at that batch.
class Batches final : public BatchSource {
 public:
  Batches(const Labelled& data, std::size_t batch, std::size_t fail_at = 0)
      : data_(data), batch_(batch), fail_at_(fail_at) {}
  void rewind() override {
    next_ = 0;
    ++rewinds;
  }
  bool next(RowBatch& out) override {
    if (next_ >= data_.X.rows) return false;
    if (fail_at_ > 0 && next_ / batch_ + 1 == fail_at_) {
      throw InputError("book.csv line 123: a bad row");
    }
    const std::size_t end = std::min(next_ + batch_, data_.X.rows);
    out.X.rows = end - next_;
    out.X.cols = data_.X.cols;
    out.X.values.assign(data_.X.values.begin() + static_cast<std::ptrdiff_t>(next_ * data_.X.cols),
                        data_.X.values.begin() + static_cast<std::ptrdiff_t>(end * data_.X.cols));
    out.y.assign(data_.y.begin() + static_cast<std::ptrdiff_t>(next_),
                 data_.y.begin() + static_cast<std::ptrdiff_t>(end));
    out.weights.clear();
    next_ = end;
    return true;
  }
  int rewinds = 0;

 private:
  const Labelled& data_;
  std::size_t batch_, fail_at_;
  std::size_t next_ = 0;
};

class ExternalMemory : public ::testing::Test {
 protected:
  void SetUp() override {
    train_ = logistic_problem(20'000, 6, 1);
    val_ = logistic_problem(3'000, 6, 2);
    test_ = logistic_problem(5'000, 6, 3);
  }
  ExternalMemoryFit spec(const std::string& family) const {
    ExternalMemoryFit s;
    s.family = family;
    s.params = {{"n_estimators", 60}};
    if (family == "random_forest") s.params = {{"n_estimators", 30}};
    s.feature_names = train_.X.names;
    s.cache_dir = cache_.path();
    s.X_val = &val_.X;
    s.y_val = &val_.y;
    return s;
  }
  bool cache_empty() const { return std::filesystem::is_empty(cache_.path()); }

  Labelled train_, val_, test_;
  TempDir cache_;
};

TEST_F(ExternalMemory, EveryTreeFamilyAgreesWithInMemoryTraining) {
  for (const std::string family : {"xgboost", "lightgbm", "random_forest"}) {
    SCOPED_TRACE(family);
    Batches batches(train_, 3'000);  // 7 batches, the last one short
    const ExternalMemoryModel streamed = fit_external_memory(spec(family), batches);
    EXPECT_EQ(streamed.rows, train_.X.rows);
    EXPECT_TRUE(cache_empty()) << "the page cache folder is removed";
    auto in_memory = make_classifier(family, spec(family).params);
    in_memory->fit(train_.X, train_.y, &val_.X, &val_.y, nullptr);
    const double a_streamed = auc(streamed.model->predict_proba(test_.X), test_.y);
    const double a_memory = auc(in_memory->predict_proba(test_.X), test_.y);
    EXPECT_GT(a_streamed, 0.85);
    // The same hist algorithm; only the quantile sketch differs (built over pages): a few
    // thousandths of AUC on 5,000 test rows.
    EXPECT_NEAR(a_streamed, a_memory, 0.01);
    EXPECT_EQ(streamed.model->family(), family);
  }
}

TEST_F(ExternalMemory, MonotoneConstraintsAreRecordedAsInMemory) {
  ExternalMemoryFit s = spec("xgboost");
  s.monotone = {{"x0", 1}, {"x1", -1}};
  Batches batches(train_, 5'000);
  const ExternalMemoryModel m = fit_external_memory(s, batches);
  EXPECT_EQ(m.model->describe()["monotone_constraints"], (nlohmann::json{{"x0", 1}, {"x1", -1}}));
}

TEST_F(ExternalMemory, FamiliesWithoutTreesAreRefused) {
  Batches batches(train_, 5'000);
  EXPECT_FALSE(supports_external_memory("logistic_regression"));
  EXPECT_TRUE(supports_external_memory("lightgbm"));
  EXPECT_THROW_MSG(fit_external_memory(spec("logistic_regression"), batches), UsageError,
                   "needs its rows in memory");
}

TEST_F(ExternalMemory, SourceErrorsPassThroughAndTheCacheIsRemoved) {
  Batches failing(train_, 3'000, 4);
  EXPECT_THROW_MSG(fit_external_memory(spec("xgboost"), failing), InputError,
                   "book.csv line 123: a bad row");
  EXPECT_TRUE(cache_empty());
  Labelled bad = train_;
  bad.y[7'777] = 2;
  Batches bad_label(bad, 3'000);
  EXPECT_THROW_MSG(fit_external_memory(spec("xgboost"), bad_label), InputError,
                   "batch 3 has the label 2");
  EXPECT_TRUE(cache_empty());
  Labelled none = train_;
  none.X.rows = 0;
  Batches empty(none, 3'000);
  EXPECT_THROW_MSG(fit_external_memory(spec("xgboost"), empty), InputError, "no training row");
}

TEST_F(ExternalMemory, AnUnwritableCacheFolderIsNamed) {
  // A folder under a regular file cannot be made, whoever runs the test (root too).
  testing::write_text(cache_.path() / "file", "x");
  ExternalMemoryFit s = spec("xgboost");
  s.cache_dir = cache_.path() / "file" / "cache";
  Batches batches(train_, 5'000);
  EXPECT_THROW_MSG(fit_external_memory(s, batches), InputError,
                   (cache_.path() / "file" / "cache").string());
}

}  // namespace
}  // namespace loanrisk
