#pragma once
// Frames compared bit for bit: two ways of reading the same input must give the same values
// (NaN for a missing value compares equal to itself here, unlike with ==).
#include <cstring>

#include "loanrisk/data/frame.hpp"

namespace loanrisk::fuzz {

inline bool same_frame(const Frame& a, const Frame& b) {
  if (a.ids != b.ids || a.lines != b.lines || a.names != b.names) return false;
  if (a.columns.size() != b.columns.size()) return false;
  for (std::size_t c = 0; c < a.columns.size(); ++c) {
    if (a.columns[c].size() != b.columns[c].size()) return false;
    if (!a.columns[c].empty() && std::memcmp(a.columns[c].data(), b.columns[c].data(),
                                             a.columns[c].size() * sizeof(double)) != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace loanrisk::fuzz
