// EDA benchmark: `loanrisk eda`'s work (read + validate + every statistic + both report files) on a
// synthetic book, next to pandas + scipy computing the same statistics in the same run
// (bench/eda_pandas.py with /usr/bin/python3; skipped with a message when pandas is missing).
//   bench_eda [--rows N] [--python PATH]   (default 1,000,000 rows, /usr/bin/python3)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/eda/report.hpp"

namespace {

// Runs a command and returns its standard output.
std::string capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  pclose(pipe);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace loanrisk;
  std::size_t rows = 1000000;
  std::string python = "/usr/bin/python3";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--rows") == 0) rows = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--python") == 0) python = argv[i + 1];
  }
  const auto dir =
      std::filesystem::temp_directory_path() / ("loanrisk-bench-eda-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  write_frame_csv(dir / "book.csv", synth_loan_book({rows, 1}), Schema::loan_default());
  std::printf("data: %zu rows, %.1f MB\n", rows,
              static_cast<double>(std::filesystem::file_size(dir / "book.csv")) / 1e6);

  const auto t0 = std::chrono::steady_clock::now();
  const eda::EdaReport report =
      eda::analyze_file(dir / "book.csv", Schema::loan_default(), eda::EdaOptions::defaults());
  eda::write_report(dir / "eda", report);
  const double ours = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("loanrisk eda (read + stats + report): %.3f s\n", ours);

  const std::string script = std::string(LOANRISK_SOURCE_DIR) + "/bench/eda_pandas.py";
  const std::string out =
      capture("'" + python + "' '" + script + "' '" + (dir / "book.csv").string() + "' 2>&1");
  double theirs = 0.0;
  if (std::sscanf(out.c_str(), "seconds %lf", &theirs) == 1 && theirs > 0.0) {
    std::printf("pandas + scipy (read + stats):        %.3f s\n", theirs);
    std::printf("ratio (pandas time / loanrisk time):  %.2f\n", theirs / ours);
  } else {
    std::printf("baseline skipped: %s", out.empty() ? "python3 not found\n" : out.c_str());
  }
  std::filesystem::remove_all(dir);
  return 0;
}
