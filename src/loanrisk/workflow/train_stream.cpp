// `train --external-memory`: the split by a hash of the customer id, reservoir samples of every
// split (pass 1) and the training rows streamed through the pipeline into XGBoost (pass 2).
#include "loanrisk/workflow/train_stream.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/rng.hpp"
#include "loanrisk/data/csv_chunks.hpp"
#include "loanrisk/models/external_memory.hpp"
#include "loanrisk/models/imbalance.hpp"

namespace loanrisk {
namespace {

enum Split : std::size_t { kTrain, kValidation, kCalibration, kTest, kSplits };
constexpr std::array<const char*, kSplits> kSplitNames = {"train", "validation", "calibration",
                                                          "test"};

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A uniform number in [0, 1) from the customer id and the seed (FNV-1a, then mixed): the same on
// every machine and in every pass.
double unit_hash(std::string_view id, std::uint64_t seed) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ mix(seed);
  for (const char c : id) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return static_cast<double>(mix(h) >> 11) * 0x1.0p-53;
}

// The split of a customer: every row of an id lands in the same one.
Split assign(std::string_view id, const SplitSpec& spec) {
  const double u = unit_hash(id, spec.seed);
  if (u < spec.train) return kTrain;
  if (u >= spec.train + spec.validation) return kTest;
  return unit_hash(id, spec.seed ^ 0x9e3779b97f4a7c15ULL) < spec.calibration ? kCalibration
                                                                             : kValidation;
}

// Algorithm R: after n offers every row was kept with probability capacity / n.
class Reservoir {
 public:
  Reservoir(std::size_t capacity, std::uint64_t seed) : capacity_(capacity), rng_(seed) {}

  void offer(const Frame& chunk, std::size_t row) {
    ++seen_;
    if (frame_.names.empty()) {
      frame_.names = chunk.names;
      frame_.columns.resize(chunk.names.size());
    }
    if (frame_.rows() < capacity_) {
      for (std::size_t c = 0; c < chunk.columns.size(); ++c) {
        frame_.columns[c].push_back(chunk.columns[c][row]);
      }
      frame_.ids.push_back(chunk.ids[row]);
      frame_.lines.push_back(chunk.lines[row]);
      return;
    }
    const std::size_t slot = rng_.below(seen_);
    if (slot >= capacity_) return;
    for (std::size_t c = 0; c < chunk.columns.size(); ++c) {
      frame_.columns[c][slot] = chunk.columns[c][row];
    }
    frame_.ids[slot] = chunk.ids[row];
    frame_.lines[slot] = chunk.lines[row];
  }
  Frame& frame() { return frame_; }

 private:
  std::size_t capacity_;
  Rng rng_;
  std::size_t seen_ = 0;
  Frame frame_;
};

ReadOptions read_options(const TrainRequest& req) {
  ReadOptions options;
  options.collect_rejects = req.rejects.has_value();
  return options;
}

// Pass 2, as often as XGBoost asks: each chunk's training rows, outliers dropped as the fitted
// pipeline says, transformed, with class weights when asked for.
class TrainingBatches final : public BatchSource {
 public:
  TrainingBatches(const TrainRequest& req, const TrainConfig& config,
                  const FeaturePipeline& pipeline, float positive_weight)
      : reader_(req.data, config.schema, read_options(req), config.external.batch_rows),
        split_(config.split),
        target_(config.schema.target()->name),
        pipeline_(pipeline),
        positive_weight_(positive_weight) {}

  void rewind() override {
    reader_.rewind();
    pass_dropped_ = 0;
  }

  bool next(RowBatch& batch) override {
    if (!reader_.next(chunk_)) {
      dropped_ = pass_dropped_;  // XGBoost rewinds after its last pass too
      return false;
    }
    rows_.clear();
    for (std::size_t i = 0; i < chunk_.frame.ids.size(); ++i) {
      if (assign(chunk_.frame.ids[i], split_) == kTrain) rows_.push_back(i);
    }
    Frame train = chunk_.frame.take(rows_);
    const std::vector<std::size_t> keep = pipeline_.rows_to_keep(train);
    pass_dropped_ += train.rows() - keep.size();
    if (keep.size() != train.rows()) train = train.take(keep);
    batch.y.clear();
    batch.weights.clear();
    if (train.rows() == 0) {
      batch.X.rows = 0;
      batch.X.values.clear();
      return true;
    }
    pipeline_.transform(train, batch.X);
    for (const double v : train.column(target_)) batch.y.push_back(static_cast<float>(v));
    if (positive_weight_ > 0) {
      for (const float v : batch.y) batch.weights.push_back(v == 1.0f ? positive_weight_ : 1.0f);
    }
    return true;
  }

  std::size_t dropped() const { return dropped_; }

 private:
  CsvChunkReader reader_;
  SplitSpec split_;
  std::string target_;
  const FeaturePipeline& pipeline_;
  float positive_weight_;
  ReadResult chunk_;
  std::vector<std::size_t> rows_;
  std::size_t pass_dropped_ = 0, dropped_ = 0;
};

void check_streamable(const TrainConfig& config) {
  if (!supports_external_memory(config.family)) {
    throw UsageError(fmt::format(
        "--external-memory trains the XGBoost families (xgboost, random_forest, lightgbm); '{}' "
        "needs its rows in memory. Fix: choose one of those with --model, or drop "
        "--external-memory",
        config.family));
  }
  if (check_imbalance(config.imbalance) == "smote") {
    throw UsageError(
        "--imbalance smote needs every training row in memory; with --external-memory use "
        "class_weight or none");
  }
  if (config.on_duplicate_id != "group") {
    throw UsageError(fmt::format(
        "[data] on_duplicate_id = {} needs every customer id in memory; --external-memory "
        "splits by a hash of the id, which keeps all rows of a customer in one split (the "
        "'group' policy). Fix: set on_duplicate_id = \"group\" or --on-duplicate-id group",
        config.on_duplicate_id));
  }
}

}  // namespace

FittedModel stream_train(const TrainRequest& req, const TrainConfig& config) {
  check_streamable(config);
  const std::string target = config.schema.target()->name;
  const ExternalMemorySpec& ext = config.external;
  FittedModel out;
  // Pass 1: split, count and sample.
  std::vector<Reservoir> samples;
  for (std::size_t s = 0; s < kSplits; ++s) {
    samples.emplace_back(ext.sample_rows, mix(config.split.seed + 0x51ed2701ULL * (s + 1)));
  }
  std::array<std::size_t, kSplits> rows{}, defaults{};
  std::vector<Reject> rejects;
  {
    CsvChunkReader reader(req.data, config.schema, read_options(req), ext.batch_rows);
    ReadResult chunk;
    while (reader.next(chunk)) {
      out.rows_read += chunk.rows_read;
      rejects.insert(rejects.end(), std::make_move_iterator(chunk.rejects.begin()),
                     std::make_move_iterator(chunk.rejects.end()));
      const std::vector<double>& y = chunk.frame.column(target);
      for (std::size_t i = 0; i < chunk.frame.ids.size(); ++i) {
        const Split s = assign(chunk.frame.ids[i], config.split);
        ++rows[s];
        defaults[s] += y[i] == 1.0 ? 1 : 0;
        samples[s].offer(chunk.frame, i);
      }
    }
  }
  if (req.rejects) write_rejects_csv(*req.rejects, rejects);
  out.rows_rejected = rejects.size();
  if (rows[kTrain] == 0) {
    throw InputError(req.data.string() +
                     ": no valid row fell in the training split. Fix: check [split] train and "
                     "that the file has rows");
  }
  out.train_as_read = std::move(samples[kTrain].frame());
  out.validation = std::move(samples[kValidation].frame());
  out.calibration = std::move(samples[kCalibration].frame());
  out.test = std::move(samples[kTest].frame());
  out.rows_train = rows[kTrain];
  out.rows_validation = rows[kValidation];
  out.rows_calibration = rows[kCalibration];
  out.rows_test = rows[kTest];

  // The pipeline from the training sample; early stopping on the validation sample.
  out.pipeline = FeaturePipeline::fit(out.train_as_read, config.features);
  out.train_kept = out.train_as_read.take(out.pipeline.rows_to_keep(out.train_as_read));
  float positive_weight = 0;
  if (config.imbalance == "class_weight") {
    if (defaults[kTrain] == 0 || defaults[kTrain] == rows[kTrain]) {
      throw InputError(fmt::format(
          "imbalance treatment 'class_weight' needs both classes; the training split has {} rows "
          "and {} defaults",
          rows[kTrain], defaults[kTrain]));
    }
    positive_weight = static_cast<float>(static_cast<double>(rows[kTrain] - defaults[kTrain]) /
                                         static_cast<double>(defaults[kTrain]));
  }
  DenseMatrix X_val;
  std::vector<float> y_val;
  if (out.validation.rows() > 0) {
    X_val = out.pipeline.transform(out.validation);
    for (const double v : out.validation.column(target)) y_val.push_back(static_cast<float>(v));
  }
  ExternalMemoryFit fit;
  fit.family = config.family;
  fit.params = config.params;
  fit.monotone = monotone_constraints(config);
  fit.feature_names = out.pipeline.feature_names();
  fit.cache_dir = ext.cache_dir.empty() ? std::filesystem::temp_directory_path()
                                        : std::filesystem::path(ext.cache_dir);
  if (X_val.rows > 0) {
    fit.X_val = &X_val;
    fit.y_val = &y_val;
  }
  TrainingBatches batches(req, config, out.pipeline, positive_weight);
  ExternalMemoryModel trained = fit_external_memory(fit, batches);
  out.model = std::move(trained.model);
  out.rows_dropped = batches.dropped();

  nlohmann::json splits = nlohmann::json::object();
  for (std::size_t s = 0; s < kSplits; ++s) {
    const Frame& sample = s == kTrain         ? out.train_as_read
                          : s == kValidation  ? out.validation
                          : s == kCalibration ? out.calibration
                                              : out.test;
    splits[kSplitNames[s]] = {
        {"rows", rows[s]},
        {"defaults", defaults[s]},
        {"default_rate",
         rows[s] ? static_cast<double>(defaults[s]) / static_cast<double>(rows[s]) : 0.0},
        {"sample_rows", sample.rows()}};
  }
  out.streaming = {
      {"split", "by a seeded hash of customer_id (not stratified by the target)"},
      {"pipeline_fitted_on",
       fmt::format("a {}-row reservoir sample of the training split", out.train_as_read.rows())},
      {"batch_rows", ext.batch_rows},
      {"sample_rows", ext.sample_rows},
      {"tree_method", kExternalTreeMethod},
      {"rows_trained", trained.rows},
      {"splits", splits}};
  return out;
}

}  // namespace loanrisk
