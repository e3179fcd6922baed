// The web app's routes. Each handler opens the store for its own request (SQLite and PostgreSQL
// connections are not shared between threads), reads through the registry, tracking and tuning
// layers and answers JSON; the static files come from the binary itself.
#include "loanrisk/serve/app_api.hpp"

#include <cctype>
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "loanrisk/core/files.hpp"
#include "loanrisk/core/json_optional.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/eda/analysis.hpp"
#include "loanrisk/eda/report.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/registry/registry_json.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/jobs.hpp"
#include "loanrisk/serve/run_artifacts.hpp"
#include "loanrisk/serve/web_assets.hpp"
#include "loanrisk/tracking/run_json.hpp"
#include "loanrisk/tracking/study_store.hpp"
#include "loanrisk/tuning/analysis.hpp"

namespace loanrisk {
namespace {

constexpr std::size_t kMaxRuns = 300;

// Scripts only from the server itself; inline styles are allowed because echarts writes style
// attributes into its tooltips.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

}  // namespace

std::unique_ptr<Store> open_app_store(const ServeSettings& s) {
  return open_store(s.store, {{}, false});
}

namespace {

std::unique_ptr<Store> open(const ServeSettings& s) {
  return open_app_store(s);
}

/// '+' and %XX decoded (what browsers send in query strings and path segments).
std::string percent_decode(const std::string& raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '+') {
      out += ' ';
    } else if (raw[i] == '%' && i + 2 < raw.size() &&
               std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
      out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

/// The decoded value of key in a query string ("" when absent).
}  // namespace

std::string query_value(const std::string& query, const std::string& key) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    const auto amp = query.find('&', pos);
    const std::string part = query.substr(pos, amp == std::string::npos ? amp : amp - pos);
    if (part.starts_with(key + "=")) return percent_decode(part.substr(key.size() + 1));
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return "";
}

namespace {

nlohmann::json version_json(const ModelVersion& v) {
  nlohmann::json metrics = nlohmann::json::object();
  std::string family;
  try {
    if (std::filesystem::exists(v.source / "metrics.json")) {
      metrics = read_json_file(v.source / "metrics.json");
    }
    if (std::filesystem::exists(v.source / "manifest.json")) {
      family = read_json_file(v.source / "manifest.json").value("family", "");
    }
  } catch (const std::exception&) {
    // A damaged copy shows without metrics; serving it would be refused by validation anyway.
  }
  nlohmann::json j = version_to_json(v);
  j["metrics"] = metrics;
  j["family"] = family;
  return j;
}

/// The EDA report of each training file, computed once per file and content.
struct EdaCache {
  std::mutex mutex;
  std::map<std::string, nlohmann::json> reports;  ///< by path + sha256.
};

EdaCache& eda_cache() {
  static EdaCache c;
  return c;
}

}  // namespace

AppRoutes::AppRoutes(const ServeSettings& settings, ModelHolder& holder, Identities& identities)
    : settings_(settings),
      holder_(holder),
      identities_(identities),
      jobs_(std::make_unique<JobRunner>(
          settings.store, settings.jobs,
          // A job's end is a state change of its own, recorded in the name of who started it.
          [&identities](const nlohmann::json& job, const Identity& who) {
            const std::string state = job.value("state", "");
            const int code = job["exit_code"].is_number() ? job["exit_code"].get<int>() : -1;
            identities.audit(
                {.id = 0,
                 .time_ms = 0,
                 .who = who.name,
                 .role = who.roles_text(),
                 .source = who.source,
                 .request_id = job.value("id", ""),
                 .client = "server",
                 .action = "job end",
                 .target = job_target(job),
                 .outcome = state == "failed" ? "failed" : "ok",  // stopped: as asked
                 .status = code,
                 .detail = state + (code >= 0 ? " with exit code " + std::to_string(code)
                                              : std::string())});
          })) {}

AppRoutes::~AppRoutes() = default;

HttpResponse AppRoutes::file(const RouteCall& call) const {
  const WebAsset* asset = find_web_asset(call.path);
  if (!asset) {
    throw HttpError(404, "no file " + call.path + " in the web app; open / for the app");
  }
  HttpResponse r;
  // The gzip variant is a representation of its own: its own ETag, and Vary so that caches keep
  // the two apart.
  const bool gzip = !asset->gzip.empty() && accepts_gzip(call.request.accept_encoding);
  const std::string etag = "\"" + std::string(asset->sha256) + (gzip ? "-gzip\"" : "\"");
  r.headers = {{"ETag", etag},
               {"Cache-Control", "no-cache"},
               {"Content-Security-Policy", kContentSecurityPolicy},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"}};
  if (!asset->gzip.empty()) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  r.content_type = content_type_of(call.path);
  if (call.request.if_none_match == etag) {
    r.status = 304;
    return r;
  }
  r.body = std::string(gzip ? asset->gzip : asset->body);
  return r;
}

HttpResponse AppRoutes::models() const {
  auto store = open(settings_);
  ModelRegistry registry(*store);
  nlohmann::json out = nlohmann::json::array();
  for (const RegisteredModel& m : registry.list_models()) {
    nlohmann::json versions = nlohmann::json::array(), history = nlohmann::json::array();
    for (const ModelVersion& v : registry.versions(m.name)) {
      nlohmann::json j = version_json(v);
      j["reports"] = nlohmann::json::array();
      for (const VersionReport& r : registry.reports(m.name, v.version)) {
        j["reports"].push_back(report_to_json(r));
      }
      versions.push_back(j);
    }
    for (const RegistryEvent& e : registry.history(m.name)) {
      history.push_back(event_to_json(e));
    }
    nlohmann::json model = model_to_json(m);
    model["versions"] = versions;
    model["history"] = history;
    nlohmann::json pending = nlohmann::json::array();
    for (const AliasRequest& r : registry.requests(m.name, true)) {
      pending.push_back(request_to_json(r));
    }
    model["pending_requests"] = pending;
    out.push_back(model);
  }
  const auto cur = holder_.current();
  nlohmann::json serving = nullptr;
  if (cur) serving = {{"name", cur->name}, {"version", cur->version}, {"uri", cur->uri}};
  return json_response({{"models", out},
                        {"serving", serving},
                        {"governance",
                         {{"four_eyes", identities_.has_users()},
                          {"protected_aliases", settings_.protected_aliases}}}});
}

HttpResponse AppRoutes::report(const RouteCall& call) const {
  const std::string sha(call.param);
  if (sha.size() != 64 || sha.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw HttpError(404, "no validation report " + echo_text(sha) +
                             ": a report is named by its sha256, 64 lower-case hex digits");
  }
  auto store = open(settings_);
  ModelRegistry registry(*store);
  const auto r = registry.find_report(sha);
  if (!r) throw HttpError(404, "no validation report " + sha + " is attached to any version");
  const bool json = query_value(call.query, "format") == "json";
  const auto file = r->path / (json ? "report.json" : "report.html");
  if (!std::filesystem::exists(file)) {
    throw HttpError(
        404, "report " + sha + " was attached without report.html; ask for " + "?format=json");
  }
  // An attached report.html came from whoever attached it: shown sandboxed, never as the app.
  return stored_file_response(read_file(file),
                              json ? "application/json" : "text/html; charset=utf-8",
                              "validation-" + sha.substr(0, 12) + "-" + file.filename().string(),
                              query_value(call.query, "download") == "1");
}

HttpResponse AppRoutes::runs(const RouteCall& call) const {
  auto store = open(settings_);
  const std::string experiment = query_value(call.query, "experiment");
  nlohmann::json experiments = nlohmann::json::array();
  for (const Experiment& e : store->list_experiments()) {
    experiments.push_back({{"id", e.id}, {"name", e.name}});
  }
  const auto list = store->list_runs(experiment.empty() ? std::nullopt : std::optional(experiment));
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < list.size() && i < kMaxRuns; ++i) {
    out.push_back(run_to_json(store->get_run_record(list[i].id)));
  }
  return json_response({{"experiments", experiments},
                        {"runs", out},
                        {"total", list.size()},
                        {"truncated", list.size() > kMaxRuns}});
}

HttpResponse AppRoutes::run(const RouteCall& call) const {
  auto store = open(settings_);
  const std::string id = find_app_run(*store, call.param).id;
  const RunRecord record = store->get_run_record(id);
  nlohmann::json j = run_to_json(record);
  nlohmann::json history = nlohmann::json::object();
  for (const auto& [key, value] : record.metrics) {
    nlohmann::json points = nlohmann::json::array();
    for (const MetricPoint& p : store->metric_history(id, key)) {
      points.push_back({{"step", p.step}, {"value", p.value}, {"timestamp_ms", p.timestamp_ms}});
    }
    history[key] = points;
  }
  j["history"] = history;
  return json_response(j);
}

HttpResponse AppRoutes::studies() const {
  auto store = open(settings_);
  StudyStore studies(*store);
  nlohmann::json out = nlohmann::json::array();
  for (const StudyInfo& s : studies.list()) {
    const auto trials = studies.trials(s.id);
    std::optional<double> best;
    std::size_t complete = 0;
    for (const auto& t : trials) {
      if (t.state != TrialState::kComplete || !t.value) continue;
      ++complete;
      if (!best || *t.value > *best) best = t.value;
    }
    out.push_back({{"name", s.name},
                   {"family", s.family},
                   {"created_ms", s.created_ms},
                   {"n_trials", trials.size()},
                   {"complete", complete},
                   {"best_value", best}});
  }
  return json_response({{"studies", out}});
}

HttpResponse AppRoutes::study(const RouteCall& call) const {
  const std::string name = percent_decode(std::string(call.param));
  auto store = open(settings_);
  StudyStore studies(*store);
  const auto s = studies.find(name);
  if (!s) throw HttpError(404, "no study '" + name + "'; see GET /api/v1/studies for the list");
  const SearchSpace space = SearchSpace::from_json(nlohmann::json::parse(s->space_json));
  return json_response(analyse_study(*s, space, studies.trials(s->id)));
}

HttpResponse AppRoutes::data() const {
  const auto m = holder_.current();
  if (!m) throw HttpError(503, "no model is loaded yet; see GET /readyz");
  const Bundle& b = m->bundle;
  const std::string path = b.lineage.value("data_path", std::string());
  const std::string sha = b.lineage.value("data_sha256", std::string());
  nlohmann::json out = {{"model", {{"name", m->name}, {"version", m->version}}},
                        {"data_path", path},
                        {"schema", b.schema.to_json()},
                        {"pipeline", b.pipeline.to_json()},
                        {"lineage", b.lineage}};
  std::error_code ec;
  if (path.empty() || !std::filesystem::is_regular_file(path, ec)) {
    out["source"] = "bundle";
    out["note"] = path.empty() ? "the bundle does not name its training data"
                               : "the training data " + path + " is not on this server";
    return json_response(out);
  }
  auto& cache = eda_cache();
  const std::string cache_key = path + "@" + sha;
  {
    std::lock_guard lock(cache.mutex);
    if (const auto it = cache.reports.find(cache_key); it != cache.reports.end()) {
      out["source"] = "eda";
      out["report"] = it->second;
      return json_response(out);
    }
  }
  nlohmann::json report =
      eda::report_json(eda::analyze_file(path, b.schema, eda::EdaOptions::defaults()));
  {
    std::lock_guard lock(cache.mutex);
    cache.reports[cache_key] = report;
  }
  out["source"] = "eda";
  out["report"] = std::move(report);
  return json_response(out);
}

// An uploaded file is profiled as the training data is, against the served model's schema; the
// body limit bounds the work, and nothing of the file is kept.
HttpResponse AppRoutes::data_profile(const HttpRequest& request) const {
  const auto m = holder_.current();
  if (!m) throw HttpError(503, "no model is loaded yet; see GET /readyz");
  const Bundle& b = m->bundle;
  const ColumnSpec* target = b.schema.target();
  if (request.body.empty()) {
    throw HttpError(400, "the request body is empty: send the CSV file itself (text/csv)");
  }
  ReadOptions options;
  options.require_target = false;  // its absence gets the message below, not the reader's
  options.collect_rejects = true;
  try {
    const ReadResult read = parse_csv(request.body, "the uploaded file", b.schema, options);
    if (target && !read.frame.has(target->name)) {
      // Most often a book of outcomes to come: the profile's class balance, WOE and target
      // correlations compare defaulters with the others.
      throw HttpError(422, "the uploaded file has no '" + target->name +
                               "' column: the profile compares defaulters with the others, so it "
                               "needs the '" +
                               target->name +
                               "' column (0 or 1); a file without outcomes can be scored on the "
                               "Batch page");
    }
    const eda::EdaReport report = eda::analyze(
        read, b.schema, "uploaded file", sha256_hex(request.body), eda::EdaOptions::defaults());
    return json_response({{"model", {{"name", m->name}, {"version", m->version}}},
                          {"source", "upload"},
                          {"schema", b.schema.to_json()},
                          {"report", eda::report_json(report)}});
  } catch (const InputError& e) {
    throw HttpError(422, e.what());
  }
}

HttpResponse AppRoutes::card() const {
  const auto m = holder_.current();
  if (!m) throw HttpError(503, "no model is loaded yet; see GET /readyz");
  const auto file = m->source / "card.md";
  std::error_code ec;
  const std::string markdown =
      std::filesystem::is_regular_file(file, ec) ? read_file(file) : model_card(m->bundle);
  return json_response(
      {{"model", {{"name", m->name}, {"version", m->version}}}, {"markdown", markdown}});
}

}  // namespace loanrisk
