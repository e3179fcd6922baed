#pragma once
// The binning and points engine of a points scorecard (docs/scorecard.md): monotone
// weight-of-evidence bins of one numeric feature fitted on training rows, their WoE and IV, the
// points of each bin from a logistic regression on the WoE features, scores, the PD a score
// implies, and reason codes. Good = target 0, bad = target 1; WoE = ln(%good / %bad), so a higher
// WoE is a safer bin (as eda/woe.hpp).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk::models {

/// How the default rate moves as the value grows (optbinning's monotonic_trend); WoE moves the
/// other way. Auto takes the sign of the Spearman correlation of value and target.
enum class BinDirection { Auto, Ascending, Descending };

/// The name of a direction in JSON ("auto", "ascending", "descending").
std::string bin_direction_name(BinDirection direction);
/// The direction a name gives; nullopt for an unknown name.
std::optional<BinDirection> parse_bin_direction(const std::string& name);

/// What fit_binning() may do; UsageError when out of range.
struct BinningOptions {
  std::size_t max_bins = 6;     ///< at most this many range bins (missing and special not counted)
  double min_bin_share = 0.05;  ///< each range bin holds at least this share of the range rows
  std::size_t prebins = 20;     ///< quantile pre-bins before merging (1..1000)
  BinDirection direction = BinDirection::Auto;
  std::vector<double> special_values;  ///< sentinel codes (e.g. -1) that each get their own bin
};

/// Training counts and evidence of one bin.
struct BinStats {
  std::size_t count = 0;
  std::size_t goods = 0;    ///< target 0
  std::size_t bads = 0;     ///< target 1
  double default_rate = 0;  ///< bads / count; 0 for an empty bin
  double woe = 0;           ///< smoothed ln(%good / %bad); 0 (neutral) for an empty bin
  double iv = 0;            ///< (%good - %bad) * woe, smoothed shares
};

/// A special value and its bin.
struct SpecialBin {
  double value = 0;
  BinStats stats;
};

/// The fitted bins of one feature. Bin indices run over the range bins, then the missing bin, then
/// the special bins in order: [0, bins.size()), missing_index(), missing_index() + 1 + s.
struct Binning {
  BinDirection direction = BinDirection::Ascending;  ///< resolved: never Auto
  /// Interior cut points, strictly increasing: range bin k holds edges[k-1] < v <= edges[k]; the
  /// first and last bins are open, so values outside the training range land in the end bins.
  std::vector<double> edges;
  std::vector<BinStats> bins;  ///< range bins; edges.size() + 1 of them
  BinStats missing;            ///< NaN values
  std::vector<SpecialBin> specials;
  double iv = 0;  ///< information value: the sum of every bin's iv

  /// Index of the missing bin (== bins.size()).
  std::size_t missing_index() const { return bins.size(); }
  /// Number of bins of every kind.
  std::size_t bin_total() const { return bins.size() + 1 + specials.size(); }
  /// Bin index of a serving value: NaN -> missing, a special value -> its bin, else binary search.
  std::size_t bin_index(double value) const;
  /// The bin at an index from bin_index().
  const BinStats& bin_at(std::size_t index) const;
  /// WoE of a serving value.
  double woe_of(double value) const { return bin_at(bin_index(value)).woe; }

  nlohmann::json to_json() const;
  /// InputError naming what is wrong (edges not increasing, size mismatch, non-finite WoE, ...).
  static Binning from_json(const nlohmann::json& j);
};

/// The smoothing added to every cell count of a non-empty bin before taking shares (Laplace 1/2).
inline constexpr double kWoeSmoothing = 0.5;

/// Fits monotone WoE bins of one feature on training rows (target 0/1, same length as values).
/// InputError for bad data (a length mismatch, a target not 0/1, a single class, an infinite value
/// that is not special); UsageError for bad options.
Binning fit_binning(const std::vector<double>& values, const std::vector<double>& target,
                    const BinningOptions& options = {});

/// The scaling of scores: base_score points at base_odds good:bad, pdo more points per doubling.
struct ScoreScaling {
  double base_score = 600;
  double base_odds = 50;
  double pdo = 20;
  /// pdo / ln 2.
  double factor() const;
  /// base_score - factor * ln(base_odds).
  double offset() const;
};

/// Bounds that keep every score (a sum of points) within an int: real scorecards give tens to
/// hundreds of points per bin over a handful of characteristics.
inline constexpr int kMaxBinPoints = 1'000'000;
inline constexpr std::size_t kMaxCharacteristics = 1000;

/// One characteristic of a scorecard: its bins, coefficient and integer points per bin.
struct Characteristic {
  std::string name;
  Binning binning;
  double coefficient = 0;   ///< on the WoE, in the log-odds of default
  std::vector<int> points;  ///< per bin index of binning
  /// The most points any bin gives.
  int max_points() const;
};

/// One reason: a characteristic and the points the applicant lost on it.
struct ReasonCode {
  std::string characteristic;
  int points = 0;       ///< what the applicant got
  int max_points = 0;   ///< the most the characteristic gives
  int points_lost = 0;  ///< max_points - points
};

/// A points scorecard on WoE features.
struct Scorecard {
  ScoreScaling scaling;
  double intercept = 0;  ///< of the log-odds of default
  std::vector<Characteristic> characteristics;

  /// Points of each characteristic for one applicant (values in characteristic order).
  std::vector<int> points_of(const std::vector<double>& values) const;
  /// The applicant's score: the sum of their points.
  int score(const std::vector<double>& values) const;
  /// The PD of the logistic model (before rounding into points).
  double model_pd(const std::vector<double>& values) const;
  /// The top n reasons (points lost, most first; ties in characteristic order); characteristics
  /// where nothing was lost are no reason.
  std::vector<ReasonCode> reasons(const std::vector<double>& values, std::size_t n) const;
};

/// Points per bin from a logistic regression of default on the WoE features (one coefficient
/// per binning, same order): bin points = round(offset / k - factor * (intercept / k + beta *
/// woe)). InputError for mismatched sizes or non-finite numbers, UsageError for a bad scaling.
Scorecard build_scorecard(std::vector<std::string> names, std::vector<Binning> binnings,
                          const std::vector<double>& coefficients, double intercept,
                          const ScoreScaling& scaling = {});

/// The PD a score implies: 1 / (1 + exp((score - offset) / factor)).
double pd_of_score(double score, const ScoreScaling& scaling);

}  // namespace loanrisk::models
