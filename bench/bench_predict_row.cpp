// Single-applicant scoring latency of each model family, as the predict route scores one row:
// pipeline transform, the model's PD and calibration (Bundle::predict), and for the scorecard its
// points too. Bundles are trained on the real data when present, else a synthetic book, with the
// default parameters; rounds alternate between families and the best round's median counts (the
// least disturbed by other processes). The baseline is xgboost measured in the same run: ratio =
// family microseconds / xgboost microseconds (below 1 is faster).
//   bench_predict_row [--requests N]   (default 20,000 per round)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace {

using namespace loanrisk;
using Clock = std::chrono::steady_clock;

/// Median microseconds per single-row prediction over `requests` rows of the book.
double micros(const Bundle& bundle, const std::vector<Frame>& rows, std::size_t requests,
              bool points) {
  std::vector<double> times;
  times.reserve(requests);
  double sink = 0;
  for (std::size_t i = 0; i < requests; ++i) {
    const Frame& row = rows[i % rows.size()];
    const auto start = Clock::now();
    sink += bundle.predict(row)[0];
    if (points) sink += bundle.model->points(bundle.pipeline.transform(row))[0];
    times.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  if (sink < 0) std::printf("%f\n", sink);  // keeps the work from being optimised away
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t requests = 20000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--requests") == 0) requests = std::stoul(argv[i + 1]);
  }
  try {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / "loanrisk-bench-predict-row";
    std::filesystem::create_directories(dir);
    const std::filesystem::path real = LOANRISK_REAL_DATA;
    const std::filesystem::path data = std::filesystem::exists(real) ? real : dir / "book.csv";
    if (data != real) write_frame_csv(data, synth_loan_book({10000, 1}), Schema::loan_default());
    std::printf("data: %s\n", data.string().c_str());
    const Frame book = read_csv(data, Schema::loan_default()).frame;
    std::vector<Frame> rows;
    for (std::size_t i = 0; i < std::min<std::size_t>(book.rows(), 1000); ++i) {
      rows.push_back(book.take({i}));
    }
    const std::vector<std::string> families = {"xgboost", "lightgbm", "logistic_regression",
                                               "scorecard"};
    std::map<std::string, Bundle> bundles;
    for (const std::string& family : families) {
      TrainRequest req;
      req.data = data;
      req.out = dir / family;
      req.overwrite = true;
      req.write_report = false;
      req.config.family = family;
      bundles.emplace(family, train_model(req).bundle);
    }
    std::map<std::string, double> best;
    for (int round = 0; round < 5; ++round) {
      for (const std::string& family : families) {
        const double us = micros(bundles.at(family), rows, requests, false);
        best[family] = round == 0 ? us : std::min(best[family], us);
      }
    }
    const double with_points = micros(bundles.at("scorecard"), rows, requests, true);
    for (const std::string& family : families) {
      std::printf("  %-20s %8.2f us per row   ratio vs xgboost %.3f\n", family.c_str(),
                  best[family], best[family] / best["xgboost"]);
    }
    std::printf("  %-20s %8.2f us per row   (PD and points, as the predict route)\n",
                "scorecard+points", with_points);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_predict_row: %s\n", e.what());
    return 1;
  }
  return 0;
}
