#pragma once
// The Store written once in portable SQL over a Database (SQLite or PostgreSQL connection).
#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// Store over any Database; created by open_store().
class SqlStore final : public Store {
 public:
  /// Takes an open, migrated connection.
  SqlStore(std::string uri, std::unique_ptr<Database> db, std::filesystem::path artifact_root);

  const std::string& uri() const override { return uri_; }
  const std::filesystem::path& artifact_root() const override { return artifact_root_; }
  Database& database() override { return *db_; }

  Experiment get_or_create_experiment(const std::string& name) override;
  std::optional<Experiment> find_experiment(const std::string& name) override;
  std::vector<Experiment> list_experiments() override;
  std::optional<Experiment> find_experiment_by_id(std::int64_t id) override;
  std::optional<Experiment> create_experiment(const std::string& name) override;

  Run create_run(const RunSpec& spec) override;
  // Client runs (sql_store_client.cpp).
  Run create_client_run(const ClientRunSpec& spec) override;
  Run update_run(const std::string& run_id, const RunUpdate& update) override;
  void set_run_deleted(const std::string& run_id, bool deleted) override;
  std::vector<std::string> deleted_run_ids() override;
  std::vector<MetricPoint> latest_metrics(const std::string& run_id) override;
  bool delete_tag(const std::string& run_id, const std::string& key) override;
  Run get_run(const std::string& run_id) override;
  RunRecord get_run_record(const std::string& run_id) override;
  std::vector<Run> list_runs(const std::optional<std::string>& experiment) override;
  void end_run(const std::string& run_id, RunStatus status) override;
  int reap_dead_runs() override;

  void log_param(const std::string& run_id, const std::string& key,
                 const std::string& value) override;
  void log_params(const std::string& run_id,
                  const std::map<std::string, std::string>& params) override;
  void set_tag(const std::string& run_id, const std::string& key,
               const std::string& value) override;
  void log_metric(const std::string& run_id, const std::string& key, double value,
                  std::int64_t step, std::int64_t timestamp_ms) override;
  void log_metrics(const std::string& run_id, const std::vector<MetricPoint>& points) override;
  std::vector<MetricPoint> metric_history(const std::string& run_id,
                                          const std::string& key) override;
  std::int64_t count_metric_rows(const std::string& run_id) override;
  void set_dataset(const std::string& run_id, const std::string& sha256, const std::string& path,
                   std::int64_t rows) override;
  std::filesystem::path log_artifact(const std::string& run_id, const std::filesystem::path& source,
                                     const std::string& dest_name) override;

 private:
  // Throws UsageError when the run does not exist; call inside a transaction.
  void require_run(const std::string& run_id);
  // Inserts a param inside the open transaction, refusing a changed value.
  void insert_param(const std::string& run_id, const std::string& key, const std::string& value);

  std::string uri_;
  std::unique_ptr<Database> db_;
  std::filesystem::path artifact_root_;
};

}  // namespace loanrisk
