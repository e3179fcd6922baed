#include "loanrisk/data/duplicates.hpp"

#include <string_view>
#include <unordered_map>

#include "loanrisk/core/enum_names.hpp"
#include "loanrisk/core/error.hpp"

namespace loanrisk {
namespace {

std::string line_of(const Frame& frame, std::size_t row) {
  return frame.lines.empty() || frame.lines[row] == 0 ? "row " + std::to_string(row + 1)
                                                      : std::to_string(frame.lines[row]);
}

}  // namespace

std::string DuplicateIds::summary() const {
  if (ids == 0) return "";
  std::string s = std::to_string(ids) + (ids == 1 ? " customer id is" : " customer ids are") +
                  " on more than one row (" + std::to_string(rows) + " extra row" +
                  (rows == 1 ? "" : "s") + "): ";
  for (std::size_t i = 0; i < examples.size(); ++i) s += (i ? "; " : "") + examples[i];
  if (examples.size() < ids) s += "; ...";
  return s;
}

DuplicateIds find_duplicate_ids(const Frame& frame, std::size_t max_examples) {
  DuplicateIds out;
  std::unordered_map<std::string_view, std::vector<std::size_t>> rows_of;
  std::vector<std::string_view> order;  // ids in order of first appearance
  for (std::size_t i = 0; i < frame.ids.size(); ++i) {
    auto& rows = rows_of[frame.ids[i]];
    if (rows.empty()) order.push_back(frame.ids[i]);
    rows.push_back(i);
  }
  for (const auto id : order) {
    const auto& rows = rows_of[id];
    if (rows.size() < 2) continue;
    ++out.ids;
    out.rows += rows.size() - 1;
    if (out.examples.size() >= max_examples) continue;
    std::string e = "id " + std::string(id) + " on lines ";
    for (std::size_t k = 0; k < rows.size() && k < 4; ++k) {
      e += (k ? ", " : "") + line_of(frame, rows[k]);
    }
    if (rows.size() > 4) e += ", ... (" + std::to_string(rows.size()) + " rows)";
    out.examples.push_back(std::move(e));
  }
  return out;
}

namespace {
constexpr auto kPolicies =
    enum_names<DuplicatePolicy>("duplicate-id policy", {{DuplicatePolicy::kReject, "reject"},
                                                        {DuplicatePolicy::kKeepLast, "keep-last"},
                                                        {DuplicatePolicy::kGroup, "group"}});
}  // namespace

DuplicatePolicy parse_duplicate_policy(const std::string& text, const std::string& where) {
  if (const auto policy = kPolicies.parse(text)) return *policy;
  throw UsageError(where + ": unknown duplicate-id policy '" + text +
                   "'; use reject, keep-last or group");
}

std::string to_string(DuplicatePolicy policy) {
  return std::string(kPolicies.name(policy));
}

Frame apply_duplicate_policy(const Frame& frame, DuplicatePolicy policy,
                             const DuplicateIds& duplicates, const std::string& source) {
  if (duplicates.ids == 0 || policy == DuplicatePolicy::kGroup) return frame;
  if (policy == DuplicatePolicy::kReject) {
    throw InputError(source + ": " + duplicates.summary() +
                     ". Fix: remove the duplicates, or pass --on-duplicate-id keep-last (the last "
                     "row of each customer counts) or --on-duplicate-id group (every row is kept "
                     "and a customer's rows stay in one split)");
  }
  std::unordered_map<std::string_view, std::size_t> last;
  for (std::size_t i = 0; i < frame.ids.size(); ++i) last[frame.ids[i]] = i;
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < frame.ids.size(); ++i) {
    if (last[frame.ids[i]] == i) keep.push_back(i);
  }
  return frame.take(keep);
}

}  // namespace loanrisk
