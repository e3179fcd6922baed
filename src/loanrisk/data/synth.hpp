#pragma once
// The synthetic loan book: loanrisk's embedded default data. The generative model is documented in
// synth.cpp and docs/synthetic-data.md; the same seed gives the same book.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "loanrisk/data/frame.hpp"

namespace loanrisk {

/// Size and seed of a synthetic book, and an optional drift scenario for monitoring demos.
struct SynthOptions {
  std::size_t rows = 10000;
  std::uint64_t seed = 42;
  /// none | income_shock | fico_shift | debt_growth (see synth.cpp and docs/monitoring.md).
  std::string drift = "none";
  /// Multiplies the scenario's shift; 1 is the documented default, 0 gives the undrifted book.
  double drift_strength = 1.0;
};

/// The drift scenarios synth_loan_book() knows, "none" first.
const std::vector<std::string>& synth_drift_kinds();

/// A loan book in the loan_default() schema (ids, six features, default), deterministic per seed.
Frame synth_loan_book(const SynthOptions& options);

}  // namespace loanrisk
