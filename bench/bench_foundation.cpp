// Foundation benchmark: CSV reading and batch scoring throughput, each next to a baseline measured
// in the same run (reading the raw bytes and counting lines; XGBoost scoring a prepared matrix).
//   bench_foundation [--rows N]   (default 1,000,000)
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "loanrisk/core/files.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace {

using Clock = std::chrono::steady_clock;

template <typename F>
double best_seconds(int repeats, F&& f) {
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

void report(const std::string& what, std::size_t rows, double seconds, double baseline_seconds,
            const std::string& baseline) {
  const double rate = static_cast<double>(rows) / seconds;
  const double base_rate = static_cast<double>(rows) / baseline_seconds;
  std::printf("%-28s %12.0f rows/s   baseline (%s) %12.0f rows/s   ratio %.3f\n", what.c_str(),
              rate, baseline.c_str(), base_rate, rate / base_rate);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace loanrisk;
  std::size_t rows = 1000000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--rows") == 0) rows = std::stoul(argv[i + 1]);
  }
  const auto dir =
      std::filesystem::temp_directory_path() / ("loanrisk-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const Schema schema = Schema::loan_default();

  const Frame book = synth_loan_book({rows, 1});
  write_frame_csv(dir / "book.csv", book, schema);
  const auto bytes = std::filesystem::file_size(dir / "book.csv");
  std::printf("data: %zu rows, %.1f MB\n", rows, static_cast<double>(bytes) / 1e6);

  // 1. CSV reading: the floor is getting the bytes into memory and finding the line ends.
  std::size_t lines = 0;
  const double t_raw = best_seconds(3, [&] {
    const std::string text = read_file(dir / "book.csv");
    lines = 0;
    for (const char* p = text.data();
         (p = static_cast<const char*>(std::memchr(p, '\n', text.data() + text.size() - p))); ++p) {
      ++lines;
    }
  });
  std::size_t parsed = 0;
  const double t_csv =
      best_seconds(3, [&] { parsed = read_csv(dir / "book.csv", schema).frame.rows(); });
  if (parsed != rows || lines != rows + 1) {
    std::cerr << "row count mismatch: parsed " << parsed << ", lines " << lines << "\n";
    return 1;
  }
  report("csv read + validate", rows, t_csv, t_raw, "read bytes + count lines");

  // 2. Batch scoring: a model trained on a separate synthetic book scores the whole book.
  write_frame_csv(dir / "train.csv", synth_loan_book({20000, 2}), schema);
  TrainRequest req;
  req.data = dir / "train.csv";
  req.out = dir / "bundle";
  const Bundle bundle = train_model(req).bundle;
  const DenseMatrix X = bundle.pipeline.transform(book);
  const double t_model = best_seconds(3, [&] { (void)bundle.model->predict_proba(X); });
  const double t_full = best_seconds(3, [&] { (void)bundle.predict(book); });
  report("batch score (pipeline+model)", rows, t_full, t_model, "XGBoost on prepared matrix");

  std::filesystem::remove_all(dir);
  return 0;
}
