#include "loanrisk/models/tree_classifier.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <omp.h>

#include <cmath>
#include <cstdint>
#include <regex>
#include <string_view>
#include <utility>

#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/core/xgb_check.hpp"
#include "loanrisk/models/family.hpp"
#include "loanrisk/models/tree_train.hpp"
#include "loanrisk/models/xgb_handles.hpp"

namespace loanrisk::models {
namespace {

// In-place prediction: normal (type 0) margins transformed to probabilities, all trees, NaN marks a
// missing value. cache_id and missing are required by XGBoost 1.7.
constexpr const char* kPredictConfig =
    R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
    R"("strict_shape": false, "cache_id": 0, "missing": NaN})";

// numpy's __array_interface__ for a row-major float32 matrix that XGBoost reads without copying.
std::string array_interface(const DenseMatrix& X) {
  return fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
                     reinterpret_cast<std::uintptr_t>(X.values.data()), X.rows, X.cols);
}

// XGBoost's error text carries a timestamp, a source location and a stack trace; a user needs only
// the reason, e.g. "Invalid cast, from Null to Object".
std::string xgboost_reason(const std::string& what) {
  const std::string first_line = what.substr(0, what.find('\n'));
  static const std::regex located(R"(\[\d\d:\d\d:\d\d\] \S+:\d+: (.*))");
  std::smatch match;
  if (std::regex_search(first_line, match, located)) return match[1].str();
  return first_line;
}

}  // namespace

TreeClassifier::TreeClassifier(std::string family, RecipeFn recipe, ParamValues params)
    : family_(std::move(family)), recipe_(recipe), params_(std::move(params)) {}

TreeClassifier::TreeClassifier(std::string family, ParamValues params, BoosterPtr trained)
    : family_(std::move(family)), params_(std::move(params)) {
  adopt(std::move(trained));
}

void TreeClassifier::adopt(BoosterPtr trained) {
  const std::size_t n = num_features(trained.get());
  std::vector<std::string> names = feature_names(trained.get());
  if (names.size() != n) {
    names.clear();
    for (std::size_t c = 0; c < n; ++c) names.push_back(fmt::format("f{}", c));
  }
  feature_names_ = std::move(names);
  booster_ = std::move(trained);
  // XGBoost configures a booster lazily on its first prediction; doing it here, before the model
  // can be shared, keeps concurrent first predictions from racing on that.
  DenseMatrix probe{1, n, std::vector<float>(n, NAN), {}};
  xgboost_predict_proba(probe);
  // The native copy is an accelerator: a model it does not support (e.g. categorical splits from
  // a file written elsewhere) is still served, by XGBoost alone.
  native_.reset();
  try {
    TreeEnsemble ensemble = TreeEnsemble::from_json(model_json());
    if (ensemble.num_features() == n) native_ = std::move(ensemble);
  } catch (const InputError&) {
  }
}

std::string TreeClassifier::model_json() const {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  LOANRISK_XGB_CHECK(
      XGBoosterSaveModelToBuffer(trained(), R"({"format": "json"})", &length, &bytes));
  return std::string(bytes, length);
}

BoosterHandle TreeClassifier::trained() const {
  if (!booster_) throw InternalError(family_ + " classifier used before fit() or load");
  return booster_.get();
}

void TreeClassifier::fit(const DenseMatrix& X, const std::vector<float>& y,
                         const DenseMatrix* X_val, const std::vector<float>* y_val,
                         const std::vector<float>* weights) {
  if (recipe_ == nullptr) throw InternalError(family_ + " classifier was loaded, not made: refit");
  BoosterRecipe recipe = recipe_(params_, X.cols);
  // XGBoost takes the constraints as a tuple in column order: "(1,-1,0,...)".
  const std::vector<std::string> names = model_feature_names(X);
  std::string tuple;
  nlohmann::json applied = nlohmann::json::object();
  for (const std::string& name : names) {
    const auto it = monotone_.find(name);
    const int c = it == monotone_.end() ? 0 : it->second;
    if (c < -1 || c > 1)
      throw UsageError("monotone constraint of '" + name + "' must be -1, 0 or 1");
    tuple += (tuple.empty() ? "(" : ",") + std::to_string(c);
    if (c != 0) applied[name] = c;
  }
  if (!applied.empty()) recipe.settings.emplace_back("monotone_constraints", tuple + ")");
  BoosterPtr trained = train_booster(recipe, TrainingData{X, y, X_val, y_val, weights}, observer_);
  if (!applied.empty()) set_attr(trained.get(), kMonotoneAttr, applied.dump());
  adopt(std::move(trained));
}

void TreeClassifier::check_matrix(const DenseMatrix& X) const {
  if (X.cols != feature_names_.size()) {
    throw InputError(fmt::format("matrix has {} columns but the model expects {} ({})", X.cols,
                                 feature_names_.size(), join(feature_names_)));
  }
  if (X.values.size() != X.rows * X.cols) {
    throw InputError(fmt::format("matrix has {} values for {} rows x {} columns", X.values.size(),
                                 X.rows, X.cols));
  }
  if (!X.names.empty() && X.names != feature_names_) {
    for (std::size_t c = 0; c < X.cols; ++c) {
      if (c >= X.names.size() || X.names[c] != feature_names_[c]) {
        throw InputError(fmt::format("matrix column {} is '{}' but the model expects '{}'", c,
                                     c < X.names.size() ? X.names[c] : "", feature_names_[c]));
      }
    }
  }
}

std::vector<double> TreeClassifier::predict_proba(const DenseMatrix& X) const {
  if (!native_) return xgboost_predict_proba(X);
  check_matrix(X);
  std::vector<float> out(X.rows);
  native_->batch_probabilities(X.values.data(), X.rows, out.data(), prediction_threads());
  return std::vector<double>(out.begin(), out.end());
}

int TreeClassifier::prediction_threads() const {
  // Inside a parallel region (a chunk of a streamed file, a tuning worker's team) the caller's
  // threads already take the cores: another team would only wait for them.
  if (omp_in_parallel()) return 1;
  // nthread 0: the process's thread budget (affinity mask, cgroup quota, --threads).
  const auto it = params_.find("nthread");
  const int nthread = it == params_.end() ? 0 : static_cast<int>(it->second);
  return nthread > 0 ? nthread : thread_budget().threads;
}

std::vector<double> TreeClassifier::xgboost_predict_proba(const DenseMatrix& X) const {
  BoosterHandle booster = trained();
  check_matrix(X);
  if (X.rows == 0) return {};
  const std::string values = array_interface(X);
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  LOANRISK_XGB_CHECK(XGBoosterPredictFromDense(booster, values.c_str(), kPredictConfig, nullptr,
                                               &shape, &dim, &result));
  bst_ulong total = 1;
  for (bst_ulong d = 0; d < dim; ++d) total *= shape[d];
  if (total != X.rows) {
    throw InternalError(fmt::format("XGBoost returned {} predictions for {} rows", total, X.rows));
  }
  // The result lives in a per-thread buffer that the next call on this thread overwrites.
  return std::vector<double>(result, result + X.rows);
}

void TreeClassifier::save(const std::filesystem::path& dir) const {
  write_file_atomic(dir / kModelFile, model_json());
}

nlohmann::json TreeClassifier::describe() const {
  BoosterHandle booster = trained();
  const int rounds = boosted_rounds(booster);
  const std::string best_attr = get_attr(booster, kBestIterationAttr);
  const std::string score_attr = get_attr(booster, kBestScoreAttr);

  nlohmann::json importance = nlohmann::json::object();
  for (const std::string& name : feature_names_) importance[name] = 0.0;
  bst_ulong n_scored = 0;
  const char** scored_names = nullptr;
  bst_ulong dim = 0;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  LOANRISK_XGB_CHECK(XGBoosterFeatureScore(booster, R"({"importance_type": "total_gain"})",
                                           &n_scored, &scored_names, &dim, &shape, &scores));
  for (bst_ulong i = 0; i < n_scored; ++i) importance[scored_names[i]] = scores[i];

  nlohmann::json out;
  out["family"] = family();
  out["n_trees"] = rounds;
  out["best_iteration"] = best_attr.empty() ? rounds - 1 : std::stoi(best_attr);
  out["stopped_by_observer"] = get_attr(booster, kStoppedByObserverAttr) == "1";
  out["best_validation_logloss"] =
      score_attr.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::stod(score_attr));
  out["feature_names"] = feature_names_;
  const std::string monotone = get_attr(booster, kMonotoneAttr);
  // A model file written elsewhere may carry anything in the attribute: unreadable reads as none.
  const nlohmann::json parsed = nlohmann::json::parse(monotone, nullptr, false);
  out["monotone_constraints"] = parsed.is_object() ? parsed : nlohmann::json::object();
  out["importance_type"] = "total_gain";
  out["importance"] = std::move(importance);
  return out;
}

std::unique_ptr<Classifier> load_tree_model(const std::string& family, const ParamValues& params,
                                            const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / TreeClassifier::kModelFile;
  const auto unreadable = [&](std::string_view why) {
    return InputError(
        fmt::format("model file '{}' is missing or unreadable: {}", file.string(), why));
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw unreadable("no such file");
  BoosterPtr booster = make_booster({});
  try {
    LOANRISK_XGB_CHECK(XGBoosterLoadModel(booster.get(), file.c_str()));
  } catch (const InternalError& e) {
    throw unreadable("XGBoost could not load it: " + xgboost_reason(e.what()));
  }
  if (boosted_rounds(booster.get()) == 0 || num_features(booster.get()) == 0) {
    throw unreadable("the model holds no trees");
  }
  bst_ulong length = 0;
  const char* config = nullptr;
  LOANRISK_XGB_CHECK(XGBoosterSaveJsonConfig(booster.get(), &length, &config));
  const auto parsed = nlohmann::json::parse(std::string_view(config, length), nullptr, false);
  const std::string objective =
      parsed.is_discarded() ? "" : parsed.value("/learner/objective/name"_json_pointer, "");
  if (objective != "binary:logistic") {
    throw unreadable(fmt::format("objective is '{}', expected 'binary:logistic'", objective));
  }
  set_param(booster.get(), "nthread", xgboost_nthread(params.at("nthread")));
  return std::make_unique<TreeClassifier>(family, params, std::move(booster));
}

std::vector<double> TreeClassifier::contributions(const DenseMatrix& X) const {
  if (!native_ || X.rows > kNativeShapMaxRows) return xgboost_contributions(X);
  check_matrix(X);
  std::vector<float> out(X.rows * (X.cols + 1));
  native_->contributions(X.values.data(), X.rows, out.data());
  return std::vector<double>(out.begin(), out.end());
}

std::vector<double> TreeClassifier::predict_proba_explained(
    const DenseMatrix& X, std::vector<double>& contributions) const {
  if (!native_ || X.rows > kNativeShapMaxRows) {
    return Classifier::predict_proba_explained(X, contributions);
  }
  check_matrix(X);
  // The thread's own buffers (at most kNativeShapMaxRows rows): a serving thread explains one
  // request after another without allocating them each time.
  thread_local std::vector<float> proba, phi;
  proba.resize(X.rows);
  phi.resize(X.rows * (X.cols + 1));
  native_->explain(X.values.data(), X.rows, proba.data(), phi.data());
  contributions.assign(phi.begin(), phi.end());
  return std::vector<double>(proba.begin(), proba.end());
}

std::vector<double> TreeClassifier::xgboost_contributions(const DenseMatrix& X) const {
  BoosterHandle booster = trained();
  check_matrix(X);
  if (X.rows == 0) return {};
  // SHAP needs a DMatrix (in-place prediction does not do type 2); exact TreeSHAP, margin space.
  const DMatrixPtr dmatrix = make_dmatrix(X, {});
  std::vector<double> phi = predict_dmatrix(booster, dmatrix.get(), 2);
  if (phi.size() != X.rows * (X.cols + 1)) {
    throw InternalError(fmt::format("XGBoost returned {} contributions for {} rows x {} columns",
                                    phi.size(), X.rows, X.cols + 1));
  }
  return phi;
}

}  // namespace loanrisk::models
