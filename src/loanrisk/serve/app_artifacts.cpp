// A run's artifacts in the web app, as MLflow's UI shows them: the list of its files, one file (to
// view or to download), its evaluation report, its model bundle as one tar archive, and the
// registration of that bundle as a new version of a model. Paths are confined to the run's
// artifact folder (run_artifacts.hpp); who may read what is the route table's access column
// (docs/webapp.md, "Runs and artifacts").
#include <nlohmann/json.hpp>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/registry/registry_json.hpp"
#include "loanrisk/serve/app_api.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/run_artifacts.hpp"

namespace loanrisk {
namespace fs = std::filesystem;

namespace {

/// Where `train` puts the evaluation report inside the bundle artifact.
constexpr const char* kReportFolder = "bundle/report";

bool is_run_id(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

/// A file name for a download: the run's name (else its id) and what it is.
std::string download_name(const Run& run, const std::string& what) {
  return (run.name.empty() ? run.id : run.name) + "-" + what;
}

}  // namespace

Run find_app_run(Store& store, std::string_view id) {
  if (!is_run_id(id)) {
    throw HttpError(404, "no run '" + echo_text(id) + "': a run id is 32 lower-case hex digits");
  }
  try {
    return store.get_run(std::string(id));
  } catch (const UsageError& e) {
    throw HttpError(404, e.what());
  }
}

HttpResponse AppRoutes::run_artifacts(const RouteCall& call) const {
  auto store = open_app_store(settings_);
  const Run run = find_app_run(*store, call.param);
  bool truncated = false;
  nlohmann::json files = nlohmann::json::array();
  std::uintmax_t bundle_bytes = 0;
  bool bundle = false, report = false;
  for (const ArtifactEntry& e : list_artifacts(run.artifact_dir, kMaxArtifactsListed, truncated)) {
    const bool viewable = !artifact_inline_type(e.path).empty();
    files.push_back({{"path", e.path}, {"bytes", e.bytes}, {"viewable", viewable}});
    if (e.path.starts_with("bundle/")) bundle_bytes += e.bytes;
    bundle = bundle || e.path == "bundle/manifest.json";
    report = report || e.path == std::string(kReportFolder) + "/report.html";
  }
  return json_response({{"run_id", run.id},
                        {"files", files},
                        {"truncated", truncated},
                        {"bundle", bundle ? nlohmann::json{{"bytes", bundle_bytes}} : nullptr},
                        {"report", report}});
}

HttpResponse AppRoutes::run_artifact(const RouteCall& call) const {
  const std::string relative = artifact_relative_path(call.rest);
  auto store = open_app_store(settings_);
  const Run run = find_app_run(*store, call.param);
  store.reset();
  const fs::path file = confined_artifact(run.artifact_dir, relative);
  std::error_code ec;
  const std::uintmax_t bytes = fs::file_size(file, ec);
  if (!ec && bytes > kMaxArtifactBytes) {
    throw HttpError(413, "artifact '" + echo_text(relative) + "' is " +
                             std::to_string(bytes >> 20) + " MiB, more than the " +
                             std::to_string(kMaxArtifactBytes >> 20) +
                             " MiB the server sends in one answer; copy it from the store");
  }
  const bool download = query_value(call.query, "download") == "1";
  const std::string name = fs::path(relative).filename().string();
  HttpResponse r = stored_file_response(read_file(file), artifact_inline_type(name),
                                        download_name(run, name), download);
  r.audit_note = "artifact " + relative + " of run " + run.id + " (" +
                 std::to_string(r.body.size()) + " bytes)";
  return r;
}

HttpResponse AppRoutes::run_report(const RouteCall& call) const {
  auto store = open_app_store(settings_);
  const Run run = find_app_run(*store, call.param);
  store.reset();
  const bool json = query_value(call.query, "format") == "json";
  const std::string name = json ? "report.json" : "report.html";
  const fs::path file = run.artifact_dir / kReportFolder / name;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    throw HttpError(404, "run " + run.id +
                             " has no evaluation report: `train` writes one into its bundle, a "
                             "tuning trial keeps no bundle (the study's refit run, NAME-best, "
                             "has one)");
  }
  return stored_file_response(
      read_file(confined_artifact(run.artifact_dir, std::string(kReportFolder) + "/" + name)),
      json ? "application/json" : "text/html; charset=utf-8", download_name(run, name),
      query_value(call.query, "download") == "1");
}

HttpResponse AppRoutes::run_bundle(const RouteCall& call) const {
  auto store = open_app_store(settings_);
  const Run run = find_app_run(*store, call.param);
  store.reset();
  std::error_code ec;
  if (!fs::is_regular_file(run.artifact_dir / "bundle" / "manifest.json", ec)) {
    throw HttpError(404, "run " + run.id +
                             " has no model bundle: a tuning trial or a failed run keeps none "
                             "(its artifact list shows what it has)");
  }
  HttpResponse r =
      stored_file_response(tar_folder(run.artifact_dir / "bundle", "bundle", kMaxArtifactBytes), "",
                           download_name(run, "bundle.tar"), true);
  r.content_type = "application/x-tar";
  r.audit_note =
      "bundle of run " + run.id + " as a tar archive (" + std::to_string(r.body.size()) + " bytes)";
  return r;
}

HttpResponse AppRoutes::register_run(const RouteCall& call) const {
  const nlohmann::json body = parse_json_body(call.request.body);
  if (!body.is_object()) {
    throw HttpError(422,
                    "expected {\"run_id\": RUN_ID, \"name\": MODEL, \"reason\": \"why\", "
                    "\"description\": optional}");
  }
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& [key, value] : body.items()) {
    if (key != "run_id" && key != "name" && key != "reason" && key != "description") {
      problems.push_back(
          {{"field", key},
           {"value", value},
           {"rule", "is not a known field (known: description, name, reason, run_id)"}});
    }
  }
  const nlohmann::json run_id = body.value("run_id", nlohmann::json()),
                       name = body.value("name", nlohmann::json()),
                       reason = body.value("reason", nlohmann::json("")),
                       description = body.value("description", nlohmann::json(""));
  if (!run_id.is_string() || !is_run_id(run_id.get<std::string>())) {
    problems.push_back({{"field", "run_id"},
                        {"value", run_id},
                        {"rule", "must be a run id (32 lower-case hex digits)"}});
  }
  bool name_ok = name.is_string();
  if (name_ok) {
    try {
      check_registry_name("model name", name.get<std::string>());
    } catch (const UsageError&) {
      name_ok = false;
    }
  }
  if (!name_ok) {
    problems.push_back({{"field", "name"},
                        {"value", name},
                        {"rule",
                         "must be a model name: 1 to 200 letters, digits, '_', '-' and '.' (not "
                         "first)"}});
  }
  if (!reason.is_string()) {
    problems.push_back({{"field", "reason"}, {"value", reason}, {"rule", "must be text"}});
  }
  if (!description.is_string()) {
    problems.push_back(
        {{"field", "description"}, {"value", description}, {"rule", "must be text"}});
  }
  if (!problems.empty()) {
    throw HttpError(422, "invalid registration: fix each listed field and resend",
                    {{"problems", problems}});
  }
  const std::string model = name.get<std::string>();
  auto store = open_app_store(settings_);
  const Run run = find_app_run(*store, run_id.get<std::string>());
  if (run.status != RunStatus::kFinished) {
    throw HttpError(409, "run " + run.id + " is " + to_string(run.status) +
                             ": only a FINISHED run's bundle can be registered");
  }
  const fs::path bundle = run.artifact_dir / "bundle";
  std::error_code ec;
  if (!fs::is_regular_file(bundle / "manifest.json", ec)) {
    throw HttpError(409, "run " + run.id +
                             " has no model bundle to register (a tuning trial keeps none; "
                             "register the study's refit run, NAME-best, or a train run)");
  }
  try {
    (void)Bundle::load(bundle);
  } catch (const std::exception& e) {
    throw HttpError(409, "the bundle of run " + run.id +
                             " cannot be loaded, so it was not "
                             "registered: " +
                             std::string(e.what()));
  }
  std::string why = reason.get<std::string>();
  if (why.find_first_not_of(" \t\r\n") == std::string::npos) {
    why = "registered from the web app (run " + run.id + ")";
  }
  ModelRegistry registry(*store, call.who.name);
  const ModelVersion v =
      registry.register_version(model, run.id, why, description.get<std::string>());
  HttpResponse r = json_response({{"version", version_to_json(v)}}, 201);
  r.audit_note =
      "registered " + model + " version " + std::to_string(v.version) + " from run " + run.id;
  return r;
}

}  // namespace loanrisk
