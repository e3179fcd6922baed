#pragma once
// Reason codes: the SHAP contributions of a row turned into the few factors that moved its PD,
// each with a stable code and a sentence a loan officer can read (adverse-action style).
//
// A sentence must be true of the applicant: it quotes the applicant's own inputs (never a value
// after outlier capping), a model input derived from several inputs is explained through them
// (the three FICO features are one factor, FICO score; a ratio quotes both its inputs), and a
// word such as "low" is used only when the input is on that side of the training data's mean and
// the factor moved the PD the way the sentence says. Otherwise the sentence says only what the
// factor did ("Income (150,000) raised the estimated risk").
#include <cstddef>
#include <string>
#include <vector>

#include "loanrisk/core/matrix.hpp"
#include "loanrisk/data/frame.hpp"
#include "loanrisk/models/classifier.hpp"

namespace loanrisk {

class FeaturePipeline;

/// One factor that moved a row's PD.
struct Reason {
  std::string code;         ///< stable code, e.g. "R01_DEBT_TO_INCOME".
  std::string feature;      ///< the factor: an input the applicant gave, or a ratio of two.
  double value = 0;         ///< the applicant's input (for a ratio, the ratio of their inputs).
  double contribution = 0;  ///< log-odds added to the margin (> 0 raises the PD).
  std::string text;         ///< e.g. "Total debt is high relative to income (52,000 to 100,000)".
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

/// Which way the factors are taken.
enum class Direction { Raising, Lowering };

/// The top `limit` factors of row `row` that moved the PD in `direction` (largest effect first,
/// ties in model input order), written over `out` (its strings reused: the predict route keeps
/// one vector per thread). X and contributions (rows x (cols+1)) are the pipeline's output for
/// `frame`, whose raw inputs the sentences quote. With `declined` and no factor raising the PD,
/// one reason says the model's starting estimate is already above the approval threshold, so a
/// decline is never left without a reason. InternalError when the sizes disagree.
void reason_codes(const FeaturePipeline& pipeline, const Frame& frame, const DenseMatrix& X,
                  std::size_t row, const std::vector<double>& contributions, std::size_t limit,
                  Direction direction, bool declined, std::vector<Reason>& out);

/// The same, returned.
std::vector<Reason> reason_codes(const FeaturePipeline& pipeline, const Frame& frame,
                                 const DenseMatrix& X, std::size_t row,
                                 const std::vector<double>& contributions, std::size_t limit = 4,
                                 Direction direction = Direction::Raising, bool declined = false);

/// The factor a model input belongs to: the input itself for the applicant's inputs and the
/// ratios, "fico_score" for the FICO features derived from it.
std::string reason_factor(const std::string& feature);

/// The code of a factor's adverse reason ("R99_OTHER" for factors not catalogued).
std::string reason_code(const std::string& factor);

/// A scorecard reason in the bank's words: "FICO score: 12 of 48 points (36 below the best)";
/// a characteristic derived from an input is named after it ("FICO score (fico_score_diff)").
std::string points_reason_text(const PointsReason& reason);

}  // namespace loanrisk
