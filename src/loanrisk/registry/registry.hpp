#pragma once
// The model registry: named models whose versions are immutable copies of a run's bundle, aliases
// (`champion`, `challenger`, any name) moved atomically, and an append-only history of every
// registration, alias move and archive (who, when, why). Lives in the tracking store's database.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// One version of a registered model.
struct ModelVersion {
  std::string name;
  std::int64_t version = 0;
  std::string run_id;
  std::filesystem::path source;  ///< the registry's copy of the bundle.
  std::string status;            ///< "READY" or "ARCHIVED".
  std::string description;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::string created_by;
  std::map<std::string, std::string> tags;
  std::vector<std::string> aliases;  ///< aliases pointing at this version, sorted.
};

/// A registered model and where its aliases point.
struct RegisteredModel {
  std::string name;
  std::string description;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::int64_t latest_version = 0;
  std::map<std::string, std::int64_t> aliases;
};

/// One entry of the append-only history.
struct RegistryEvent {
  std::int64_t id = 0;
  std::string name;
  std::string event;  ///< "register", "alias" or "archive".
  std::optional<std::int64_t> version;
  std::string alias;
  std::optional<std::int64_t> previous_version;  ///< where the alias pointed before, if anywhere.
  std::string user;
  std::int64_t timestamp_ms = 0;
  std::string reason;
  std::optional<std::int64_t> request_id;  ///< the promotion request a request/approve/reject is.
  std::string report_sha256;               ///< the validation report attached, if any.
  bool override_gate = false;  ///< a protected alias moved despite a missing or red report.
};

/// A request to move a protected alias, waiting for (or given) a second person's decision.
struct AliasRequest {
  std::int64_t id = 0;
  std::string name;
  std::string alias;
  std::int64_t version = 0;
  std::string requested_by;
  std::int64_t requested_ms = 0;
  std::string reason;
  std::string report_sha256;   ///< "" when no validation report was attached.
  bool override_gate = false;  ///< asks to move despite a missing or red report (reason says why).
  std::string state;           ///< "pending", "approved", "rejected" or "superseded".
  std::string decided_by;      ///< "" while pending.
  std::optional<std::int64_t> decided_ms;
  std::string decision_reason;
};

/// A validation report (`loanrisk validate`'s report.json, with its report.html) attached to a
/// version: the evidence a protected alias needs before it may point there.
struct VersionReport {
  std::string name;
  std::int64_t version = 0;
  std::string sha256;            ///< of report.json's bytes: what a promotion names.
  std::string status;            ///< the report's worst light: green, amber, red or n/a.
  std::vector<std::string> red;  ///< its red tests, one sentence each.
  std::string data_source;       ///< the book it was computed on.
  std::string against;           ///< the model it was compared with, or "".
  std::filesystem::path path;    ///< the registry's copy (report.json, report.html).
  std::string attached_by;
  std::int64_t attached_ms = 0;
};

/// Aliases that need validation evidence unless the registry is told otherwise.
inline const std::vector<std::string> kDefaultGatedAliases{"champion"};

/// Registry operations over a store; every write is one transaction.
class ModelRegistry {
 public:
  /// Uses the store's database and artifact root (bundles go under `<root>/registry/`); every
  /// write is recorded as done by `by` (the OS user when not given).
  explicit ModelRegistry(Store& store, std::string by = "");

  /// Creates the next version of name (and the model on first use) from the `bundle` artifact of
  /// a run; the bundle is copied so the version never changes.
  ModelVersion register_version(const std::string& name, const std::string& run_id,
                                const std::string& reason, const std::string& description = "");
  /// Points alias at version (creating or moving it) and records the move, all or nothing.
  /// Returns false when the alias already pointed there (nothing recorded).
  /// A gated alias (see gated_aliases) needs a validation report attached to that version with
  /// no red gate (report_sha256 names one, else the newest is used), unless override_gate with a
  /// reason; GateError otherwise. The report used and any override go to the history.
  bool set_alias(const std::string& name, const std::string& alias, std::int64_t version,
                 const std::string& reason, const std::string& report_sha256 = "",
                 bool override_gate = false);
  /// Asks for alias to point at version; the move waits for approve_request by someone else.
  /// A pending request for the same alias is superseded. UsageError for an unknown or archived
  /// version; GateError when a gated alias's move would be refused (checked again at approval).
  AliasRequest request_alias(const std::string& name, const std::string& alias,
                             std::int64_t version, const std::string& reason,
                             const std::string& report_sha256 = "", bool override_gate = false);
  /// Approves a pending request and moves the alias, all in one transaction. RefusedError (the
  /// four-eyes rule) when the approver requested the move, registered the version or started the
  /// run that trained it; UsageError for an unknown or decided request.
  AliasRequest approve_request(std::int64_t id, const std::string& reason);
  /// Rejects a pending request (anyone but its requester may; the requester withdraws it the
  /// same way, recorded as "withdrawn").
  AliasRequest reject_request(std::int64_t id, const std::string& reason);
  /// Requests, newest first: all of them or only the pending ones, of one model or of every one.
  std::vector<AliasRequest> requests(const std::string& name = "", bool pending_only = false);
  /// One request; UsageError when there is none with that id.
  AliasRequest get_request(std::int64_t id);

  /// Attaches a validation report (a folder with report.json and report.html, or report.json
  /// itself) to a version: copied under the registry, its hash recorded with its status and red
  /// gates. UsageError when the report validated another bundle than this version's (the
  /// report's model.bundle_sha256 against the version's bundle), InputError for a file that is
  /// not a validation report. Attaching the same report again returns the stored one.
  VersionReport attach_report(const std::string& name, std::int64_t version,
                              const std::filesystem::path& report);
  /// Reports attached to a version (version 0: every version's), newest first.
  std::vector<VersionReport> reports(const std::string& name, std::int64_t version = 0);
  /// The report with this sha256 (attached to any version of any model), if there is one.
  std::optional<VersionReport> find_report(const std::string& sha256);
  /// The aliases that need validation evidence (kDefaultGatedAliases until set).
  void set_gated_aliases(std::vector<std::string> aliases) { gated_ = std::move(aliases); }
  const std::vector<std::string>& gated_aliases() const { return gated_; }

  /// Creates a model without versions (its first registration would create it otherwise);
  /// false when the name is taken (nothing changed). Recorded in the history as "create".
  bool create_model(const std::string& name, const std::string& description,
                    const std::string& reason);
  /// Removes an alias; false when the model had no such alias. RefusedError for a gated alias
  /// (it only moves through set_alias / approve_request, with its evidence). Recorded in the
  /// history as "unalias" with the version it pointed at.
  bool delete_alias(const std::string& name, const std::string& alias, const std::string& reason);

  /// Marks a version ARCHIVED (its bundle is kept); UsageError while an alias points at it.
  void archive(const std::string& name, std::int64_t version, const std::string& reason);
  /// Sets (or replaces) a tag of a version.
  void set_version_tag(const std::string& name, std::int64_t version, const std::string& key,
                       const std::string& value);
  /// Replaces the description of a version.
  void set_version_description(const std::string& name, std::int64_t version,
                               const std::string& description);

  /// Every registered model, by name.
  std::vector<RegisteredModel> list_models();
  /// One model; UsageError listing the registered names when it does not exist.
  RegisteredModel get_model(const std::string& name);
  /// The versions of a model, oldest first.
  std::vector<ModelVersion> versions(const std::string& name);
  /// One version; UsageError when it does not exist.
  ModelVersion get_version(const std::string& name, std::int64_t version);
  /// The version an alias points at; UsageError listing the model's aliases when unknown.
  std::int64_t alias_version(const std::string& name, const std::string& alias);
  /// The history of a model, oldest first.
  std::vector<RegistryEvent> history(const std::string& name);

 private:
  Store& store_;
  Database& db_;
  std::string by_;  ///< who the writes are recorded as.
  std::vector<std::string> gated_ = kDefaultGatedAliases;
};

/// Refuses model and alias names other than letters, digits, '_', '-' and '.' (they appear in
/// URIs and folder names).
void check_registry_name(const std::string& what, const std::string& name);

/// True for `models:/...` and `runs:/...` URIs.
bool is_model_uri(const std::string& uri_or_path);

/// The bundle folder a model URI names: `models:/NAME@ALIAS`, `models:/NAME/VERSION`,
/// `models:/NAME/latest` (newest READY version), `runs:/RUN_ID[/PATH]` (PATH defaults to
/// `bundle`). A plain path passes through unchanged. UsageError for a malformed URI or an unknown
/// model, version, alias or run; InputError when the bundle folder is missing on disk.
std::filesystem::path resolve_model_uri(Store& store, const std::string& uri_or_path);

}  // namespace loanrisk
