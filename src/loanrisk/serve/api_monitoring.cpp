// GET /api/v1/monitoring and the hand-off of scored rows to live drift and the prediction log,
// kept out of api.cpp and api_score.cpp so that those stay about routing and scoring.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/api.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/prediction_monitor.hpp"
#include "loanrisk/serve/shadow.hpp"

namespace loanrisk {

void ServeApi::record_predictions(const std::shared_ptr<const LoadedModel>& model,
                                  const Frame& frame, const std::vector<double>& pd,
                                  const char* route) const {
  if (pd.empty()) return;
  const bool sync = monitor_ && monitor_->sync();
  if (shadow_ && !sync) {
    // The challenger scores after the answer, on the shadow's thread, which then writes the lines.
    PendingLines lines;
    if (monitor_) monitor_->record_pending(*model, frame, pd, route, lines);
    shadow_->submit(model, frame, pd, std::move(lines));
    return;
  }
  // Lines that must be on disk before the answer carry the challenger's verdict: it scores here.
  const ShadowVerdicts verdicts = shadow_ ? shadow_->score_now(model, frame, pd) : ShadowVerdicts{};
  if (monitor_ && !monitor_->record(*model, frame, pd, route, shadow_ ? &verdicts : nullptr)) {
    throw HttpError(503,
                    "the decision could not be written to the prediction log, which this server "
                    "must do before it answers (durability = \"sync\"); nothing was recorded: "
                    "retry, and tell the operator (see loanrisk_prediction_log_errors_total)");
  }
}

std::string ServeApi::monitor_metrics() const {
  return monitor_->render_metrics();
}

namespace {

HttpError no_reference(const LoadedModel& m) {
  return HttpError(409, "model " + m.name + (m.version.empty() ? "" : " version " + m.version) +
                            " has no reference.json (it predates monitoring): retrain to add a "
                            "reference");
}

}  // namespace

std::string ServeApi::monitored_column(const LoadedModel& m, std::string_view param) const {
  if (!monitor_) throw HttpError(503, "monitoring is not enabled on this server");
  const std::vector<std::string> columns = monitor_->columns(m);
  if (columns.empty()) throw no_reference(m);
  const std::string name(param);  // column names are plain words: no decoding needed
  if (std::find(columns.begin(), columns.end(), name) == columns.end()) {
    std::string names;
    for (const auto& n : columns) names += (names.empty() ? "" : ", ") + n;
    throw HttpError(404, "no monitored column " + echo_text(name) + "; the window has " + names);
  }
  return name;
}

HttpResponse ServeApi::monitoring_column(const RouteCall& call) const {
  const auto m = model();
  const std::string name = monitored_column(*m, call.param);
  HttpResponse r;
  r.body = dump_json(monitor_->monitoring_column(*m, name));
  return r;
}

HttpResponse ServeApi::monitoring_days(const RouteCall& call) const {
  int days = 14;
  const std::string& q = call.query;
  if (!q.empty()) {
    // One parameter: days=1..90 (a day is a whole read of that day's log files).
    const bool ok = q.starts_with("days=") && q.size() > 5 && q.size() <= 7 &&
                    q.find_first_not_of("0123456789", 5) == std::string::npos;
    days = ok ? std::stoi(q.substr(5)) : 0;
    if (days < 1 || days > 90) {
      throw HttpError(400, "query " + echo_text(q) + ": give days=N with N from 1 to 90");
    }
  }
  const auto m = model();
  const std::string name = monitored_column(*m, call.param);
  try {
    HttpResponse r;
    r.body = dump_json(monitor_->monitoring_days(*m, name, days));
    return r;
  } catch (const UsageError& e) {
    throw HttpError(409, e.what());
  } catch (const InputError& e) {
    throw HttpError(500, std::string("the prediction log could not be read: ") + e.what());
  }
}

HttpResponse ServeApi::monitoring() const {
  if (!monitor_) throw HttpError(503, "monitoring is not enabled on this server");
  const auto m = model();
  const nlohmann::json doc = monitor_->monitoring(*m);
  if (doc.is_null()) throw no_reference(*m);
  HttpResponse r;
  r.body = dump_json(doc);
  return r;
}

}  // namespace loanrisk
