// The scoring routes: predict (PD, grade, decision, expected loss, reason codes), explain (full
// SHAP), MLflow /invocations and CSV in / CSV out.
#include <optional>

#include <nlohmann/json.hpp>

#include "loanrisk/bundle/decision.hpp"
#include "loanrisk/core/json_writer.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/explain/reasons.hpp"
#include "loanrisk/serve/api.hpp"
#include "loanrisk/serve/applicants.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/mlflow_scoring.hpp"

namespace loanrisk {
namespace {

/// A single object becomes an array of one; anything else is passed on for validation.
nlohmann::json as_rows(nlohmann::json body) {
  if (body.is_object()) return nlohmann::json::array({std::move(body)});
  return body;
}

/// The applicants of a predict or explain body into `frame`: the common shape read directly,
/// anything else (including every error) through the JSON document.
void request_applicants(const std::string& body, const Schema& schema, std::size_t max_rows,
                        Frame& frame) {
  if (read_flat_applicants(body, schema, max_rows, frame)) return;
  frame = applicants_frame(as_rows(parse_json_body(body)), schema, max_rows);
}

Frame request_applicants(const std::string& body, const Schema& schema, std::size_t max_rows) {
  Frame frame;
  request_applicants(body, schema, max_rows, frame);
  return frame;
}

/// A request thread's buffers for the predict route, reused from one request to the next, so a
/// single applicant costs (nearly) no allocation: the frame, the model's input matrix, the SHAP
/// values and the reasons keep their storage. Emptied after a large batch, so a thread does not
/// hold on to a 10,000-row request's memory.
struct PredictScratch {
  Frame frame;
  DenseMatrix X;
  std::vector<double> contributions;
  std::vector<Reason> reasons;

  static constexpr std::size_t kKeepRows = 64;
  /// Also after a refused batch: the direct reader may have filled the frame before giving up.
  void release_if_large() {
    const bool large = X.rows > kKeepRows || frame.ids.capacity() > kKeepRows ||
                       (!frame.columns.empty() && frame.columns.front().capacity() > kKeepRows);
    if (large) *this = PredictScratch{};
  }
};

nlohmann::json model_json(const LoadedModel& m) {
  return {{"name", m.name}, {"version", m.version}};
}

/// A CSV field as RFC 4180 writes it (quoted when it needs to be).
std::string csv_field(std::string_view v) {
  std::string out;
  append_csv_field(out, v);
  return out;
}

/// 413 for a request with more rows than max_batch.
[[noreturn]] void too_many_rows(std::size_t rows, std::size_t max_rows) {
  throw HttpError(413, "too many rows: " + std::to_string(rows) + ", at most " +
                           std::to_string(max_rows) + " per request");
}

/// MLflow's columnar inputs ({"fico_score": [..], ...}) as records. The columns' names and
/// lengths are checked before any row is built: padding short columns to the longest, a body of
/// one long column and a thousand empty ones would build a thousand-field object per row.
nlohmann::json columnar_records(const nlohmann::json& columns, const Schema& schema,
                                std::size_t max_rows) {
  std::string unknown;
  std::size_t n_unknown = 0;
  std::optional<std::pair<std::string, std::size_t>> first;
  for (const auto& [k, v] : columns.items()) {
    if (!v.is_array()) {
      throw HttpError(422, "columnar inputs: '" + echo_text(k) + "' must be an array of values");
    }
    if (!schema.find(k)) {
      if (++n_unknown <= 5) unknown += (unknown.empty() ? "'" : ", '") + echo_text(k, 40) + "'";
      continue;
    }
    if (!first) {
      first.emplace(k, v.size());
    } else if (v.size() != first->second) {
      throw HttpError(422, "columnar inputs: every column needs the same number of values; '" +
                               first->first + "' has " + std::to_string(first->second) + ", '" + k +
                               "' has " + std::to_string(v.size()));
    }
  }
  if (n_unknown > 0) {
    std::string known;
    for (const auto& c : schema.columns) {
      if (c.role != ColumnRole::Target) known += (known.empty() ? "" : ", ") + c.name;
    }
    throw HttpError(
        422, "columnar inputs: unknown column" + std::string(n_unknown > 1 ? "s " : " ") + unknown +
                 (n_unknown > 5 ? " and " + std::to_string(n_unknown - 5) + " more" : "") +
                 "; known columns: " + known);
  }
  const std::size_t n = first ? first->second : 0;
  if (n > max_rows) {
    too_many_rows(n, max_rows);
  }
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t r = 0; r < n; ++r) {
    nlohmann::json row = nlohmann::json::object();
    for (const auto& [k, v] : columns.items()) row[k] = v[r];
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

HttpResponse ServeApi::predict(const HttpRequest& request, const std::string& query) const {
  const auto m = model();
  const Bundle& b = m->bundle;
  thread_local PredictScratch scratch;
  struct Release {
    PredictScratch& s;
    ~Release() { s.release_if_large(); }
  } release{scratch};
  const Frame& frame = scratch.frame;
  request_applicants(request.body, b.schema, settings_.max_batch, scratch.frame);
  const DenseMatrix& X = scratch.X;
  b.pipeline.transform(frame, scratch.X);
  const bool with_reasons = query.find("reasons=false") == std::string::npos;
  // The web app's own look-ups (page load, "what if" sliders) are not decisions about a customer:
  // kept out of the prediction log, live drift and the PD histogram.
  const bool probe = query.find("probe=true") != std::string::npos;
  std::vector<double>& contributions = scratch.contributions;
  const std::vector<double> pd = b.predict_transformed(X, with_reasons ? &contributions : nullptr);
  if (!probe) record_predictions(m, frame, pd, "/api/v1/predict");
  const DecisionRule rule(settings_.grades, settings_.lgd, b.threshold, b.schema);
  const std::vector<int> points = b.model->points(X);  // a scorecard's score; empty otherwise
  HttpResponse response;
  response.body.reserve(256 + pd.size() * (with_reasons ? 640 : 160));
  JsonWriter w(response.body);
  w.begin_object();
  w.key("model").begin_object().key("name").value(m->name).key("version").value(m->version);
  w.end_object();
  w.key("threshold").value(b.threshold);
  w.key("predictions").begin_array();
  std::size_t declined = 0;
  for (std::size_t i = 0; i < pd.size(); ++i) {
    if (!probe) metrics_.observe_pd(pd[i]);
    w.begin_object();
    w.key("customer_id");
    if (frame.ids.empty()) {
      w.value(std::to_string(i));
    } else {
      w.value(frame.ids[i]);
    }
    w.key("pd").value(pd[i]);
    const Decision d = rule.decide(pd[i], frame, i);
    declined += d.decline ? 1 : 0;
    w.key("grade").value(d.grade->name);
    w.key("decision").value(d.decision_text());
    w.key("expected_loss");
    if (d.expected_loss) {
      w.value(*d.expected_loss);
    } else {
      w.null();
    }
    if (!points.empty()) w.key("score").value(points[i]);
    if (!points.empty() && with_reasons) {
      // The industry's reasons for a scorecard: the points lost against each characteristic's
      // best bin, most first.
      w.key("points_reasons").begin_array();
      for (const PointsReason& r : b.model->points_reasons(X, i, 4)) {
        w.begin_object().key("feature").value(r.feature).key("code");
        w.value(reason_code(reason_factor(r.feature))).key("points").value(r.points);
        w.key("max_points").value(r.max_points).key("points_lost").value(r.points_lost);
        w.key("text").value(points_reason_text(r)).end_object();
      }
      w.end_array();
    }
    if (with_reasons) {
      w.key("reasons").begin_array();
      reason_codes(b.pipeline, frame, X, i, contributions, 4, Direction::Raising,
                   pd[i] >= b.threshold, scratch.reasons);
      for (const Reason& r : scratch.reasons) {
        w.begin_object();
        w.key("code").value(r.code).key("feature").value(r.feature).key("value").value(r.value);
        w.key("contribution").value(r.contribution).key("text").value(r.text);
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  if (!probe) metrics_.observe_scored(pd.size(), pd.size() - declined, declined);
  w.end_object();
  return response;
}

HttpResponse ServeApi::explain(const HttpRequest& request) const {
  const auto m = model();
  const Bundle& b = m->bundle;
  const Frame frame = request_applicants(request.body, b.schema, settings_.max_batch);
  const DenseMatrix X = b.pipeline.transform(frame);
  std::vector<double> contributions;
  const std::vector<double> pd = b.predict_transformed(X, &contributions);
  const auto explanations = split_contributions(X, contributions);
  const auto factors_json = [&](std::size_t row, Direction direction) {
    nlohmann::json a = nlohmann::json::array();
    for (const Reason& r :
         reason_codes(b.pipeline, frame, X, row, contributions, 4, direction, false)) {
      a.push_back({{"code", r.code},
                   {"feature", r.feature},
                   {"value", r.value},
                   {"contribution", r.contribution},
                   {"text", r.text}});
    }
    return a;
  };
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < explanations.size(); ++i) {
    const Explanation& e = explanations[i];
    nlohmann::json contrib = nlohmann::json::object(), values = nlohmann::json::object();
    for (std::size_t j = 0; j < e.features.size(); ++j) {
      contrib[e.features[j]] = e.contributions[j];
      values[e.features[j]] = e.values[j];
    }
    out.push_back({{"customer_id", frame.ids.empty() ? std::to_string(i) : frame.ids[i]},
                   {"pd", pd[i]},
                   {"base_value", e.base_value},
                   {"margin", e.margin},
                   {"contributions", contrib},
                   {"feature_values", values},
                   {"factors",
                    {{"raising", factors_json(i, Direction::Raising)},
                     {"lowering", factors_json(i, Direction::Lowering)}}}});
  }
  return json_response({{"model", model_json(*m)}, {"space", "log-odds"}, {"explanations", out}});
}

// MLflow's scoring server, as mlflow/pyfunc/scoring_server answers: 415 as text for a content
// type it does not take, its error envelope for everything else that goes wrong.
HttpResponse ServeApi::invocations(const HttpRequest& request) const {
  const ScoringContentType type = read_scoring_content_type(request.content_type);
  if (type.kind == ScoringContentType::Kind::kRefused) {
    HttpResponse r;
    r.status = 415;
    r.content_type = "text/plain; charset=utf-8";
    r.body = type.refusal;
    return r;
  }
  try {
    return invocations_scored(request, type.kind == ScoringContentType::Kind::kCsv);
  } catch (const HttpError& e) {
    nlohmann::json details = e.body();
    details.erase("error");
    return scoring_error_response(e.status(), e.what(), details);
  } catch (const InputError& e) {
    return scoring_error_response(400, e.what(), {});
  } catch (const UsageError& e) {
    return scoring_error_response(400, e.what(), {});
  }
}

HttpResponse ServeApi::invocations_scored(const HttpRequest& request, bool csv) const {
  const auto m = model();
  const Bundle& b = m->bundle;
  Frame frame;
  if (csv) {
    ReadOptions options;
    options.require_target = false;
    options.require_id = false;  // MLflow's CSV is the model's inputs; an id column is optional
    frame = parse_csv(request.body, "request body", b.schema, options).frame;
    if (frame.rows() > settings_.max_batch) {
      too_many_rows(frame.rows(), settings_.max_batch);
    }
  } else {
    const nlohmann::json body = parse_json_body(request.body);
    const std::string key = scoring_payload_key(body);
    const nlohmann::json& payload = body[key];
    nlohmann::json rows;
    if (key == "dataframe_split") {
      if (!payload.is_object()) throw HttpError(422, "dataframe_split must be an object");
      const auto data = payload.find("data");
      if (data != payload.end() && data->is_array() && data->size() > settings_.max_batch) {
        too_many_rows(data->size(), settings_.max_batch);
      }
      rows = records_from_split(payload.value("columns", nlohmann::json()),
                                payload.value("data", nlohmann::json()));
    } else if (key == "dataframe_records") {
      rows = payload;
    } else if (payload.is_object()) {  // instances / inputs as columns
      rows = columnar_records(payload, b.schema, settings_.max_batch);
    } else if (payload.is_array() && !payload.empty() && payload[0].is_array()) {
      rows = records_from_value_rows(payload, b.schema.feature_names(), settings_.max_batch);
    } else {
      rows = payload;
    }
    frame = applicants_frame(rows, b.schema, settings_.max_batch);
  }
  const std::vector<double> pd = frame.rows() ? b.predict(frame) : std::vector<double>{};
  for (double p : pd) metrics_.observe_pd(p);
  metrics_.observe_scored(pd.size(), 0, 0);  // MLflow's protocol answers PDs, no decisions
  record_predictions(m, frame, pd, "/invocations");
  return json_response({{"predictions", pd}});
}

HttpResponse ServeApi::score_csv(const HttpRequest& request) const {
  const auto m = model();
  const Bundle& b = m->bundle;
  ReadOptions options;
  options.require_target = false;
  options.collect_rejects = true;
  ReadResult read;
  try {
    read = parse_csv(request.body, "request body", b.schema, options);
  } catch (const InputError& e) {
    throw HttpError(422, e.what());
  }
  if (read.rows_read > settings_.max_batch) {
    too_many_rows(read.rows_read, settings_.max_batch);
  }
  const Frame& f = read.frame;
  const std::vector<double> pd = f.rows() ? b.predict(f) : std::vector<double>{};
  record_predictions(m, f, pd, "/api/v1/score-csv");
  std::vector<std::pair<std::int64_t, std::string>> lines;
  const DecisionRule rule(settings_.grades, settings_.lgd, b.threshold, b.schema);
  std::size_t declined = 0;
  for (std::size_t i = 0; i < pd.size(); ++i) {
    metrics_.observe_pd(pd[i]);
    const Decision d = rule.decide(pd[i], f, i);
    declined += d.decline ? 1 : 0;
    std::string line = std::to_string(f.lines[i]) + "," +
                       (f.ids.empty() ? "" : csv_field(f.ids[i])) + "," + format_double(pd[i]) +
                       "," + csv_field(d.grade->name) + "," + std::string(d.decision_text()) + "," +
                       (d.expected_loss ? format_double(*d.expected_loss) : "") + ",\n";
    lines.emplace_back(f.lines[i], std::move(line));
  }
  metrics_.observe_scored(pd.size(), pd.size() - declined, declined);
  for (const Reject& r : read.rejects) {
    std::string reason = r.reason;
    for (char& c : reason) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    lines.emplace_back(r.line, std::to_string(r.line) + ",,,,,," + csv_field(reason) + "\n");
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& c) { return a.first < c.first; });
  HttpResponse resp;
  resp.content_type = "text/csv; charset=utf-8";
  resp.body = "line,customer_id,pd,grade,decision,expected_loss,error\n";
  for (const auto& [line, text] : lines) resp.body += text;
  resp.headers.emplace_back("X-Rows-Scored", std::to_string(pd.size()));
  resp.headers.emplace_back("X-Rows-Rejected", std::to_string(read.rejects.size()));
  return resp;
}

}  // namespace loanrisk
