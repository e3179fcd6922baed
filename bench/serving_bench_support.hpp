#pragma once
// What the in-process serving benchmarks (bench_monitor, bench_handler) share: a request body per
// applicant and the process's CPU clock.
#include <time.h>

#include <cstddef>
#include <string>

#include "loanrisk/data/frame.hpp"

namespace loanrisk::bench {

/// The POST /api/v1/predict body of row i of a loan book (every column but the target).
inline std::string applicant_json(const Frame& book, std::size_t i) {
  std::string s = "{\"customer_id\":\"" + book.ids[i] + "\"";
  for (std::size_t c = 0; c < book.names.size(); ++c) {
    if (book.names[c] == "default") continue;
    s += ",\"" + book.names[c] + "\":" + std::to_string(book.columns[c][i]);
  }
  return s + "}";
}

/// CPU seconds used by the whole process so far (every thread).
inline double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace loanrisk::bench
