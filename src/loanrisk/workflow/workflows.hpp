#pragma once
// The end-to-end workflows behind the CLI commands (and, later, the server's "start a run"): each
// wires the layers in one place so that every entry point trains and scores the same way.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/config/config.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/metrics/classification.hpp"

namespace loanrisk {

/// Inputs of a training run.
struct TrainRequest {
  std::filesystem::path data;
  std::filesystem::path out;
  TrainConfig config;
  std::optional<std::filesystem::path> rejects;  ///< set: bad rows go there instead of failing.
  bool overwrite = false;
};

/// What a training run produced.
struct TrainOutcome {
  Bundle bundle;
  ClassificationReport validation;
  ClassificationReport test;
  std::size_t rows_read = 0, rows_rejected = 0, rows_train = 0, rows_validation = 0, rows_test = 0,
              rows_dropped = 0;
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
};

/// What a scoring run produced.
struct PredictOutcome {
  std::size_t rows_read = 0, rows_scored = 0, rows_rejected = 0;
  double seconds = 0;
};

/// Scores a CSV with a bundle and writes customer_id,pd,decision.
PredictOutcome predict_file(const PredictRequest& request);

/// Scores a labelled CSV with a bundle and computes the metrics at the bundle's threshold.
struct EvaluateOutcome {
  ClassificationReport report;
  std::size_t rows_read = 0, rows_rejected = 0;
};
EvaluateOutcome evaluate_file(const std::filesystem::path& model, const std::filesystem::path& data,
                              const std::optional<std::filesystem::path>& rejects);

/// Reads a CSV in strict mode, or in rejects mode writing the rejects file when one is given.
ReadResult read_with_rejects(const std::filesystem::path& data, const Schema& schema,
                             bool require_target,
                             const std::optional<std::filesystem::path>& rejects);

/// Shortest decimal text that reads back to the same double.
std::string format_double(double value);

}  // namespace loanrisk
