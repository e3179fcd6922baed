#pragma once
// The end-to-end workflows behind the CLI commands (and, later, the server's "start a run"): each
// wires the layers in one place so that every entry point trains and scores the same way.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/bundle/decision.hpp"
#include "loanrisk/config/config.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/duplicates.hpp"
#include "loanrisk/metrics/classification.hpp"
#include "loanrisk/validation/report.hpp"

namespace loanrisk {

/// Inputs of a training run.
struct TrainRequest {
  std::filesystem::path data;
  std::filesystem::path out;
  TrainConfig config;
  std::optional<std::filesystem::path> rejects;  ///< set: bad rows go there instead of failing.
  bool overwrite = false;
  bool write_report = true;  ///< the evaluation report of the test split into BUNDLE/report/
  std::size_t bootstrap_resamples = 1000;
};

/// What a training run produced.
struct TrainOutcome {
  Bundle bundle;
  /// Calibrated PDs at the chosen threshold, on the validation rows early stopping used (not the
  /// calibration slice).
  ClassificationReport validation;
  /// The same on the calibration slice (in-sample for the calibrator and the threshold); n = 0
  /// without a slice.
  ClassificationReport calibration;
  ClassificationReport test;
  nlohmann::json report;  ///< report.json of the test split (null when not written)
  std::size_t rows_read = 0, rows_rejected = 0, rows_train = 0, rows_validation = 0, rows_test = 0,
              rows_dropped = 0;
  std::size_t rows_calibration = 0;            ///< of rows_validation, the calibration slice.
  DuplicateIds duplicates;                     ///< customer ids on several rows, as read.
  std::size_t rows_dropped_as_duplicates = 0;  ///< with on_duplicate_id = keep-last.
  double seconds = 0;
};

/// Reads, splits, fits the pipeline and the model, evaluates and writes the bundle.
TrainOutcome train_model(const TrainRequest& request);

/// Inputs of a scoring run.
struct PredictRequest {
  std::filesystem::path model;
  std::filesystem::path data;
  std::filesystem::path out;
  std::optional<std::filesystem::path> rejects;
  CreditPolicy policy;  ///< grades and LGD of the decision columns.
  /// Files larger than this are streamed in chunks of this size (constant memory); smaller ones
  /// are read whole. Both write the same bytes.
  std::size_t chunk_bytes = 8 << 20;
  int threads = 0;  ///< 0: the process's thread budget (core/cpu_budget.hpp).
  /// Set: score shard `index` of `count` (see predict_shard); `out` and `rejects` are folders.
  struct Shard {
    std::size_t index = 0, count = 1;
  };
  std::optional<Shard> shard;
};

/// "I/N" of --shard as a shard (0 <= I < N <= 100000); UsageError naming the value otherwise.
PredictRequest::Shard parse_shard(std::string_view text);

/// What a scoring run produced.
struct PredictOutcome {
  std::size_t rows_read = 0, rows_scored = 0, rows_rejected = 0;
  double seconds = 0;
};

/// Scores a CSV with a bundle and writes customer_id,pd,grade,decision,expected_loss: the same
/// decision the server gives (DecisionRule), expected_loss empty without an exposure column.
PredictOutcome predict_file(const PredictRequest& request);

/// One shard of a sharded scoring run (predict_file with request.shard set): the data rows that
/// start in the shard's byte range [I*size/N, (I+1)*size/N) after the header (a row goes with the
/// range it starts in; rows are whole wherever the byte range cuts) into
/// out/part-0000I-of-0000N.csv (the header line in part 0 only: the parts in order are the
/// unsharded output) and out/part-0000I-of-0000N.json, its manifest: counts, lines, hashes, the
/// input's size, mtime and byte range, the bundle's hash.
PredictOutcome predict_shard(const PredictRequest& request, const Bundle& bundle);

/// What verify_shards found.
struct ShardCheck {
  std::size_t parts = 0, rows_read = 0, rows_scored = 0, rows_rejected = 0;
  std::string bundle_sha256;
  std::string input;
};
/// Checks a sharded run's folder: every part present exactly once, each part file's size and
/// sha256 as its manifest says, one input and one bundle throughout, the byte ranges and lines
/// tiling the input's data rows (so the row counts add up to them); with `data`, the input file
/// is still the one scored (size, mtime, each range's sha256). InputError listing the missing or
/// corrupt parts and how to fix them.
ShardCheck verify_shards(const std::filesystem::path& dir,
                         const std::optional<std::filesystem::path>& data);

/// Scores a labelled CSV with a bundle and computes the metrics at the bundle's threshold.
struct EvaluateOutcome {
  ClassificationReport report;
  nlohmann::json report_json;  ///< the full report when report_dir was given
  std::size_t rows_read = 0, rows_rejected = 0;
};
/// With report_dir, also writes report.json and report.html there (created when missing).
EvaluateOutcome evaluate_file(const std::filesystem::path& model, const std::filesystem::path& data,
                              const std::optional<std::filesystem::path>& rejects,
                              const std::optional<std::filesystem::path>& report_dir = {});

/// Inputs of `loanrisk validate`: a model (and optionally the one it is compared with) on a
/// labelled book.
/// Validation on logged traffic: the prediction log's scorings joined to an outcome file; the
/// models rescore the logged inputs, so any two can be compared on the applicants really seen.
struct LoggedTraffic {
  std::filesystem::path log, outcomes;
  std::optional<std::int64_t> since_ms, until_ms;  ///< log lines with since <= time < until.
  std::int64_t horizon_days = 365;
  std::string salt;  ///< the server's, when the log's customer ids are hashed.
};

struct ValidateRequest {
  std::filesystem::path model;
  std::string model_label;               ///< as the user named it (a models:/ URI or a folder).
  std::filesystem::path data;            ///< a labelled loan CSV, or (data empty)
  std::optional<LoggedTraffic> traffic;  ///< logged scorings joined to outcomes.
  std::optional<std::filesystem::path> against;
  std::string against_label;
  std::optional<std::filesystem::path> rejects;
  CreditPolicy policy;  ///< the master scale the grades come from.
  validation::Gates gates;
  std::optional<std::filesystem::path> out;  ///< report.json + report.html go there.
};
struct ValidateOutcome {
  validation::ValidationReport report;
  std::size_t rows_read = 0, rows_rejected = 0;
};
/// Scores the book (or the logged traffic with joined outcomes) with the model, and the compared
/// one on the same rows, and builds the validation report. InputError when the bundle has no
/// target column, no row is valid, no outcome joins, or the compared model needs a column the
/// book or the log lacks.
ValidateOutcome validate_file(const ValidateRequest& request);

/// One row of `train --model all`: a family's bundle and its test metrics.
struct FamilyComparison {
  std::string family;
  std::filesystem::path bundle;
  ClassificationReport test;
  double seconds = 0;
};
/// The comparison table as JSON: {"families": [{family, bundle, seconds, auc_roc, ...}]}.
nlohmann::json comparison_json(const std::vector<FamilyComparison>& rows);

}  // namespace loanrisk
