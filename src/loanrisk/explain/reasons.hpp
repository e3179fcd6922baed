#pragma once
// Reason codes: the SHAP contributions of a row turned into the few factors that pushed its PD up,
// each with a stable code and a sentence a loan officer can read (adverse-action style).
#include <cstddef>
#include <string>
#include <vector>

#include "loanrisk/core/matrix.hpp"

namespace loanrisk {

/// One factor that raised a row's PD.
struct Reason {
  std::string code;         ///< stable code, e.g. "R01_DEBT_TO_INCOME".
  std::string feature;      ///< the model input it comes from.
  double value = 0;         ///< the model input's value for the row (after the pipeline).
  double contribution = 0;  ///< log-odds added to the margin (> 0).
  std::string text;         ///< e.g. "Total debt is high relative to income (0.52)".
};

/// The SHAP explanation of one row: contribution per model input, base value and margin.
struct Explanation {
  std::vector<std::string> features;
  std::vector<double> values;         ///< model input values (floats as printed), one per feature.
  std::vector<double> contributions;  ///< log-odds, one per feature.
  double base_value = 0;
  double margin = 0;  ///< base_value + sum of contributions.
};

/// Splits Classifier::contributions output (rows x (cols+1), last = base value) into one
/// Explanation per row; InternalError when the sizes disagree with X.
std::vector<Explanation> split_contributions(const DenseMatrix& X,
                                             const std::vector<double>& contributions);

/// The top `limit` factors with a positive contribution, largest first (ties by feature order).
std::vector<Reason> reason_codes(const Explanation& explanation, std::size_t limit = 4);
/// The same for row `row` of X straight from Classifier::contributions output (rows x (cols+1)),
/// without building the row's Explanation: what the predict route needs per applicant.
std::vector<Reason> reason_codes(const DenseMatrix& X, std::size_t row,
                                 const std::vector<double>& contributions, std::size_t limit = 4);
/// The same written over `out`, reusing its Reasons' strings (the predict route keeps one vector
/// per thread, so four reasons cost no allocation after the first request).
void reason_codes(const DenseMatrix& X, std::size_t row, const std::vector<double>& contributions,
                  std::size_t limit, std::vector<Reason>& out);

/// The code of a feature's reason ("R99_OTHER" style fallback for features not catalogued).
std::string reason_code(const std::string& feature);

/// The loan officer's sentence for a feature at a value.
std::string reason_text(const std::string& feature, double value);

}  // namespace loanrisk
