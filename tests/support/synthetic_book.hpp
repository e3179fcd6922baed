#pragma once
// A synthetic loan book written to a temp folder and a request to train on it, for the tests that
// run the whole training workflow.
#include <cstddef>
#include <cstdint>

#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/workflow/workflows.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {

/// Writes `rows` synthetic rows (seed `seed`) to dir/book.csv and returns a request training on it
/// into dir/bundle with the default config.
inline TrainRequest train_on_synthetic_book(const TempDir& dir, std::size_t rows,
                                            std::uint64_t seed) {
  write_frame_csv(dir / "book.csv", synth_loan_book({rows, seed}), Schema::loan_default());
  TrainRequest req;
  req.data = dir / "book.csv";
  req.out = dir / "bundle";
  return req;
}

}  // namespace loanrisk::testing
