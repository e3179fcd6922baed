#include "loanrisk/data/frame.hpp"

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {
[[noreturn]] void missing_column(const Frame& f, std::string_view name) {
  throw InternalError("column '" + std::string(name) +
                      "' is not in the frame (columns: " + join(f.names) + ")");
}
}  // namespace

std::size_t Frame::rows() const {
  if (!columns.empty()) return columns.front().size();
  if (!ids.empty()) return ids.size();
  return lines.size();
}

int Frame::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

const std::vector<double>& Frame::column(std::string_view name) const {
  const int i = index_of(name);
  if (i < 0) missing_column(*this, name);
  return columns[static_cast<std::size_t>(i)];
}

std::vector<double>& Frame::column(std::string_view name) {
  const int i = index_of(name);
  if (i < 0) missing_column(*this, name);
  return columns[static_cast<std::size_t>(i)];
}

void Frame::set_column(const std::string& name, std::vector<double> values) {
  const bool empty = names.empty() && ids.empty() && lines.empty();
  if (!empty && values.size() != rows()) {
    throw InternalError("column '" + name + "' has " + std::to_string(values.size()) +
                        " values but the frame has " + std::to_string(rows()) + " rows");
  }
  const int i = index_of(name);
  if (i >= 0) {
    columns[static_cast<std::size_t>(i)] = std::move(values);
  } else {
    names.push_back(name);
    columns.push_back(std::move(values));
  }
}

Frame Frame::take(const std::vector<std::size_t>& row_indices) const {
  Frame out;
  out.names = names;
  out.columns.resize(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    out.columns[c].reserve(row_indices.size());
    for (std::size_t r : row_indices) out.columns[c].push_back(columns[c][r]);
  }
  if (!ids.empty()) {
    out.ids.reserve(row_indices.size());
    for (std::size_t r : row_indices) out.ids.push_back(ids[r]);
  }
  if (!lines.empty()) {
    out.lines.reserve(row_indices.size());
    for (std::size_t r : row_indices) out.lines.push_back(lines[r]);
  }
  return out;
}

}  // namespace loanrisk
