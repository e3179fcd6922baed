// Training time of each model family on the real loan data (when present) and on a synthetic
// book, same 60/20/20 split, pipeline and default parameters; the baseline is the xgboost family
// measured in the same run (ratio = xgboost seconds / family seconds; above 1 is faster).
//   bench_families [--rows N]   (default 1,000,000 synthetic rows)
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>

#include "loanrisk/config/config.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/split.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/metrics/classification.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/training/prepare.hpp"

namespace {

using namespace loanrisk;

// Fits every family on one frame and prints seconds, test AUC and the ratio to xgboost.
void bench_frame(const std::string& name, const Frame& all) {
  const TrainConfig config;
  const std::string target = config.schema.target()->name;
  const SplitIndices split = stratified_split(all.column(target), config.split);
  // Prepared as `loanrisk train` prepares them (pipeline, outlier rows, imbalance treatment).
  const PreparedData data =
      prepare_training_data(all.take(split.train), all.take(split.validation), config);
  const Frame test = all.take(split.test);
  const DenseMatrix& X = data.fit.X;
  const DenseMatrix X_test = data.pipeline.transform(test);
  std::printf("%s: %zu training rows, %zu features\n", name.c_str(), X.rows, X.cols);
  std::map<std::string, double> seconds;
  for (const std::string& family : classifier_families()) {
    auto model = make_classifier(family, {});
    const auto start = std::chrono::steady_clock::now();
    model->fit(data.fit.X, data.fit.y, data.val_matrix(), data.val_labels(), data.weights());
    seconds[family] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double auc = auc_roc(test.column(target), model->predict_proba(X_test));
    std::printf("  %-20s %9.3f s   test AUC %.5f\n", family.c_str(), seconds[family], auc);
  }
  for (const auto& [family, s] : seconds) {
    std::printf("  %-20s ratio vs xgboost %.3f\n", family.c_str(), seconds["xgboost"] / s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t rows = 1000000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--rows") == 0) rows = std::stoul(argv[i + 1]);
  }
  try {
    const std::filesystem::path real = LOANRISK_REAL_DATA;
    if (std::filesystem::exists(real)) {
      bench_frame("real data " + real.filename().string(),
                  read_csv(real, Schema::loan_default()).frame);
    }
    bench_frame("synthetic book", synth_loan_book({rows, 1}));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_families: %s\n", e.what());
    return 1;
  }
  return 0;
}
