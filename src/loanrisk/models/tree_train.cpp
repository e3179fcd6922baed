#include "loanrisk/models/tree_train.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>
#include <string_view>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/xgb_check.hpp"
#include "loanrisk/models/family.hpp"

namespace loanrisk::models {
namespace {

void check_matrix(const DenseMatrix& X, const char* what) {
  if (X.values.size() != X.rows * X.cols) {
    throw InputError(fmt::format("{} has {} values for {} rows x {} columns", what, X.values.size(),
                                 X.rows, X.cols));
  }
  if (X.rows == 0 || X.cols == 0) {
    throw InputError(fmt::format("{} is empty ({} rows x {} columns)", what, X.rows, X.cols));
  }
}

void check_labels(const std::vector<float>& y, std::size_t rows, const char* what) {
  if (y.size() != rows) {
    throw InputError(fmt::format("{} has {} labels for {} rows", what, y.size(), rows));
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 0.0f && y[i] != 1.0f) {
      throw InputError(
          fmt::format("{} label at row {} is {}; labels must be 0 or 1", what, i, y[i]));
    }
  }
}

void check_inputs(const TrainingData& data) {
  check_matrix(data.X, "training matrix");
  check_labels(data.y, data.X.rows, "training set");
  if (data.weights != nullptr) {
    if (data.weights->size() != data.X.rows) {
      throw InputError(fmt::format("training set has {} weights for {} rows", data.weights->size(),
                                   data.X.rows));
    }
    for (float w : *data.weights) {
      if (!std::isfinite(w) || w < 0) {
        throw InputError(fmt::format("training weights must be finite and >= 0, got {}", w));
      }
    }
  }
  if ((data.X_val == nullptr) != (data.y_val == nullptr)) {
    throw InternalError("validation matrix and labels must be given together");
  }
  if (data.X_val != nullptr) {
    check_matrix(*data.X_val, "validation matrix");
    check_labels(*data.y_val, data.X_val->rows, "validation set");
    if (data.X_val->cols != data.X.cols) {
      throw InputError(fmt::format("validation matrix has {} columns but training matrix has {}",
                                   data.X_val->cols, data.X.cols));
    }
  }
}

// Settings every tree family shares; the recipe's own settings come after and may override them.
void configure(BoosterHandle booster, const BoosterRecipe& recipe) {
  set_param(booster, "booster", "gbtree");
  set_param(booster, "objective", "binary:logistic");
  set_param(booster, "eval_metric", "logloss");
  set_param(booster, "tree_method", "hist");
  set_param(booster, "max_bin", "256");
  for (const auto& [name, value] : recipe.settings) set_param(booster, name, value);
}

// The PDs of the validation rows with every round so far (the booster's prediction cache makes
// this incremental).
std::vector<double> validation_pd(BoosterHandle booster, DMatrixHandle validation) {
  return predict_dmatrix(booster, validation, 0);
}

// The validation log loss early stopping compares, as XGBoost's logloss metric computes it
// (probabilities clipped to [1e-16, 1 - 1e-16]), from the PDs the round already predicted: one
// prediction per round instead of a prediction plus XGBoosterEvalOneIter's own.
double log_loss_of(const std::vector<double>& pd, const std::vector<float>& y) {
  constexpr double eps = 1e-16;
  double sum = 0;
  for (std::size_t i = 0; i < pd.size(); ++i) {
    const double p = std::clamp(pd[i], eps, 1 - eps);
    sum -= y[i] > 0.5f ? std::log(p) : std::log(1 - p);
  }
  return sum / static_cast<double>(pd.size());
}

}  // namespace

std::vector<std::string> model_feature_names(const DenseMatrix& X) {
  if (X.names.empty()) {
    std::vector<std::string> names;
    for (std::size_t c = 0; c < X.cols; ++c) names.push_back(fmt::format("f{}", c));
    return names;
  }
  if (X.names.size() != X.cols) {
    throw InputError(
        fmt::format("matrix has {} column names for {} columns", X.names.size(), X.cols));
  }
  std::set<std::string> seen;
  for (const std::string& name : X.names) {
    if (name.empty()) throw InputError("matrix has an empty column name");
    if (!seen.insert(name).second) {
      throw InputError(fmt::format("matrix has column '{}' twice", name));
    }
  }
  return X.names;
}

BoosterPtr train_booster(const BoosterRecipe& recipe, const TrainingData& data,
                         const RoundObserver& observer) {
  check_inputs(data);
  const std::vector<std::string> names = model_feature_names(data.X);
  DMatrixPtr train = make_dmatrix(data.X, data.y);
  if (data.weights != nullptr) set_weights(train.get(), *data.weights);
  DMatrixPtr validation;
  if (data.X_val != nullptr) validation = make_dmatrix(*data.X_val, *data.y_val);
  return boost_rounds(recipe, train.get(), validation.get(), data.y_val, names, observer);
}

BoosterPtr boost_rounds(const BoosterRecipe& recipe, DMatrixHandle train, DMatrixHandle validation,
                        const std::vector<float>* y_val, const std::vector<std::string>& names,
                        const RoundObserver& observer) {
  if ((validation == nullptr) != (y_val == nullptr)) {
    throw InternalError("validation matrix and labels must be given together");
  }
  std::vector<DMatrixHandle> cached = {train};
  if (validation != nullptr) cached.push_back(validation);
  BoosterPtr booster = make_booster(cached);
  configure(booster.get(), recipe);
  set_feature_names(booster.get(), names);

  const bool stop_early = validation != nullptr && recipe.patience > 0;
  const bool observed = validation != nullptr && static_cast<bool>(observer);
  int last = -1;
  int best = -1;
  bool stopped_by_observer = false;
  double best_score = std::numeric_limits<double>::infinity();
  for (int i = 0; i < recipe.rounds; ++i) {
    LOANRISK_XGB_CHECK(XGBoosterUpdateOneIter(booster.get(), i, train));
    last = i;
    if (!stop_early && !observed) continue;
    const std::vector<double> pd = validation_pd(booster.get(), validation);
    if (stop_early) {
      const double score = log_loss_of(pd, *y_val);
      if (score < best_score) {
        best_score = score;
        best = i;
      }
    }
    if (observed && !observer(i, pd)) {
      stopped_by_observer = true;
      break;
    }
    if (stop_early && i - best >= recipe.patience) break;
  }
  if (!stop_early) best = last;
  // Slicing (not re-training) keeps exactly the trees that were evaluated, and the new booster
  // drops the prediction caches that refer to the caller's matrices.
  booster = slice_rounds(booster.get(), best + 1);
  if (stop_early) set_attr(booster.get(), kBestScoreAttr, fmt::format("{}", best_score));
  set_attr(booster.get(), kBestIterationAttr, std::to_string(best));
  if (stopped_by_observer) set_attr(booster.get(), kStoppedByObserverAttr, "1");
  return booster;
}

std::string monotone_tuple(const std::vector<std::string>& names,
                           const std::map<std::string, int>& constraints,
                           std::map<std::string, int>& applied) {
  std::string tuple;
  for (const std::string& name : names) {
    const auto it = constraints.find(name);
    const int c = it == constraints.end() ? 0 : it->second;
    if (c < -1 || c > 1)
      throw UsageError("monotone constraint of '" + name + "' must be -1, 0 or 1");
    tuple += (tuple.empty() ? "(" : ",") + std::to_string(c);
    if (c != 0) applied[name] = c;
  }
  return applied.empty() ? std::string() : tuple + ")";
}

}  // namespace loanrisk::models
