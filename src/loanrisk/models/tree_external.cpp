// External-memory training of the tree families: a proxy DMatrix refilled by each batch of a
// BatchSource (XGDMatrixCreateFromCallback), XGBoost's pages in a folder of our own that is removed
// on every path, then the same rounds, early stopping and slicing as in-memory training.
#include <unistd.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <random>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/core/xgb_check.hpp"
#include "loanrisk/models/external_memory.hpp"
#include "loanrisk/models/family.hpp"
#include "loanrisk/models/tree_classifier.hpp"
#include "loanrisk/models/tree_train.hpp"
#include "loanrisk/models/xgb_handles.hpp"

namespace loanrisk {
namespace {

using models::DMatrixPtr;

// A folder of our own under the cache folder, removed with everything XGBoost wrote into it.
class CacheFolder {
 public:
  explicit CacheFolder(const std::filesystem::path& parent) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    std::random_device random;
    path_ = parent / fmt::format("loanrisk-xgb-{}-{:08x}", ::getpid(), random());
    if (ec || !std::filesystem::create_directory(path_, ec) || ec) {
      throw InputError(fmt::format(
          "cannot make XGBoost's page cache folder {}: {}. Fix: choose a writable folder with "
          "enough free space ([train] cache_dir in loanrisk.toml or --cache-dir)",
          path_.string(), ec ? ec.message() : "it already exists"));
    }
  }
  CacheFolder(const CacheFolder&) = delete;
  CacheFolder& operator=(const CacheFolder&) = delete;
  ~CacheFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The iterator XGBoost calls back. Exceptions must not cross the C API: the first one is kept,
// the iterator then reports the end of the data, and it is rethrown once XGBoost returns.
struct Feed {
  BatchSource& source;
  DMatrixHandle proxy = nullptr;
  std::size_t cols = 0;
  RowBatch batch;
  std::size_t rows = 0;     ///< of the longest pass (XGBoost rewinds after its last one too).
  std::size_t batches = 0;  ///< of this pass
  std::size_t pass_rows = 0;
  bool weighted = false;
  std::exception_ptr error;

  void check() const {
    if (batch.X.cols != cols || batch.X.values.size() != batch.X.rows * cols) {
      throw InputError(
          fmt::format("batch {} has {} columns ({} values for {} rows); the model "
                      "has {} inputs",
                      batches + 1, batch.X.cols, batch.X.values.size(), batch.X.rows, cols));
    }
    if (batch.y.size() != batch.X.rows) {
      throw InputError(fmt::format("batch {} has {} labels for {} rows", batches + 1,
                                   batch.y.size(), batch.X.rows));
    }
    for (float v : batch.y) {
      if (v != 0.0f && v != 1.0f) {
        throw InputError(
            fmt::format("batch {} has the label {}; labels must be 0 or 1", batches + 1, v));
      }
    }
    if (!batch.weights.empty() && batch.weights.size() != batch.X.rows) {
      throw InputError(fmt::format("batch {} has {} weights for {} rows", batches + 1,
                                   batch.weights.size(), batch.X.rows));
    }
    if (batches > 0 && weighted != !batch.weights.empty()) {
      throw InternalError("a batch source gave weights for some batches and not others");
    }
  }

  bool advance() {
    do {
      if (!source.next(batch)) return false;
    } while (batch.X.rows == 0);
    check();
    weighted = !batch.weights.empty();
    const std::string array =
        fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
                    reinterpret_cast<std::uintptr_t>(batch.X.values.data()), batch.X.rows, cols);
    LOANRISK_XGB_CHECK(XGProxyDMatrixSetDataDense(proxy, array.c_str()));
    LOANRISK_XGB_CHECK(XGDMatrixSetFloatInfo(proxy, "label", batch.y.data(), batch.y.size()));
    if (weighted) {
      LOANRISK_XGB_CHECK(
          XGDMatrixSetFloatInfo(proxy, "weight", batch.weights.data(), batch.weights.size()));
    }
    pass_rows += batch.X.rows;
    rows = std::max(rows, pass_rows);
    ++batches;
    return true;
  }
};

void reset_feed(DataIterHandle handle) {
  auto* feed = static_cast<Feed*>(handle);
  if (feed->error) return;
  try {
    feed->source.rewind();
    feed->pass_rows = feed->batches = 0;
  } catch (...) {
    feed->error = std::current_exception();
  }
}

int next_feed(DataIterHandle handle) {
  auto* feed = static_cast<Feed*>(handle);
  if (feed->error) return 0;
  try {
    return feed->advance() ? 1 : 0;
  } catch (...) {
    feed->error = std::current_exception();
    return 0;
  }
}

// XGBoost's message for a failure while it writes or reads its pages, as a fixable input error
// (a full disk is the usual cause).
[[noreturn]] void cache_failure(const CacheFolder& cache, const InternalError& e) {
  throw InputError(fmt::format(
      "external-memory training failed while XGBoost used its page cache in {}: {}. Fix: free "
      "disk space there or choose another folder ([train] cache_dir or --cache-dir)",
      cache.path().string(), e.what()));
}

}  // namespace

bool supports_external_memory(const std::string& family) {
  return models::find_family(family).recipe != nullptr;
}

ExternalMemoryModel fit_external_memory(const ExternalMemoryFit& spec, BatchSource& source) {
  const models::Family& family = models::find_family(spec.family);
  if (family.recipe == nullptr) {
    throw UsageError(fmt::format(
        "--external-memory trains the XGBoost families (xgboost, random_forest, lightgbm); '{}' "
        "needs its rows in memory. Fix: choose one of those with --model, or drop "
        "--external-memory",
        spec.family));
  }
  if (spec.feature_names.empty()) throw InternalError("external-memory fit without feature names");
  if ((spec.X_val == nullptr) != (spec.y_val == nullptr)) {
    throw InternalError("validation matrix and labels must be given together");
  }
  const ParamValues params = resolve_params(spec.family, spec.params);
  models::BoosterRecipe recipe = family.recipe(params, spec.feature_names.size());
  std::map<std::string, int> applied;
  const std::string tuple = models::monotone_tuple(spec.feature_names, spec.monotone, applied);
  if (!tuple.empty()) recipe.settings.emplace_back("monotone_constraints", tuple);
  recipe.settings.emplace_back("tree_method", kExternalTreeMethod);

  const CacheFolder cache(spec.cache_dir);
  DMatrixHandle raw_proxy = nullptr;
  LOANRISK_XGB_CHECK(XGProxyDMatrixCreate(&raw_proxy));
  const DMatrixPtr proxy(raw_proxy);
  Feed feed{source, proxy.get(), spec.feature_names.size(), {}, 0, 0, 0, false, nullptr};
  // XGBoost takes the cache path inside JSON, which holds only UTF-8: a folder named in other
  // bytes is refused here rather than thrown on by the JSON writer.
  const std::string pages = (cache.path() / "pages").string();
  if (!is_valid_utf8(pages)) {
    throw UsageError("the cache folder '" + to_valid_utf8(pages) +
                     "' is not valid UTF-8: give --cache-dir a folder whose name is UTF-8");
  }
  // "missing": NaN is XGBoost's JSON for NaN, which nlohmann would write as null.
  const std::string xgb_config = fmt::format(
      R"({{"missing": NaN, "cache_prefix": {}, "nthread": 0}})", nlohmann::json(pages).dump());
  DMatrixPtr train;
  try {
    DMatrixHandle raw = nullptr;
    const int rc = XGDMatrixCreateFromCallback(&feed, proxy.get(), reset_feed, next_feed,
                                               xgb_config.c_str(), &raw);
    if (feed.error) {
      if (raw != nullptr) XGDMatrixFree(raw);
      std::rethrow_exception(feed.error);
    }
    if (feed.rows == 0) {
      if (raw != nullptr) XGDMatrixFree(raw);
      throw InputError("external-memory training got no training row (every batch was empty)");
    }
    LOANRISK_XGB_CHECK(rc);
    train.reset(raw);
  } catch (const InternalError& e) {
    cache_failure(cache, e);
  }
  DMatrixPtr validation;
  if (spec.X_val != nullptr) validation = models::make_dmatrix(*spec.X_val, *spec.y_val);
  models::BoosterPtr booster;
  try {
    booster = models::boost_rounds(recipe, train.get(), validation.get(), spec.y_val,
                                   spec.feature_names, {});
  } catch (const InternalError& e) {
    cache_failure(cache, e);
  }
  if (!applied.empty()) {
    models::set_attr(booster.get(), models::TreeClassifier::kMonotoneAttr,
                     nlohmann::json(applied).dump());
  }
  ExternalMemoryModel out;
  out.rows = feed.rows;
  out.model = std::make_unique<models::TreeClassifier>(spec.family, params, std::move(booster));
  return out;
}

}  // namespace loanrisk
