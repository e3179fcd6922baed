// Native tree evaluation and TreeSHAP (TreeEnsemble) against XGBoost's C API on the same model, in
// the same run: microseconds per row for single-row calls (what POST /api/v1/predict pays), a
// sweep of batch sizes (where the tree classifier switches to XGBoost) and a large batch. Ratio =
// XGBoost time / native time (above 1 = native faster). Real data when present, else synthetic.
//   bench_treeshap [--rows N] [--batch N] [--seconds S]
//   (defaults: 100,000 synthetic training rows, 10,000-row batch, 0.5 s per measurement)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "loanrisk/config/config.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/split.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/models/tree_classifier.hpp"
#include "loanrisk/models/tree_ensemble.hpp"
#include "loanrisk/training/prepare.hpp"

namespace {

using namespace loanrisk;
using Clock = std::chrono::steady_clock;

double g_seconds = 0.5;
volatile double g_sink = 0;  // keeps results observable so no call is optimised away

// Microseconds per call of fn(i), called with i = 0, 1, ... for at least g_seconds (and at least
// twice after a warm-up call; a call longer than g_seconds is timed alone).
template <typename Fn>
double micros_per_call(Fn&& fn) {
  const auto warm = Clock::now();
  fn(0);
  const double first = std::chrono::duration<double>(Clock::now() - warm).count();
  if (first >= g_seconds) {
    const auto start = Clock::now();
    fn(1);
    return std::chrono::duration<double>(Clock::now() - start).count() * 1e6;
  }
  std::size_t calls = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    fn(calls++);
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < g_seconds || calls < 2);
  return elapsed * 1e6 / static_cast<double>(calls);
}

DenseMatrix rows_of(const DenseMatrix& X, std::size_t begin, std::size_t count) {
  DenseMatrix out{count, X.cols, {}, X.names};
  for (std::size_t i = 0; i < count; ++i) {
    const float* row = X.row((begin + i) % X.rows);
    out.values.insert(out.values.end(), row, row + X.cols);
  }
  return out;
}

void print_ratio(const char* what, double native_us, double xgboost_us, std::size_t rows) {
  std::printf("    %-22s native %10.2f us/row   xgboost %10.2f us/row   ratio %7.2f\n", what,
              native_us / static_cast<double>(rows), xgboost_us / static_cast<double>(rows),
              xgboost_us / native_us);
}

void bench_family(const std::string& family, const DenseMatrix& X, const std::vector<float>& y,
                  const DenseMatrix& X_val, const std::vector<float>& y_val,
                  const DenseMatrix& X_test, std::size_t batch) {
  auto model = make_classifier(family, {});
  model->fit(X, y, &X_val, &y_val, nullptr);
  const auto& tree = dynamic_cast<const models::TreeClassifier&>(*model);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("bench_treeshap_" + family);
  std::filesystem::create_directories(dir);
  model->save(dir);
  const models::TreeEnsemble native =
      models::TreeEnsemble::from_json(read_file(dir / models::TreeClassifier::kModelFile));
  std::filesystem::remove_all(dir);
  std::printf(
      "  %s: %zu trees (TreeSHAP: %zu with leaf tables, %zu of them with a threshold grid), native "
      "scoring of small batches %s\n",
      family.c_str(), native.num_trees(), native.tabled_trees(), native.gridded_trees(),
      tree.native() ? "on" : "OFF");

  // Single rows through the classifier: exactly what the serving layer calls.
  std::vector<DenseMatrix> singles;
  for (std::size_t i = 0; i < 256; ++i) singles.push_back(rows_of(X_test, i * 7, 1));
  const auto one = [&](std::size_t i) -> const DenseMatrix& { return singles[i % singles.size()]; };
  print_ratio(
      "predict, 1 row",
      micros_per_call([&](std::size_t i) { g_sink = model->predict_proba(one(i))[0]; }),
      micros_per_call([&](std::size_t i) { g_sink = tree.xgboost_predict_proba(one(i))[0]; }), 1);
  print_ratio(
      "SHAP, 1 row",
      micros_per_call([&](std::size_t i) { g_sink = model->contributions(one(i))[0]; }),
      micros_per_call([&](std::size_t i) { g_sink = tree.xgboost_contributions(one(i))[0]; }), 1);

  // Batch sizes around the old crossover, then the large batch; SHAP by the native ensemble
  // directly (the classifier hands batches over kNativeShapMaxRows to XGBoost).
  std::vector<std::size_t> sizes = {8, 64, 256, batch};
  for (const std::size_t n : sizes) {
    const DenseMatrix block = rows_of(X_test, 0, n);
    std::vector<float> out(n * (block.cols + 1));
    const std::string label = std::to_string(n) + " rows";
    // The classifier's own path (the batch kernels, on its threads) against XGBoost's.
    print_ratio(
        ("predict, " + label).c_str(),
        micros_per_call([&](std::size_t) { g_sink = model->predict_proba(block)[0]; }),
        micros_per_call([&](std::size_t) { g_sink = tree.xgboost_predict_proba(block)[0]; }), n);
    print_ratio(
        ("SHAP, " + label).c_str(), micros_per_call([&](std::size_t) {
          native.contributions(block.values.data(), n, out.data());
          g_sink = out[0];
        }),
        micros_per_call([&](std::size_t) { g_sink = tree.xgboost_contributions(block)[0]; }), n);
  }
}

void bench_frame(const std::string& name, const Frame& all, std::size_t batch) {
  const TrainConfig config;
  const std::string target = config.schema.target()->name;
  const SplitIndices split = stratified_split(all.column(target), config.split);
  // Prepared as `loanrisk train` prepares them (pipeline, outlier rows, imbalance treatment).
  const PreparedData data =
      prepare_training_data(all.take(split.train), all.take(split.validation), config);
  const DenseMatrix& X = data.fit.X;
  const DenseMatrix X_test = data.pipeline.transform(all.take(split.test));
  std::printf("%s: %zu training rows, %zu features, batches drawn from %zu test rows\n",
              name.c_str(), X.rows, X.cols, X_test.rows);
  for (const std::string family : {"xgboost", "lightgbm", "random_forest"}) {
    bench_family(family, X, data.fit.y, data.X_val, data.y_val_f, X_test, batch);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // lines appear as measured, also through a pipe
  std::size_t rows = 100000;
  std::size_t batch = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--rows") == 0) {
      rows = std::stoul(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--batch") == 0) {
      batch = std::stoul(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--seconds") == 0) {
      g_seconds = std::stod(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: bench_treeshap [--rows N] [--batch N] [--seconds S]\n");
      return 2;
    }
  }
  try {
    const std::filesystem::path real = LOANRISK_REAL_DATA;
    if (std::filesystem::exists(real)) {
      bench_frame("real data " + real.filename().string(),
                  read_csv(real, Schema::loan_default()).frame, batch);
    } else {
      bench_frame("synthetic book", synth_loan_book({rows, 1}), batch);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_treeshap: %s\n", e.what());
    return 1;
  }
  return 0;
}
