#pragma once
// The synthetic loan book: loanrisk's embedded default data. The generative model is documented in
// synth.cpp and docs/synthetic-data.md; the same seed gives the same book.
#include <cstddef>
#include <cstdint>

#include "loanrisk/data/frame.hpp"

namespace loanrisk {

/// Size and seed of a synthetic book.
struct SynthOptions {
  std::size_t rows = 10000;
  std::uint64_t seed = 42;
};

/// A loan book in the loan_default() schema (ids, six features, default), deterministic per seed.
Frame synth_loan_book(const SynthOptions& options);

}  // namespace loanrisk
