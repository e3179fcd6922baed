#pragma once
// Training a tree family on more rows than fit in memory: XGBoost's external-memory DMatrix, fed
// batch by batch by a BatchSource (the workflow's streamed CSV chunks through the fitted pipeline),
// pages cached on disk in a temporary folder that is removed afterwards, whatever happens.
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "loanrisk/core/matrix.hpp"
#include "loanrisk/models/classifier.hpp"

namespace loanrisk {

/// One batch of training rows: the model's inputs, the 0/1 labels and (empty or one per row) the
/// training weights.
struct RowBatch {
  DenseMatrix X;
  std::vector<float> y;
  std::vector<float> weights;
};

/// The training rows, a batch at a time; XGBoost may read them more than once.
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  /// Back to the first batch.
  virtual void rewind() = 0;
  /// Fills the next batch (which may have no row); false after the last.
  virtual bool next(RowBatch& batch) = 0;
};

/// What fit_external_memory needs besides the rows.
struct ExternalMemoryFit {
  std::string family;                   ///< a tree family (supports_external_memory).
  ParamValues params;                   ///< as given; resolved against the family.
  std::map<std::string, int> monotone;  ///< by feature name, as Classifier::set_monotone.
  std::vector<std::string> feature_names;
  std::filesystem::path cache_dir;     ///< a folder for XGBoost's page cache (a subfolder is
                                       ///< made and removed).
  const DenseMatrix* X_val = nullptr;  ///< early-stopping rows (in memory), or null.
  const std::vector<float>* y_val = nullptr;
};

/// XGBoost's tree method for external memory: "hist", the in-memory path's (1.7.4 accepts it
/// for a paged DMatrix; docs/modelling.md has the measurements against "approx").
inline constexpr const char* kExternalTreeMethod = "hist";

/// True for the families trained through XGBoost (xgboost, random_forest, lightgbm).
bool supports_external_memory(const std::string& family);

/// The trained classifier (an ordinary one: saved, loaded and served as any other) and the rows
/// it was trained on.
struct ExternalMemoryModel {
  std::unique_ptr<Classifier> model;
  std::size_t rows = 0;
};

/// Trains spec.family on the rows of source with pages cached under spec.cache_dir. UsageError
/// for a family that cannot train this way; InputError when the cache folder cannot be made or
/// written (naming it, with the fix), when source gives no row, a label outside {0, 1} or a batch
/// of the wrong width; the source's own exceptions pass through. The cache is removed in every
/// case.
ExternalMemoryModel fit_external_memory(const ExternalMemoryFit& spec, BatchSource& source);

}  // namespace loanrisk
