// MLflow's artifact proxy (mlflow-artifacts): PUT one file into a run's artifact folder, GET it
// back, GET the entries of a folder. A path is <experiment id>/<run id>/artifacts/<path inside>:
// the run must exist in that experiment, and the path inside is checked and confined to the run's
// artifact folder as the web app's artifact routes confine it (run_artifacts.hpp).
#include <unistd.h>

#include <fstream>
#include <random>

#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/api.hpp"
#include "loanrisk/serve/app_api.hpp"
#include "loanrisk/serve/mlflow_api.hpp"
#include "loanrisk/serve/run_artifacts.hpp"

namespace loanrisk {
namespace fs = std::filesystem;
namespace {

struct Target {
  Run run;
  std::string relative;  ///< checked; "" for the artifact folder itself.
};

/// The run and path inside its artifacts that a proxy path names (percent-encoded as sent).
Target resolve(Store& store, std::string_view raw, bool allow_root) {
  // The run's part is plain digits and hex; the rest is checked by artifact_relative_path.
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    const auto slash = raw.find('/', pos);
    parts.push_back(
        raw.substr(pos, slash == std::string_view::npos ? raw.size() - pos : slash - pos));
    if (slash == std::string_view::npos) {
      pos = raw.size() + 1;
      break;
    }
    pos = slash + 1;
  }
  if (parts.size() < 3 || parts[2] != "artifacts" || parts[0].empty() || parts[0].size() > 18 ||
      parts[0].find_first_not_of("0123456789") != std::string_view::npos) {
    throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                       "artifact path '" + echo_text(raw) +
                           "' must be <experiment id>/<run id>/artifacts/<path>, as a run's "
                           "artifact_uri names it");
  }
  Target t{mlflow_find_run(store, std::string(parts[1])), ""};
  if (std::to_string(t.run.experiment_id) != parts[0]) {
    throw mlflow_error(404, "RESOURCE_DOES_NOT_EXIST",
                       "run " + t.run.id + " is not in experiment " + std::string(parts[0]));
  }
  const std::string_view rest = pos < raw.size() ? raw.substr(pos) : std::string_view();
  if (rest.empty()) {
    if (!allow_root) {
      throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                         "name a file inside the run's artifacts: " + std::string(raw) + "/<file>");
    }
    return t;
  }
  t.relative = artifact_relative_path(rest);
  return t;
}

bool inside(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *q != *r) return false;
  }
  return true;
}

}  // namespace

HttpResponse MlflowRoutes::artifact_upload(const RouteCall& call) const {
  auto store = open_app_store(settings_);
  const Target t = resolve(*store, call.rest.empty() ? call.param : call.rest, false);
  if (call.request.body.size() > kMaxArtifactBytes) {
    throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                       "an artifact file sent through the server holds at most " +
                           std::to_string(kMaxArtifactBytes) + " bytes");
  }
  const auto deleted = store->deleted_run_ids();
  if (std::find(deleted.begin(), deleted.end(), t.run.id) != deleted.end()) {
    throw mlflow_error(
        400, "INVALID_PARAMETER_VALUE",
        "The run " + t.run.id + " must be in the 'active' state. Current state is deleted.");
  }
  const fs::path root = t.run.artifact_dir;
  const fs::path target = root / fs::path(t.relative);
  std::error_code ec;
  fs::create_directories(root, ec);
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec)
    throw InternalError("cannot open the artifact folder of run " + t.run.id + ": " + ec.message());
  // Folders are created one by one, and none of them may be (or lead through) a link out.
  fs::path folder = root;
  for (const auto& part : fs::path(t.relative).parent_path()) {
    folder /= part;
    if (fs::is_symlink(folder, ec) || (fs::exists(folder, ec) && !fs::is_directory(folder, ec))) {
      throw mlflow_error(
          400, "INVALID_PARAMETER_VALUE",
          "artifact path '" + echo_text(t.relative) + "' leads through a file or a link");
    }
    fs::create_directory(folder, ec);
  }
  const fs::path real_folder = fs::canonical(target.parent_path(), ec);
  if (ec || !inside(canonical_root, real_folder)) {
    throw mlflow_error(
        400, "INVALID_PARAMETER_VALUE",
        "artifact path '" + echo_text(t.relative) + "' leads out of the run's artifacts");
  }
  if (fs::is_directory(target, ec)) {
    throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                       "artifact path '" + echo_text(t.relative) + "' is a folder");
  }
  // Written beside the target, then renamed over it: a reader never sees half a file, and a link
  // at the target's name is replaced, never followed.
  const fs::path tmp = real_folder / (".upload-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(std::random_device{}()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(call.request.body.data(), static_cast<std::streamsize>(call.request.body.size()));
    if (!out) {
      fs::remove(tmp, ec);
      throw InternalError("cannot write artifact '" + t.relative + "' of run " + t.run.id);
    }
  }
  fs::rename(tmp, real_folder / target.filename(), ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw InternalError("cannot place artifact '" + t.relative + "' of run " + t.run.id);
  }
  HttpResponse r = json_response(nlohmann::json::object());
  r.audit_note = "uploaded artifact " + t.relative + " (" +
                 std::to_string(call.request.body.size()) + " bytes) to run " + t.run.id;
  return r;
}

HttpResponse MlflowRoutes::artifact_download(const RouteCall& call) const {
  auto store = open_app_store(settings_);
  const Target t = resolve(*store, call.rest.empty() ? call.param : call.rest, false);
  const fs::path file = confined_artifact(t.run.artifact_dir, t.relative);
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (!ec && size > kMaxArtifactBytes) {
    throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                       "artifact '" + echo_text(t.relative) + "' is larger than the " +
                           std::to_string(kMaxArtifactBytes) + " bytes the server sends");
  }
  HttpResponse r;
  r.content_type = "application/octet-stream";
  r.body = read_file(file);
  r.headers.emplace_back("Content-Disposition", attachment_disposition(file.filename().string()));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.audit_note = "downloaded artifact " + t.relative + " of run " + t.run.id;
  return r;
}

HttpResponse MlflowRoutes::artifact_list(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const auto it = req.find("path");
  nlohmann::json out = {{"files", nlohmann::json::array()}};
  if (it == req.end() || !it->is_string() || it->get<std::string>().empty()) {
    return json_response(out);  // the root of every experiment: nothing listed here
  }
  std::string raw = it->get<std::string>();
  while (raw.ends_with('/')) raw.pop_back();
  // The query value is decoded already; the path reader decodes %-escapes once more.
  for (auto p = raw.find('%'); p != std::string::npos; p = raw.find('%', p + 3)) {
    raw.replace(p, 1, "%25");
  }
  auto store = open_app_store(settings_);
  const Target t = resolve(*store, raw, true);
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(t.run.artifact_dir, ec);
  if (ec) return json_response(out);
  const fs::path folder = fs::canonical(t.run.artifact_dir / fs::path(t.relative), ec);
  if (ec || !inside(canonical_root, folder) || !fs::is_directory(folder, ec)) {
    return json_response(out);
  }
  std::vector<nlohmann::json> files;
  for (fs::directory_iterator d(folder, ec), end; !ec && d != end; d.increment(ec)) {
    const fs::path p = d->path();
    std::error_code e2;
    const fs::path real = fs::canonical(p, e2);
    if (e2 || !inside(canonical_root, real)) continue;  // a link out of the folder
    const std::string name = p.filename().string();
    if (name.starts_with(".upload-") || !is_valid_utf8(name)) continue;
    nlohmann::json f = {{"path", name}, {"is_dir", fs::is_directory(real, e2)}};
    if (!f["is_dir"].get<bool>())
      f["file_size"] = static_cast<std::int64_t>(fs::file_size(real, e2));
    files.push_back(f);
    if (files.size() >= kMaxArtifactsListed) break;
  }
  std::sort(files.begin(), files.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["path"].get<std::string>() < b["path"].get<std::string>();
  });
  for (auto& f : files) out["files"].push_back(std::move(f));
  return json_response(out);
}

}  // namespace loanrisk
