#pragma once
// Relationships between columns and with the target: Pearson and Spearman matrices (as pandas'
// DataFrame.corr) and how well each column alone ranks defaulters (its AUC as a score).
#include <cstddef>
#include <string>
#include <vector>

namespace loanrisk::eda {

/// A symmetric correlation matrix with named rows and columns.
struct CorrelationMatrix {
  std::vector<std::string> names;
  std::vector<double> values;  ///< row-major, names.size() squared.

  /// Correlation between columns i and j.
  double at(std::size_t i, std::size_t j) const { return values[i * names.size() + j]; }
};

/// Pearson correlation of two equally long columns; NaN when either is constant.
double pearson(const std::vector<double>& x, const std::vector<double>& y);
/// Ranks 1..n with ties given their average rank (scipy.stats.rankdata's "average").
std::vector<double> average_ranks(const std::vector<double>& values);
/// Pearson matrix of the columns (every column as long as the others, no missing values).
CorrelationMatrix pearson_matrix(const std::vector<std::string>& names,
                                 const std::vector<const std::vector<double>*>& columns);
/// Spearman matrix: the Pearson matrix of the average ranks.
CorrelationMatrix spearman_matrix(const std::vector<std::string>& names,
                                  const std::vector<const std::vector<double>*>& columns);

/// A single column used as a default score.
struct SingleColumnScore {
  double auc = 0;                 ///< loanrisk::auc_roc of the raw values (higher value = riskier).
  double auc_best = 0;            ///< max(auc, 1 - auc): the column's power whatever its direction.
  bool higher_is_riskier = true;  ///< auc >= 0.5: larger values go with more defaults.
};

/// Scores one column against the 0/1 target; NaN AUC when the target has a single class.
SingleColumnScore single_column_score(const std::vector<double>& values,
                                      const std::vector<double>& target);

}  // namespace loanrisk::eda
