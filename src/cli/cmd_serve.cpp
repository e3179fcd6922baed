// `loanrisk serve`: the scoring API over HTTP, following a model alias and hot-swapping it.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "cli/threads_flag.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/serve/api.hpp"
#include "loanrisk/serve/http_server.hpp"
#include "loanrisk/serve/identities.hpp"
#include "loanrisk/serve/prediction_monitor.hpp"
#include "loanrisk/serve/shadow.hpp"
#include "loanrisk/tracking/store_uri.hpp"

namespace loanrisk::cli {
namespace {

/// The challenger in shadow, loaded. A bundle folder that does not load stops startup (exit 2): it
/// would never change. A model URI that does not resolve or load yet leaves the server serving
/// without shadow, with a warning, until the alias points at a bundle that loads.
std::unique_ptr<ShadowScorer> start_shadow(const ServeSettings& s, const std::string& store_uri,
                                           PredictionMonitor& monitor) {
  auto shadow = std::make_unique<ShadowScorer>(s, store_uri, monitor.log());
  const ReloadResult first = shadow->challenger().reload(true);
  if (first.model) {
    spdlog::info(
        "shadowing challenger {}{}: every decision is scored by it too; answers stay the "
        "champion's",
        first.model->name, first.model->version.empty() ? "" : " version " + first.model->version);
  } else if (!is_model_uri(s.challenger)) {
    throw UsageError("cannot load challenger '" + s.challenger + "': " + first.error +
                     "; give a bundle folder or model URI that loads, or drop --challenger");
  } else {
    spdlog::warn(
        "challenger '{}' is not loaded, serving without shadow until it is (checked every "
        "{} s): {}",
        s.challenger, s.poll_seconds, first.error);
  }
  return shadow;
}

struct ServeArgs {
  std::string config, host, model, challenger, store, log_level, prediction_log, tls_cert, tls_key;
  std::string threads;
  std::optional<int> port;
};

int serve(const ServeArgs& a) {
  // Logs go to stderr so that stdout carries only the "serving ... at http://..." line.
  spdlog::set_default_logger(spdlog::stderr_color_mt("serve"));
  ServeSettings s;
  const std::filesystem::path config = a.config.empty() ? "loanrisk.toml" : a.config;
  const bool configured = !a.config.empty() || std::filesystem::exists(config);
  const ThreadBudget budget = use_threads(a.threads, configured ? config.string() : "");
  if (configured) apply_serve_toml(s, config);
  apply_serve_env(s);
  if (!a.host.empty()) s.host = a.host;
  if (a.port) s.port = *a.port;
  // Request threads: --threads, else [serve] threads, else the budget.
  if (budget.source == "flag" || s.threads == 0) s.threads = budget.threads;
  if (!a.model.empty()) s.model = a.model;
  if (!a.challenger.empty()) s.challenger = a.challenger;
  if (!a.log_level.empty()) s.log_level = a.log_level;
  if (!a.prediction_log.empty()) s.prediction_log.dir = a.prediction_log;
  if (!a.tls_cert.empty()) s.tls_cert = a.tls_cert;
  if (!a.tls_key.empty()) s.tls_key = a.tls_key;
  s.validate();
  if (s.require_token_for_predict && s.api_token.empty()) {
    throw UsageError("[serve] require_token_for_predict is true but LOANRISK_API_TOKEN is not set");
  }
  const std::string store_uri =
      choose_store_uri(a.store.empty() ? std::nullopt : std::optional(a.store),
                       s.store.empty() ? std::nullopt : std::optional(s.store));

  s.store = store_uri;  // the web app's routes read and write the same store
  {
    Identities ids(store_uri, s.oidc);
    require_identity_source(s, ids);
  }
  ModelHolder holder(s.model, store_uri);
  const ReloadResult first = holder.reload(true);
  if (!first.model) throw UsageError("cannot load model '" + s.model + "': " + first.error);
  ServeMetrics metrics;
  PredictionMonitor monitor(s);
  // Declared after the monitor: on the way out it scores what is queued into the monitor's log.
  std::unique_ptr<ShadowScorer> shadow;
  if (!s.challenger.empty()) shadow = start_shadow(s, store_uri, monitor);
  ServeApi api(s, holder, metrics);
  api.set_monitor(&monitor);
  api.set_shadow(shadow.get());
  HttpServer server({s.host, s.port, s.threads, s.max_body_bytes, s.request_timeout_seconds,
                     s.tls_cert, s.tls_key},
                    [&api](const HttpRequest& r) { return api.handle(r); });
  server.start();
  spdlog::info(
      "threads: {} ({}; CPUs this process may use: {}, from {}), {} request threads, OpenMP "
      "wait policy {}",
      budget.threads, budget.source, budget.cpus.cpus, budget.cpus.source, s.threads,
      std::getenv("OMP_WAIT_POLICY") ? std::getenv("OMP_WAIT_POLICY") : "(unset)");
  if (is_model_uri(s.model)) holder.start_polling(s.poll_seconds);
  if (shadow && is_model_uri(s.challenger)) shadow->challenger().start_polling(s.poll_seconds);
  std::cout << "serving " << first.model->name
            << (first.model->version.empty() ? "" : " version " + first.model->version) << " at "
            << (s.tls_cert.empty() ? "http" : "https") << "://" << s.host << ":" << server.port()
            << std::endl;
  server.wait(true);
  holder.stop();
  if (shadow) shadow->challenger().stop();
  server.stop();
  spdlog::info("server stopped");
  return kExitOk;
}

}  // namespace

void add_serve(CLI::App& app, Action& action) {
  auto a = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Serve the scoring API (predict, explain, MLflow)");
  cmd->add_option("--model", a->model,
                  "Model URI or bundle folder (default models:/loan-default@champion)");
  cmd->add_option("--challenger", a->challenger,
                  "Model URI or bundle folder to score in shadow: every decision is scored by it "
                  "too, logged and compared on /metrics; answers stay --model's ([serve] "
                  "challenger)");
  cmd->add_option("--host", a->host, "Address to listen on (default 127.0.0.1)");
  cmd->add_option("--port", a->port, "Port to listen on, 0 for any free port (default 8080)");
  add_threads_option(cmd, a->threads);
  cmd->add_option(
      "--store", a->store,
      "Store URI (default: $LOANRISK_STORE, else sqlite:///loanrisk-store/loanrisk.db)");
  cmd->add_option("--config", a->config, "loanrisk.toml with a [serve] section");
  cmd->add_option("--log-level", a->log_level, "Level of the per-request log lines");
  cmd->add_option(
      "--prediction-log", a->prediction_log,
      "Folder of the prediction log (JSON lines; overrides [serve.prediction_log] dir)");
  cmd->add_option("--tls-cert", a->tls_cert,
                  "PEM certificate chain: serve HTTPS only (TLS 1.2+, HSTS); with --tls-key");
  cmd->add_option("--tls-key", a->tls_key, "PEM private key of --tls-cert");
  cmd->callback([a, &action] { action = [a] { return serve(*a); }; });
}

}  // namespace loanrisk::cli
