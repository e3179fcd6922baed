#pragma once
// Private to the models layer: the `scorecard` family, the points scorecard credit modellers file
// with regulators. Each input is binned into monotone weight-of-evidence bins on the training rows
// (scorecard_binning.hpp), an L2 logistic regression is fitted on the WoE features (the
// logistic_regression family's solver), and the coefficients become integer points per bin. The PD
// is the logistic model's; the score in points is shown beside it, and reasons are the points an
// applicant lost against each characteristic's best bin.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/models/classifier.hpp"
#include "loanrisk/models/scorecard_binning.hpp"

namespace loanrisk::models {

class ScorecardClassifier final : public Classifier {
 public:
  /// Untrained, with resolved parameters.
  explicit ScorecardClassifier(ParamValues params);
  /// Already trained (loaded from disk).
  ScorecardClassifier(ParamValues params, Scorecard card);

  std::string family() const override { return "scorecard"; }
  const ParamValues& params() const override { return params_; }
  void fit(const DenseMatrix& X, const std::vector<float>& y, const DenseMatrix* X_val,
           const std::vector<float>* y_val, const std::vector<float>* weights) override;
  /// [model.monotone] for the bins: +1 makes the default rate ascend with the value, -1 descend,
  /// 0 or absent lets the data choose (the sign of Spearman's correlation).
  bool set_monotone(const std::map<std::string, int>& constraints) override {
    monotone_ = constraints;
    return true;
  }
  std::vector<double> predict_proba(const DenseMatrix& X) const override;
  /// Each characteristic's coefficient x WoE, the intercept as the base value: they sum to the
  /// margin.
  std::vector<double> contributions(const DenseMatrix& X) const override;
  bool has_points() const override { return true; }
  std::vector<int> points(const DenseMatrix& X) const override;
  std::vector<PointsReason> points_reasons(const DenseMatrix& X, std::size_t row,
                                           std::size_t n) const override;
  nlohmann::json characteristic_stability(const DenseMatrix& X) const override;
  void save(const std::filesystem::path& dir) const override;
  /// The scorecard table: characteristic, bin, count, default rate, WoE, IV, points.
  nlohmann::json describe() const override;

  const Scorecard& scorecard() const;

  /// File names save() writes inside the model folder.
  static constexpr const char* kModelFile = "scorecard.json";
  static constexpr const char* kTableFile = "scorecard.csv";

 private:
  /// InputError unless X's columns are the characteristics, in order.
  void check_matrix(const DenseMatrix& X) const;
  /// Checks X, then calls f(r, values) for each row r with its values in characteristic order
  /// (one buffer for every row).
  template <typename F>
  void for_each_row(const DenseMatrix& X, F&& f) const;

  ParamValues params_;
  std::map<std::string, int> monotone_;
  Scorecard card_;
  bool fitted_ = false;
};

/// The scorecard as JSON (scaling, intercept, characteristics with binning, coefficient and
/// points) and back; InputError naming what is wrong.
nlohmann::json scorecard_to_json(const Scorecard& card);
Scorecard scorecard_from_json(const nlohmann::json& j);
/// The scorecard table as CSV: characteristic,bin,count,default_rate,woe,iv,points.
std::string scorecard_table_csv(const Scorecard& card);
/// A bin's label: "(-inf, 3]", "(3, 7.5]", "(7.5, inf)", "missing", "= -1".
std::string bin_label(const Binning& binning, std::size_t index);

std::unique_ptr<Classifier> load_scorecard(const ParamValues& params,
                                           const std::filesystem::path& dir);

}  // namespace loanrisk::models
