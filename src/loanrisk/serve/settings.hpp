#pragma once
// Settings of `loanrisk serve`: defaults, then loanrisk.toml [serve] (parsed and validated here,
// unknown keys rejected with the list of known ones), then environment, then flags.
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "loanrisk/auth/oidc.hpp"
#include "loanrisk/bundle/decision.hpp"
#include "loanrisk/monitor/prediction_log_settings.hpp"
#include "loanrisk/tracking/users.hpp"

namespace loanrisk {

/// The bank's identity provider ([auth.oidc] in loanrisk.toml, docs/security.md).
struct OidcSettings {
  auth::OidcConfig config;
  /// The provider's role or group name -> a loanrisk role; names not listed are taken as
  /// loanrisk roles when they are one, and ignored otherwise.
  std::map<std::string, std::string> role_map;
  std::vector<Role> roles_of(const std::vector<std::string>& claimed) const;
};

/// How many jobs the server runs and keeps waiting, in all and per person (identity source and
/// name), from [serve] job_max_running, job_max_running_per_person, job_max_queued_per_person.
struct JobLimits {
  int max_running = 2;             ///< at once on this server.
  int max_running_per_person = 1;  ///< at once for one identity.
  int max_queued_per_person = 2;   ///< waiting for a slot, per identity; 0: no queue.
  /// How long a stopped job may take to end after SIGTERM before it gets SIGKILL.
  int stop_grace_seconds = 30;
};

/// Everything the server needs to start.
struct ServeSettings {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string model = "models:/loan-default@champion";
  /// A model URI or bundle folder scored in shadow beside `model` (shadow.hpp); empty: none.
  std::string challenger;
  std::string store;  ///< empty: $LOANRISK_STORE, then the default store.
  /// Request threads; 0: the process's thread budget (--threads, [runtime] threads, else the CPUs
  /// it may use; core/cpu_budget.hpp).
  int threads = 0;
  std::size_t max_batch = 10'000;         ///< applicants per request.
  std::size_t max_body_bytes = 8u << 20;  ///< larger bodies get 413.
  double request_timeout_seconds = 10;    ///< a client stalled longer is disconnected.
  double poll_seconds = 5;                ///< how often the alias is checked.
  double lgd = 0.9;                       ///< loss given default for expected_loss.
  std::vector<Grade> grades = default_grades();
  bool require_token_for_predict = false;  ///< prediction routes need LOANRISK_API_TOKEN too.
  std::string log_level = "info";          ///< per-request log lines: trace|debug|info|warn|off.
  std::string admin_token;                 ///< from $LOANRISK_ADMIN_TOKEN; empty: admin disabled.
  std::string api_token;                   ///< from $LOANRISK_API_TOKEN.
  PredictionLogSettings prediction_log;
  std::size_t drift_window = 10'000;  ///< scored rows in the live drift window.
  /// Folders whose files background jobs may train on (besides the served model's training data).
  std::vector<std::string> job_data_dirs;
  /// Wrong tokens one client address may send per minute before it is answered 429 for the rest
  /// of that minute (wrong_token_limiter.hpp); 0: no limit.
  int wrong_token_limit = 20;
  /// Background jobs at once, and per person running and waiting.
  JobLimits jobs;
  /// Aliases whose moves need a request and a second person's approval once the store has users
  /// (four-eyes, docs/security.md).
  std::vector<std::string> protected_aliases = {"champion"};
  std::optional<OidcSettings> oidc;  ///< none: no identity provider
  /// PEM certificate chain and private key: both set, the server speaks TLS only (with HSTS).
  std::string tls_cert;
  std::string tls_key;

  /// Ten grades with monotone PD upper bounds from 0.5% to 100%.
  static std::vector<Grade> default_grades() { return loanrisk::default_grades(); }
  /// The credit policy (grades and LGD) these settings give.
  CreditPolicy policy() const { return {grades, lgd}; }
  /// UsageError for a bad port, threads, limits, LGD outside (0, 1], or grades not strictly
  /// increasing and ending at 1.
  void validate() const;
};

/// Applies the [serve] table of a loanrisk.toml onto settings (absent file section: unchanged).
/// UsageError naming the file, key and fix for unknown keys (listing the known ones) or bad values.
void apply_serve_toml(ServeSettings& settings, const std::filesystem::path& toml_file);

/// Same, from TOML text (source_name appears in messages).
void apply_serve_toml_text(ServeSettings& settings, const std::string& text,
                           const std::string& source_name);

/// Reads LOANRISK_ADMIN_TOKEN, LOANRISK_API_TOKEN, LOANRISK_PREDICTION_LOG_SALT,
/// LOANRISK_SERVE_PORT and LOANRISK_SERVE_HOST.
void apply_serve_env(ServeSettings& settings);
/// LOANRISK_OIDC_ISSUER and LOANRISK_OIDC_AUDIENCE over the file's [auth.oidc].
void apply_oidc_env(ServeSettings& settings);

}  // namespace loanrisk
