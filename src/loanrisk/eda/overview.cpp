// Section 1 of the report: counts, duplicates, missing values and validation problems. Missing
// values come from the reader's rejects (a required empty value rejects the row, and its reason
// says "value is empty") plus empty optional values kept as NaN.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

#include "loanrisk/eda/analysis.hpp"

namespace loanrisk::eda {
namespace {

// Mixes a 64-bit value into a running hash (boost::hash_combine's constant, widened).
std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

std::uint64_t bits_of(double v) {
  if (v == 0.0) v = 0.0;  // -0 and 0 are the same value
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

// Rows equal to an earlier row, by `equal(a, b)` on row indices. Rows are grouped by a 64-bit hash
// (sorting (hash, row) pairs is several times faster than a node-based set on a million rows), then
// compared exactly within each group, so a hash collision never counts as a duplicate.
template <typename Equal>
std::size_t count_repeats(const std::vector<std::uint64_t>& hashes, Equal equal) {
  std::vector<std::pair<std::uint64_t, std::size_t>> order(hashes.size());
  for (std::size_t r = 0; r < hashes.size(); ++r) order[r] = {hashes[r], r};
  std::sort(order.begin(), order.end());
  std::size_t repeats = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i + 1;
    while (j < order.size() && order[j].first == order[i].first) ++j;
    for (std::size_t t = i + 1; t < j; ++t) {
      for (std::size_t u = i; u < t; ++u) {
        if (equal(order[u].second, order[t].second)) {
          ++repeats;
          break;
        }
      }
    }
    i = j;
  }
  return repeats;
}

}  // namespace

Overview overview_of(const ReadResult& read, const Schema& schema, std::size_t max_reasons) {
  const Frame& f = read.frame;
  Overview o;
  o.rows_read = read.rows_read;
  o.rows_valid = f.rows();
  o.rejects = read.rejects.size();
  o.warnings = read.warnings;
  for (const auto& spec : schema.columns) {
    const bool present = &spec == schema.id() ? !f.ids.empty() : f.has(spec.name);
    if (!present) continue;
    o.column_types.emplace_back(spec.name, std::string(to_string(spec.type)));
    o.missing[spec.name] = 0;
  }
  for (const auto& reject : read.rejects) {
    if (o.reject_reasons.size() < max_reasons) o.reject_reasons.push_back(reject.reason);
    if (!reject.column.empty() && reject.reason.find("value is empty") != std::string::npos) {
      ++o.missing[reject.column];
    }
  }
  for (std::size_t j = 0; j < f.names.size(); ++j) {
    const auto& c = f.columns[j];
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : c) {
      if (std::isnan(v)) {
        ++o.missing[f.names[j]];
      } else {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
    if (lo == hi) o.constant_columns.push_back(f.names[j]);
  }
  const std::size_t n = f.rows();
  std::vector<std::uint64_t> id_hash(n, 0), row_hash(n, 0);
  for (std::size_t r = 0; r < n && !f.ids.empty(); ++r) {
    id_hash[r] = std::hash<std::string>{}(f.ids[r]);
  }
  for (std::size_t r = 0; r < n; ++r) {
    std::uint64_t h = id_hash[r];
    for (const auto& c : f.columns) h = mix(h, bits_of(c[r]));
    row_hash[r] = h;
  }
  if (!f.ids.empty()) {
    o.duplicated_ids =
        count_repeats(id_hash, [&](std::size_t a, std::size_t b) { return f.ids[a] == f.ids[b]; });
    if (n > 1 && o.duplicated_ids == n - 1) {
      o.constant_columns.insert(o.constant_columns.begin(), schema.id()->name);
    }
  }
  o.duplicated_rows = count_repeats(row_hash, [&](std::size_t a, std::size_t b) {
    if (!f.ids.empty() && f.ids[a] != f.ids[b]) return false;
    for (const auto& c : f.columns) {
      if (!(c[a] == c[b] || (std::isnan(c[a]) && std::isnan(c[b])))) return false;
    }
    return true;
  });
  return o;
}

}  // namespace loanrisk::eda
