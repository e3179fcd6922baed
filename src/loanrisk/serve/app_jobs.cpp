// The background job routes of the web app: start a training or tuning job, list and read jobs,
// follow a job's log while it runs, and stop one (its study stays resumable). The job runner
// (jobs.hpp) does the work; these parse, check and answer.
#include <charconv>

#include <nlohmann/json.hpp>

#include "loanrisk/core/text.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/serve/app_api.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/jobs.hpp"

namespace loanrisk {
namespace {

/// ?offset=N: a byte offset in the log (none: its tail); HttpError 422 for anything else.
std::optional<std::uint64_t> log_offset(const std::string& query) {
  const std::string text = query_value(query, "offset");
  if (text.empty()) return std::nullopt;
  std::uint64_t offset = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), offset);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw HttpError(422, "invalid log request: fix each listed field and resend",
                    {{"problems",
                      {{{"field", "offset"},
                        {"value", echo_text(text)},
                        {"rule",
                         "must be a byte offset, an integer >= 0 (the next_offset of the "
                         "previous answer), or absent for the log's tail"}}}}});
  }
  return offset;
}

}  // namespace

HttpResponse AppRoutes::start_job(const RouteCall& call) const {
  const auto m = holder_.current();
  const std::string default_data =
      m ? m->bundle.lineage.value("data_path", std::string()) : std::string();
  const nlohmann::json job = jobs_->start(
      parse_job_request(parse_json_body(call.request.body), default_data, settings_.job_data_dirs),
      call.who);
  HttpResponse r = json_response(job);
  r.status = 202;
  r.audit_note = job_target(job) + ": " + job.value("state", "");
  return r;
}

HttpResponse AppRoutes::job(const RouteCall& call) const {
  return json_response(jobs_->status(std::string(call.param)));
}

HttpResponse AppRoutes::job_list() const {
  std::vector<std::string> features = raw_feature_names();
  const auto& derived = derived_feature_names();
  features.insert(features.end(), derived.begin(), derived.end());
  const auto m = holder_.current();
  return json_response(
      {{"jobs", jobs_->list()},
       {"families", classifier_families()},
       {"features", features},
       {"default_features", PipelineOptions::defaults().features},
       {"default_data", m ? m->bundle.lineage.value("data_path", std::string()) : ""}});
}

HttpResponse AppRoutes::stop_job(const RouteCall& call) const {
  const std::string reason = parse_stop_reason(parse_json_body(call.request.body));
  const nlohmann::json job = jobs_->stop(std::string(call.param), call.who, reason);
  HttpResponse r = json_response(job, 202);
  r.audit_note = job_target(job) + ": " +
                 (job.value("state", "") == "stopped" ? "stopped" : "stopping") +
                 "; reason: " + reason;
  return r;
}

HttpResponse AppRoutes::job_log(const RouteCall& call) const {
  return json_response(jobs_->log(std::string(call.param), log_offset(call.query)));
}

}  // namespace loanrisk
