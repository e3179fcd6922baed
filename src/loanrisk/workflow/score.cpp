#include <chrono>
#include <fstream>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/workflow/report.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {

PredictOutcome predict_file(const PredictRequest& req) {
  const auto start = std::chrono::steady_clock::now();
  const Bundle bundle = Bundle::load(req.model);
  const ReadResult read = read_with_rejects(req.data, bundle.schema, false, req.rejects);
  // One transform serves the PD and, for a points scorecard, the score.
  const DenseMatrix X = read.frame.rows() ? bundle.pipeline.transform(read.frame) : DenseMatrix{};
  const std::vector<double> pd =
      read.frame.rows() ? bundle.predict_transformed(X) : std::vector<double>{};

  std::string out;
  out.reserve(pd.size() * 40 + 32);
  // A points scorecard's score goes beside the PD; other families have none.
  const std::vector<int> points = pd.empty() ? std::vector<int>{} : bundle.model->points(X);
  out += points.empty() ? "customer_id,pd,grade,decision,expected_loss\n"
                        : "customer_id,pd,grade,decision,expected_loss,score\n";
  const bool has_ids = !read.frame.ids.empty();
  const DecisionRule rule(req.policy, bundle.threshold, bundle.schema);
  for (std::size_t i = 0; i < pd.size(); ++i) {
    const Decision d = rule.decide(pd[i], read.frame, i);
    // Ids come from quoted fields too ("A,1"): written back quoted, or the row gains a column.
    append_csv_field(out, has_ids ? read.frame.ids[i] : std::to_string(read.frame.lines[i]));
    out += ',';
    out += format_double(pd[i]);
    out += ',';
    append_csv_field(out, d.grade->name);
    out += ',';
    out += d.decision_text();
    out += ',';
    if (d.expected_loss) out += format_double(*d.expected_loss);
    if (!points.empty()) out += ',' + std::to_string(points[i]);
    out += '\n';
  }
  write_file_atomic(req.out, out);
  PredictOutcome o;
  o.rows_read = read.rows_read;
  o.rows_scored = pd.size();
  o.rows_rejected = read.rejects.size();
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
