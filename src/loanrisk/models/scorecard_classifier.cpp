#include "loanrisk/models/scorecard_classifier.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/models/family.hpp"
#include "loanrisk/models/logistic_classifier.hpp"
#include "loanrisk/models/tree_train.hpp"

namespace loanrisk::models {
namespace {

BinningOptions binning_options(const ParamValues& p) {
  BinningOptions o;
  o.max_bins = static_cast<std::size_t>(p.at("max_bins"));
  o.min_bin_share = p.at("min_bin_share");
  o.prebins = static_cast<std::size_t>(p.at("prebins"));
  return o;
}

ScoreScaling scaling_of(const ParamValues& p) {
  return {p.at("base_score"), p.at("base_odds"), p.at("pdo")};
}

std::string edge_text(double v) {
  return format_fixed(v);
}

}  // namespace

std::string bin_label(const Binning& b, std::size_t index) {
  if (index < b.bins.size()) {
    const std::string lo = index == 0 ? "-inf" : edge_text(b.edges[index - 1]);
    const std::string hi = index == b.edges.size() ? "inf)" : edge_text(b.edges[index]) + "]";
    return "(" + lo + ", " + hi;
  }
  if (index == b.missing_index()) return "missing";
  return "= " + edge_text(b.specials.at(index - b.missing_index() - 1).value);
}

ScorecardClassifier::ScorecardClassifier(ParamValues params) : params_(std::move(params)) {}

ScorecardClassifier::ScorecardClassifier(ParamValues params, Scorecard card)
    : params_(std::move(params)), card_(std::move(card)), fitted_(true) {}

const Scorecard& ScorecardClassifier::scorecard() const {
  if (!fitted_) throw InternalError("scorecard used before fit()");
  return card_;
}

void ScorecardClassifier::fit(const DenseMatrix& X, const std::vector<float>& y,
                              const DenseMatrix* /*X_val*/, const std::vector<float>* /*y_val*/,
                              const std::vector<float>* weights) {
  if (X.values.size() != X.rows * X.cols || X.rows == 0 || X.cols == 0 || y.size() != X.rows) {
    throw InputError(fmt::format("scorecard training matrix is {} rows x {} columns with {} labels",
                                 X.rows, X.cols, y.size()));
  }
  const std::vector<std::string> names = model_feature_names(X);
  const std::vector<double> target(y.begin(), y.end());
  BinningOptions options = binning_options(params_);
  std::vector<Binning> binnings;
  DenseMatrix woe{X.rows, X.cols, std::vector<float>(X.values.size()), names};
  std::vector<double> column(X.rows);
  for (std::size_t c = 0; c < X.cols; ++c) {
    for (std::size_t r = 0; r < X.rows; ++r) column[r] = X.at(r, c);
    const auto configured = monotone_.find(names[c]);
    const int sign = configured == monotone_.end() ? 0 : configured->second;
    options.direction = sign > 0   ? BinDirection::Ascending
                        : sign < 0 ? BinDirection::Descending
                                   : BinDirection::Auto;
    try {
      binnings.push_back(fit_binning(column, target, options));
    } catch (const InputError& e) {
      throw InputError("scorecard binning of '" + names[c] + "': " + e.what());
    }
    for (std::size_t r = 0; r < X.rows; ++r) {
      woe.values[r * X.cols + c] = static_cast<float>(binnings.back().woe_of(column[r]));
    }
  }
  // The logistic family's solver on the WoE features, with the scorecard's C.
  LogisticClassifier logistic({{"C", params_.at("C")}, {"max_iter", 100}, {"tol", 1e-10}});
  logistic.fit(woe, y, nullptr, nullptr, weights);
  const nlohmann::json d = logistic.describe();
  std::vector<double> coefficients;
  for (const auto& c : d.at("coefficients")) coefficients.push_back(c.at("coefficient"));
  card_ = build_scorecard(names, std::move(binnings), coefficients, d.at("intercept"),
                          scaling_of(params_));
  fitted_ = true;
}

void ScorecardClassifier::check_matrix(const DenseMatrix& X) const {
  const Scorecard& card = scorecard();
  if (X.cols != card.characteristics.size() || X.values.size() != X.rows * X.cols) {
    throw InputError(fmt::format("matrix has {} columns but the scorecard has {} characteristics",
                                 X.cols, card.characteristics.size()));
  }
  if (!X.names.empty()) {
    for (std::size_t c = 0; c < X.cols; ++c) {
      if (X.names[c] != card.characteristics[c].name) {
        throw InputError(fmt::format("matrix column {} is '{}' but the scorecard expects '{}'", c,
                                     X.names[c], card.characteristics[c].name));
      }
    }
  }
}

template <typename F>
void ScorecardClassifier::for_each_row(const DenseMatrix& X, F&& f) const {
  check_matrix(X);
  std::vector<double> v(X.cols);
  for (std::size_t r = 0; r < X.rows; ++r) {
    for (std::size_t c = 0; c < X.cols; ++c) v[c] = X.at(r, c);
    f(r, v);
  }
}

std::vector<double> ScorecardClassifier::predict_proba(const DenseMatrix& X) const {
  std::vector<double> out(X.rows);
  for_each_row(X, [&](std::size_t r, const std::vector<double>& v) { out[r] = card_.model_pd(v); });
  return out;
}

std::vector<double> ScorecardClassifier::contributions(const DenseMatrix& X) const {
  std::vector<double> out;
  out.reserve(X.rows * (X.cols + 1));
  for_each_row(X, [&](std::size_t, const std::vector<double>& v) {
    for (std::size_t c = 0; c < v.size(); ++c) {
      const Characteristic& ch = card_.characteristics[c];
      out.push_back(ch.coefficient * ch.binning.woe_of(v[c]));
    }
    out.push_back(card_.intercept);
  });
  return out;
}

std::vector<int> ScorecardClassifier::points(const DenseMatrix& X) const {
  std::vector<int> out(X.rows);
  for_each_row(X, [&](std::size_t r, const std::vector<double>& v) { out[r] = card_.score(v); });
  return out;
}

std::vector<PointsReason> ScorecardClassifier::points_reasons(const DenseMatrix& X, std::size_t row,
                                                              std::size_t n) const {
  if (row >= X.rows) throw InternalError("points_reasons: row out of range");
  check_matrix(X);
  std::vector<double> v(X.cols);
  for (std::size_t c = 0; c < X.cols; ++c) v[c] = X.at(row, c);
  std::vector<PointsReason> out;
  for (const ReasonCode& r : card_.reasons(v, n)) {
    out.push_back({r.characteristic, r.points, r.max_points, r.points_lost});
  }
  return out;
}

nlohmann::json ScorecardClassifier::characteristic_stability(const DenseMatrix& X) const {
  const Scorecard& card = scorecard();
  check_matrix(X);
  constexpr double kFloor = 1e-4;  // as the drift PSI's empty-share floor
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t c = 0; c < card.characteristics.size(); ++c) {
    const Characteristic& ch = card.characteristics[c];
    const std::size_t n = ch.binning.bin_total();
    std::vector<double> live(n, 0.0), reference(n, 0.0);
    double ref_total = 0;
    for (std::size_t k = 0; k < n; ++k) ref_total += ch.binning.bin_at(k).count;
    for (std::size_t r = 0; r < X.rows; ++r) live[ch.binning.bin_index(X.at(r, c))] += 1;
    double csi = 0, shift = 0;
    nlohmann::json bins = nlohmann::json::array();
    for (std::size_t k = 0; k < n; ++k) {
      reference[k] = ref_total > 0 ? ch.binning.bin_at(k).count / ref_total : 0;
      live[k] = X.rows > 0 ? live[k] / static_cast<double>(X.rows) : 0;
      const double a = std::max(live[k], kFloor), e = std::max(reference[k], kFloor);
      csi += (a - e) * std::log(a / e);
      shift += (live[k] - reference[k]) * ch.points[k];
      bins.push_back({{"bin", bin_label(ch.binning, k)},
                      {"reference", reference[k]},
                      {"live", live[k]},
                      {"points", ch.points[k]}});
    }
    out.push_back({{"name", ch.name}, {"csi", csi}, {"score_shift", shift}, {"bins", bins}});
  }
  return out;
}

std::string scorecard_table_csv(const Scorecard& card) {
  std::string out = "characteristic,bin,count,default_rate,woe,iv,points\n";
  for (const Characteristic& c : card.characteristics) {
    for (std::size_t k = 0; k < c.binning.bin_total(); ++k) {
      const BinStats& s = c.binning.bin_at(k);
      out += c.name + ",\"" + bin_label(c.binning, k) + "\"," + std::to_string(s.count) + "," +
             format_double(s.default_rate) + "," + format_double(s.woe) + "," +
             format_double(s.iv) + "," + std::to_string(c.points[k]) + "\n";
    }
  }
  return out;
}

nlohmann::json ScorecardClassifier::describe() const {
  const Scorecard& card = scorecard();
  nlohmann::json table = nlohmann::json::array(), importance = nlohmann::json::object(),
                 names = nlohmann::json::array(), directions = nlohmann::json::object();
  for (const Characteristic& c : card.characteristics) {
    names.push_back(c.name);
    directions[c.name] = bin_direction_name(c.binning.direction);
    importance[c.name] = c.binning.iv;
    for (std::size_t k = 0; k < c.binning.bin_total(); ++k) {
      const BinStats& s = c.binning.bin_at(k);
      table.push_back({{"characteristic", c.name},
                       {"bin", bin_label(c.binning, k)},
                       {"count", s.count},
                       {"default_rate", s.default_rate},
                       {"woe", s.woe},
                       {"iv", s.iv},
                       {"points", c.points[k]}});
    }
  }
  return {{"family", family()},
          {"feature_names", names},
          {"scaling",
           {{"base_score", card.scaling.base_score},
            {"base_odds", card.scaling.base_odds},
            {"pdo", card.scaling.pdo}}},
          {"intercept", card.intercept},
          {"scorecard", table},
          {"directions", directions},
          {"importance_type", "information_value"},
          {"importance", importance}};
}

void ScorecardClassifier::save(const std::filesystem::path& dir) const {
  write_json_file(dir / kModelFile, scorecard_to_json(scorecard()));
  write_file_atomic(dir / kTableFile, scorecard_table_csv(card_));
}

std::unique_ptr<Classifier> load_scorecard(const ParamValues& params,
                                           const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / ScorecardClassifier::kModelFile;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw InputError("model file '" + file.string() + "' is missing; retrain the model");
  }
  try {
    return std::make_unique<ScorecardClassifier>(params, scorecard_from_json(read_json_file(file)));
  } catch (const InputError& e) {
    throw InputError("model file '" + file.string() + "': " + e.what() + "; retrain the model");
  }
}

Family scorecard_family() {
  using T = ParamSpec::Type;
  Family family;
  family.name = "scorecard";
  family.params = {
      {"max_bins", T::Int, 6, 2, 20, "at most this many bins per characteristic"},
      {"min_bin_share", T::Float, 0.05, 0.01, 0.5, "each bin holds at least this share of rows"},
      {"prebins", T::Int, 20, 2, 1000, "quantile pre-bins before merging"},
      {"C", T::Float, 1.0, 1e-6, 1e6, "inverse L2 penalty of the logistic regression on WoE"},
      {"base_score", T::Float, 600, 0, 10000, "points at the base odds"},
      {"base_odds", T::Float, 50, 1e-6, 1e6, "good:bad odds at the base score (50 means 50:1)"},
      {"pdo", T::Float, 20, 1e-3, 1000, "points that double the odds"},
  };
  family.make = [](const ParamValues& resolved) -> std::unique_ptr<Classifier> {
    return std::make_unique<ScorecardClassifier>(resolved);
  };
  family.load = &load_scorecard;
  return family;
}

}  // namespace loanrisk::models
