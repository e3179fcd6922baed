#pragma once
// The tracking store: experiments, runs, params, metrics (full history), tags, artifacts and the
// input dataset of each run, behind one interface whatever the backend (SQLite or PostgreSQL).
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loanrisk/tracking/database.hpp"
#include "loanrisk/tracking/store_uri.hpp"

namespace loanrisk {

/// A run's life cycle, as MLflow names it.
enum class RunStatus { kRunning, kFinished, kFailed, kKilled };

/// "RUNNING", "FINISHED", "FAILED" or "KILLED".
std::string to_string(RunStatus status);
/// Parses a status name (case-sensitive); UsageError listing the valid names.
RunStatus parse_run_status(const std::string& name);

/// A named group of runs; id 0 is "Default".
struct Experiment {
  std::int64_t id = 0;
  std::string name;
  std::int64_t created_ms = 0;
};

/// One run's attributes.
struct Run {
  std::string id;  ///< 32 lower-case hex digits.
  std::int64_t experiment_id = 0;
  std::string experiment_name;
  std::string name;
  RunStatus status = RunStatus::kRunning;
  std::int64_t start_ms = 0;
  std::optional<std::int64_t> end_ms;
  std::string user;
  std::string git_commit;
  std::string parent_run_id;  ///< empty when the run has no parent.
  std::int64_t pid = 0;
  std::string hostname;
  std::filesystem::path artifact_dir;  ///< where the run's artifacts live.
  std::string dataset_sha256;          ///< empty when no dataset was recorded.
  std::string dataset_path;
  std::optional<std::int64_t> dataset_rows;
};

/// One logged value of a metric.
struct MetricPoint {
  std::string key;
  double value = 0.0;
  std::int64_t step = 0;
  std::int64_t timestamp_ms = 0;
};

/// What a new run starts with.
struct RunSpec {
  std::string experiment = "Default";  ///< created on first use.
  std::string name;                    ///< empty: a generated name.
  std::string parent_run_id;           ///< empty, or an existing run (tuning trials).
  std::string git_commit;              ///< empty: the build's commit.
};

/// A run started by a client over MLflow's REST API (serve/mlflow_api.hpp): it belongs to the
/// client, not to a process of this host, so it is never reaped; its times and name are the
/// client's.
struct ClientRunSpec {
  std::int64_t experiment_id = 0;  ///< an existing experiment.
  std::string name;                ///< empty: a generated name.
  std::int64_t start_ms = 0;       ///< 0: now.
  std::string user;                ///< who the run is recorded as.
  std::map<std::string, std::string> tags;
};

/// The fields of a run a client may change; unset ones stay.
struct RunUpdate {
  std::optional<RunStatus> status;
  std::optional<std::int64_t> end_ms;
  std::optional<std::string> name;
};

/// A run with everything logged to it, the latest value of each metric (max by step, timestamp,
/// value, as MLflow defines it).
struct RunRecord {
  Run run;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> tags;
  std::map<std::string, double> metrics;
};

/// Options of open_store.
struct StoreOptions {
  /// Where artifacts go; empty: `artifacts/` beside an SQLite file, `./loanrisk-store/artifacts`
  /// for PostgreSQL.
  std::filesystem::path artifact_root;
  /// Mark RUNNING runs whose process on this host is gone as KILLED when opening (default on).
  bool reap_dead_runs = true;
};

/// A tracking store. Every write is one short transaction, retried on contention.
class Store {
 public:
  virtual ~Store() = default;

  /// The URI the store was opened with.
  virtual const std::string& uri() const = 0;
  /// The root folder of artifacts (per-experiment folders below it).
  virtual const std::filesystem::path& artifact_root() const = 0;
  /// The connection, for layers that keep their own tables in the store (the registry).
  virtual Database& database() = 0;

  /// The experiment with this name, created on first use.
  virtual Experiment get_or_create_experiment(const std::string& name) = 0;
  /// The experiment with this name, if any.
  virtual std::optional<Experiment> find_experiment(const std::string& name) = 0;
  /// Every experiment, by id.
  virtual std::vector<Experiment> list_experiments() = 0;
  /// The experiment with this id, if any.
  virtual std::optional<Experiment> find_experiment_by_id(std::int64_t id) = 0;
  /// Creates an experiment; nullopt when the name is taken (nothing changed).
  virtual std::optional<Experiment> create_experiment(const std::string& name) = 0;

  /// Starts a RUNNING run owned by this process.
  virtual Run create_run(const RunSpec& spec) = 0;
  /// Starts a RUNNING run for a client (ClientRunSpec): no owner process, never reaped; the tags
  /// are set in the same transaction.
  virtual Run create_client_run(const ClientRunSpec& spec) = 0;
  /// Changes a run's status, end time or name (any of them); UsageError for an unknown run.
  virtual Run update_run(const std::string& run_id, const RunUpdate& update) = 0;
  /// Marks a run deleted (or active again), as MLflow's lifecycle_stage; UsageError when unknown.
  virtual void set_run_deleted(const std::string& run_id, bool deleted) = 0;
  /// The ids of the runs marked deleted.
  virtual std::vector<std::string> deleted_run_ids() = 0;
  /// The latest point of each metric of a run (max by step, timestamp, value), by key.
  virtual std::vector<MetricPoint> latest_metrics(const std::string& run_id) = 0;
  /// A run by id; UsageError when there is none.
  virtual Run get_run(const std::string& run_id) = 0;
  /// A run with its params, tags and latest metrics.
  virtual RunRecord get_run_record(const std::string& run_id) = 0;
  /// Runs, newest first, optionally of one experiment (UsageError when it does not exist).
  virtual std::vector<Run> list_runs(const std::optional<std::string>& experiment) = 0;
  /// Ends a run (FINISHED, FAILED or KILLED) with the current time.
  virtual void end_run(const std::string& run_id, RunStatus status) = 0;
  /// Marks RUNNING runs of this host whose process is gone as KILLED; returns how many.
  virtual int reap_dead_runs() = 0;

  /// Logs a param; logging the same value again is a no-op, a different value a UsageError.
  virtual void log_param(const std::string& run_id, const std::string& key,
                         const std::string& value) = 0;
  /// Logs several params in one transaction (all or nothing).
  virtual void log_params(const std::string& run_id,
                          const std::map<std::string, std::string>& params) = 0;
  /// Sets (or replaces) a tag.
  virtual void set_tag(const std::string& run_id, const std::string& key,
                       const std::string& value) = 0;
  /// Removes a tag; false when the run has no such tag (UsageError for an unknown run).
  virtual bool delete_tag(const std::string& run_id, const std::string& key) = 0;
  /// Appends one metric value (timestamp 0: now).
  virtual void log_metric(const std::string& run_id, const std::string& key, double value,
                          std::int64_t step = 0, std::int64_t timestamp_ms = 0) = 0;
  /// Appends many metric values in one transaction (bulk path: COPY on PostgreSQL).
  virtual void log_metrics(const std::string& run_id, const std::vector<MetricPoint>& points) = 0;
  /// Every value logged for a metric, in logging order.
  virtual std::vector<MetricPoint> metric_history(const std::string& run_id,
                                                  const std::string& key) = 0;
  /// The number of metric rows of a run (all keys, all steps).
  virtual std::int64_t count_metric_rows(const std::string& run_id) = 0;
  /// Records the input dataset of a run.
  virtual void set_dataset(const std::string& run_id, const std::string& sha256,
                           const std::string& path, std::int64_t rows) = 0;
  /// Copies a file or folder into the run's artifacts under dest_name; returns where it went.
  virtual std::filesystem::path log_artifact(const std::string& run_id,
                                             const std::filesystem::path& source,
                                             const std::string& dest_name) = 0;
};

/// Opens the store a URI names, creating and migrating it as needed; UsageError for a bad URI, an
/// unreachable server or a store written by a newer loanrisk.
std::unique_ptr<Store> open_store(const std::string& uri, const StoreOptions& options = {});

/// Refuses empty keys and keys that could escape a folder when exported (a leading '/', "..");
/// `what` names the key in the UsageError.
void check_key(const std::string& what, const std::string& key);

/// Milliseconds since the Unix epoch.
std::int64_t now_ms();

}  // namespace loanrisk
