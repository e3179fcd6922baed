#pragma once
// loanrisk.toml: one file for a whole project. Every key is validated; unknown keys are rejected
// with the list of known ones, with the file, line and column of the offending key.
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/data/schema.hpp"
#include "loanrisk/data/split.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "loanrisk/models/classifier.hpp"

namespace loanrisk {

/// The directions credit risk moves in: the PD rises with debt-to-income, credit-to-income, total
/// debt, credit lines and loan amount, and falls with FICO (and its two transforms), income and
/// years employed.
std::map<std::string, int> default_monotone_constraints();

/// [train]: training on a book larger than memory (docs/modelling.md, "Training on a book larger
/// than memory"): the file streamed in batches into XGBoost's external-memory matrix, the split
/// by a hash of the customer id, and a bounded sample of each split kept in memory.
struct ExternalMemorySpec {
  bool enabled = false;               ///< external_memory (or `train --external-memory`)
  std::size_t batch_rows = 65'536;    ///< batch_rows: CSV rows read and handed on at a time
  std::size_t sample_rows = 200'000;  ///< sample_rows: the reservoir kept of each split
  std::string cache_dir;              ///< cache_dir: XGBoost's page cache; empty: the temp folder
};

/// Everything `loanrisk train` needs besides the data file.
struct TrainConfig {
  Schema schema = Schema::loan_default();
  SplitSpec split;
  PipelineOptions features = PipelineOptions::defaults();
  std::string family = "xgboost";
  ParamValues params;  ///< as given; resolved against the family's declarations.
  /// [model.params] as written in the file, so that another family chosen on the command line
  /// starts from these rather than from the config family's resolved defaults.
  ParamValues given_params;
  double threshold = 0.5;          ///< decision threshold on the PD.
  std::string imbalance = "none";  ///< none | class_weight | smote (training split only)
  /// [model.monotone]: +1 / -1 / 0 per feature for the tree families (the domain's directions
  /// by default, see default_monotone_constraints()); the file's keys override the defaults.
  std::map<std::string, int> monotone = default_monotone_constraints();
  /// The keys [model.monotone] set (each must name a model input).
  std::vector<std::string> given_monotone;
  /// False with --no-monotone: trees grow unconstrained (to compare).
  bool monotone_enabled = true;
  /// platt (default: monotone, so AUC is unchanged) | isotonic | auto | none; fitted on validation.
  std::string calibration = "platt";
  /// [calibration] target_rate: the portfolio's long-run default rate the PDs are anchored to
  /// (Calibrator::anchor); unset: the calibrated PDs as fitted.
  std::optional<double> target_rate;
  /// max_f1 | cost:FN:FP | fixed:T (chosen on validation), or "config" for [model] threshold.
  std::string threshold_rule = "max_f1";
  /// [data] on_duplicate_id: reject | keep-last | group (customer ids on several rows).
  std::string on_duplicate_id = "group";
  std::optional<std::string> store_uri;  ///< [store] uri: the tracking store, when configured.
  ExternalMemorySpec external;           ///< [train]
  /// [runtime] threads: the process's thread count (0: the CPUs it may use; core/cpu_budget.hpp).
  std::optional<int> threads;
  std::filesystem::path source;  ///< the file it came from; empty for the defaults.

  /// The resolved configuration, as recorded in a bundle's lineage.
  nlohmann::json to_json() const;
};

/// The constraints to hand to a classifier: those on the model's features, none when disabled.
std::map<std::string, int> monotone_constraints(const TrainConfig& config);

/// Reads and validates a loanrisk.toml. UsageError with `file:line:col` on any problem.
TrainConfig load_config(const std::filesystem::path& path);
/// Parses config text (source_name is used in messages).
TrainConfig parse_config(std::string_view text, const std::string& source_name);

/// [runtime] threads of a loanrisk.toml (for the commands that read no training config: serve,
/// predict, pipeline), checked as parse_config checks it; nullopt when the section or key is
/// absent.
std::optional<int> load_runtime_threads(const std::filesystem::path& path);

/// Checks cross-field rules (split fractions, feature names, model params) and resolves params;
/// UsageError naming the key.
void validate(TrainConfig& config);

}  // namespace loanrisk
