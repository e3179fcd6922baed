#include "loanrisk/monitor/live_window.hpp"

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/eda/quantiles.hpp"
#include "loanrisk/monitor/compare.hpp"

namespace loanrisk::monitor {
namespace {

// PSI of a column's counts, whose last slot holds the missing values.
double column_psi(const FeatureReference& ref, const std::vector<std::size_t>& counts) {
  if (counts.empty()) return std::nan("");
  const std::vector<std::size_t> present(counts.begin(), counts.end() - 1);
  return psi_with_missing(ref.bins.shares, ref.missing_share, present, counts.back());
}

}  // namespace

LiveWindow::LiveWindow(ModelReference reference, std::size_t capacity)
    : reference_(std::move(reference)),
      capacity_(capacity),
      columns_(reference_.features.size() + 1) {
  if (capacity_ == 0) throw UsageError("the drift window must hold at least one row");
  for (const auto& f : reference_.features) names_.push_back(f.name());
  ring_.assign(capacity_ * columns_, 0);
  values_.assign(capacity_ * columns_, 0.0);
  counts_.resize(columns_);
  for (std::size_t c = 0; c < columns_; ++c) {
    const auto bins = column_reference(c).bins.shares.size();
    if (bins >= 65535) throw InputError("reference has too many bins for the live window");
    counts_[c].assign(bins == 0 ? 0 : bins + 1, 0);  // the last slot counts missing values
  }
}

const FeatureReference& LiveWindow::column_reference(std::size_t c) const {
  return c + 1 == columns_ ? reference_.score : reference_.features[c];
}

void LiveWindow::add(const std::vector<double>& values, double score) {
  if (values.size() + 1 != columns_) {
    throw InternalError("live window row has " + std::to_string(values.size()) +
                        " values, expected " + std::to_string(columns_ - 1));
  }
  // Bins are found outside the lock: only the counts are shared. A model's few columns fit on
  // the stack (this runs for every scored row).
  std::array<std::uint16_t, 64> few;
  std::vector<std::uint16_t> many;
  if (columns_ > few.size()) many.resize(columns_);
  std::uint16_t* const idx = columns_ > few.size() ? many.data() : few.data();
  for (std::size_t c = 0; c < columns_; ++c) {
    const double v = c + 1 == columns_ ? score : values[c];
    const auto& ref = column_reference(c);
    const std::size_t bins = ref.bins.shares.size();
    idx[c] = static_cast<std::uint16_t>(bins == 0           ? 0
                                        : !std::isfinite(v) ? bins
                                                            : eda::bin_index(ref.bins.edges, v));
  }
  std::lock_guard lock(mutex_);
  std::uint16_t* slot = &ring_[next_ * columns_];
  double* kept = &values_[next_ * columns_];
  for (std::size_t c = 0; c + 1 < columns_; ++c) kept[c] = values[c];
  kept[columns_ - 1] = score;
  for (std::size_t c = 0; c < columns_; ++c) {
    if (counts_[c].empty()) continue;
    if (count_ == capacity_) --counts_[c][slot[c]];
    slot[c] = idx[c];
    ++counts_[c][idx[c]];
  }
  next_ = (next_ + 1) % capacity_;
  if (count_ < capacity_) ++count_;
}

std::size_t LiveWindow::count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

std::vector<std::pair<std::string, double>> LiveWindow::psi_values() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, double>> out;
  for (std::size_t c = 0; c < columns_; ++c) {
    const auto& ref = column_reference(c);
    out.emplace_back(ref.name(), count_ >= kMinRows ? column_psi(ref, counts_[c]) : std::nan(""));
  }
  return out;
}

std::size_t LiveWindow::column_index(const std::string& name) const {
  std::size_t c = 0;
  while (c < columns_ && column_reference(c).name() != name) ++c;
  return c;
}

const FeatureReference* LiveWindow::reference_of(const std::string& name) const {
  const std::size_t c = column_index(name);
  return c < columns_ ? &column_reference(c) : nullptr;
}

nlohmann::json LiveWindow::column_json(const std::string& name) const {
  const std::size_t c = column_index(name);
  if (c == columns_) return nullptr;
  const FeatureReference& ref = column_reference(c);
  std::vector<double> values;
  {
    std::lock_guard lock(mutex_);
    values.reserve(count_);
    for (std::size_t r = 0; r < count_; ++r) values.push_back(values_[r * columns_ + c]);
  }
  nlohmann::json j = compare_feature(ref, values).to_json(ref);
  j["window_size"] = capacity_;
  return j;
}

nlohmann::json LiveWindow::to_json() const {
  std::vector<std::vector<std::size_t>> counts;
  std::size_t n = 0;
  {
    std::lock_guard lock(mutex_);
    counts = counts_;
    n = count_;
  }
  const auto entry = [&](std::size_t c) {
    const auto& ref = column_reference(c);
    const double p = n >= kMinRows ? column_psi(ref, counts[c]) : std::nan("");
    nlohmann::json bins = nlohmann::json::array();
    const std::vector<std::size_t> present(
        counts[c].begin(), counts[c].empty() ? counts[c].end() : counts[c].end() - 1);
    for (const auto& b : bin_shares(ref, present)) {
      bins.push_back({{"lo", b.lo}, {"hi", b.hi}, {"reference", b.reference}, {"live", b.live}});
    }
    return nlohmann::json{
        {"psi", number_or_null(p)}, {"status", status_name(status_of(p))}, {"bins", bins}};
  };
  nlohmann::json features = nlohmann::json::array();
  for (std::size_t c = 0; c + 1 < columns_; ++c) {
    nlohmann::json f = {{"name", column_reference(c).name()}};
    f.update(entry(c));
    features.push_back(std::move(f));
  }
  return {{"window_size", capacity_},
          {"count", n},
          {"thresholds", {{"amber", kAmber}, {"red", kRed}}},
          {"score", entry(columns_ - 1)},
          {"features", features}};
}

}  // namespace loanrisk::monitor
