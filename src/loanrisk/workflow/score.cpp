#include <chrono>
#include <fstream>

#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/data/csv_ranges.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/workflow/predict_stream.hpp"
#include "loanrisk/workflow/report.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {

namespace {

// The whole file in memory: small files, and files the chunked reader leaves to read_csv (classic
// Mac line endings, a header longer than a chunk, no data row).
PredictOutcome predict_in_memory(const PredictRequest& req, const Bundle& bundle) {
  const ReadResult read = read_with_rejects(req.data, bundle.schema, false, req.rejects);
  // One transform serves the PD and, for a points scorecard, the score.
  const DenseMatrix X = read.frame.rows() ? bundle.pipeline.transform(read.frame) : DenseMatrix{};
  const std::vector<double> pd =
      read.frame.rows() ? bundle.predict_transformed(X) : std::vector<double>{};
  // A points scorecard's score goes beside the PD; other families have none.
  const std::vector<int> points = pd.empty() ? std::vector<int>{} : bundle.model->points(X);
  std::string out(predict_detail::scored_header(bundle.model->has_points()));
  out.reserve(pd.size() * 48 + 64);
  const DecisionRule rule(req.policy, bundle.threshold, bundle.schema);
  predict_detail::append_scored_rows(out, read.frame, pd, points, rule);
  write_file_atomic(req.out, out);
  PredictOutcome o;
  o.rows_read = read.rows_read;
  o.rows_scored = pd.size();
  o.rows_rejected = read.rejects.size();
  return o;
}

// The file in chunks, with memory bounded whatever its size (predict_stream.hpp).
PredictOutcome predict_streamed(const PredictRequest& req, const Bundle& bundle,
                                const CsvLayout& layout) {
  using namespace predict_detail;
  const DecisionRule rule(req.policy, bundle.threshold, bundle.schema);
  PendingFile scored(req.out);
  std::optional<PendingFile> rejects;
  if (req.rejects) {
    rejects.emplace(*req.rejects);
    rejects->write(kRejectsHeader);
  }
  StreamOptions options;
  options.collect_rejects = req.rejects.has_value();
  options.chunk_bytes = req.chunk_bytes;
  options.threads = req.threads > 0 ? req.threads : thread_budget().threads;
  const StreamTotals totals =
      score_stream(bundle, rule, layout, {layout.data_begin, layout.first_line}, layout.content_end,
                   options, scored, rejects ? &*rejects : nullptr, nullptr);
  if (rejects) rejects->commit();
  scored.commit();
  PredictOutcome o;
  o.rows_read = totals.rows_read;
  o.rows_scored = totals.rows_scored;
  o.rows_rejected = totals.rows_rejected;
  return o;
}

}  // namespace

PredictOutcome predict_file(const PredictRequest& req) {
  const auto start = std::chrono::steady_clock::now();
  const Bundle bundle = Bundle::load(req.model);
  PredictOutcome o;
  if (req.shard) {
    o = predict_shard(req, bundle);
  } else {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(req.data, ec);
    const CsvLayout layout =
        ec || size <= req.chunk_bytes ? CsvLayout{} : read_csv_layout(req.data, req.chunk_bytes);
    o = layout.streamable ? predict_streamed(req, bundle, layout) : predict_in_memory(req, bundle);
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return o;
}

EvaluateOutcome evaluate_file(const std::filesystem::path& model, const std::filesystem::path& data,
                              const std::optional<std::filesystem::path>& rejects,
                              const std::optional<std::filesystem::path>& report_dir) {
  const Bundle bundle = Bundle::load(model);
  if (!bundle.schema.target()) throw InputError("the bundle's schema has no target column");
  const ReadResult read = read_with_rejects(data, bundle.schema, true, rejects);
  if (read.frame.rows() == 0) {
    throw InputError(data.string() + ": no valid row to evaluate (all rows were rejected)");
  }
  EvaluateOutcome o;
  const std::vector<double>& y = read.frame.column(bundle.schema.target()->name);
  const std::vector<double> raw = bundle.predict_raw(read.frame);
  o.report = evaluate_classification(y, bundle.calibrator.apply(raw), bundle.threshold);
  if (report_dir) {
    o.report_json = bundle_report(bundle, y, raw, data.filename().string(), 1000);
    std::filesystem::create_directories(*report_dir);
    for (const auto& [name, text] : report_files(o.report_json)) {
      write_file_atomic(*report_dir / name, text);
    }
  }
  o.rows_read = read.rows_read;
  o.rows_rejected = read.rejects.size();
  return o;
}

}  // namespace loanrisk
