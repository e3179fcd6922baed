#pragma once
// Frame: the columnar table every layer passes around. Numeric columns are doubles; the id column
// is kept as text (customer ids are labels, never numbers to compute with).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loanrisk {

/// A columnar table of numeric columns plus an optional id column and the source line of each row.
struct Frame {
  std::vector<std::string> ids;     ///< id of each row; empty when there is no id column.
  std::vector<std::int64_t> lines;  ///< 1-based source line of each row; 0 when not from a file.
  std::vector<std::string> names;   ///< numeric column names, in order.
  std::vector<std::vector<double>> columns;  ///< one vector per name, each rows() long.

  /// Number of rows.
  std::size_t rows() const;
  /// Index of a column, or -1 when absent.
  int index_of(std::string_view name) const;
  /// True when the column exists.
  bool has(std::string_view name) const { return index_of(name) >= 0; }
  /// The column's values; InternalError naming the column and the ones present when absent.
  const std::vector<double>& column(std::string_view name) const;
  std::vector<double>& column(std::string_view name);
  /// Adds or replaces a column; its length must equal rows() unless the frame is empty.
  void set_column(const std::string& name, std::vector<double> values);
  /// A new frame with the given rows, in that order (ids and lines follow).
  Frame take(const std::vector<std::size_t>& row_indices) const;
};

}  // namespace loanrisk
