#pragma once
// A small seeded generator whose sequences are the same on every platform and library version
// (std::*_distribution are implementation-defined), so seeds reproduce splits and synthetic data.
#include <cstdint>

namespace loanrisk {

/// xoshiro256** seeded through splitmix64.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  /// Next raw 64-bit value.
  std::uint64_t next();
  /// Uniform in [0, 1).
  double uniform();
  /// Uniform integer in [0, n), without modulo bias. n must be > 0.
  std::uint64_t below(std::uint64_t n);
  /// Standard normal (Marsaglia polar method).
  double normal();

 private:
  std::uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace loanrisk
