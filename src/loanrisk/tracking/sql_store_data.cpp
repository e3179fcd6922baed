// What is logged to a run: params (immutable), tags, metrics (full history), dataset, artifacts.
#include <unistd.h>

#include <cmath>

#include "loanrisk/tracking/sql_store.hpp"

namespace loanrisk {

void SqlStore::insert_param(const std::string& run_id, const std::string& key,
                            const std::string& value) {
  check_key("param key", key);
  db_->exec(
      "INSERT INTO lr_params(run_id, key, value) VALUES(?, ?, ?) ON CONFLICT(run_id, key) DO "
      "NOTHING",
      {run_id, key, value});
  const auto rows =
      db_->query("SELECT value FROM lr_params WHERE run_id = ? AND key = ?", {run_id, key});
  if (rows.at(0).text(0) != value) {
    throw UsageError("param '" + key + "' of run " + run_id + " was already logged as '" +
                     rows[0].text(0) + "'; params are immutable, cannot change it to '" + value +
                     "' (log a new run instead)");
  }
}

void SqlStore::log_param(const std::string& run_id, const std::string& key,
                         const std::string& value) {
  db_->transaction(true, [&] {
    require_run(run_id);
    insert_param(run_id, key, value);
  });
}

void SqlStore::log_params(const std::string& run_id,
                          const std::map<std::string, std::string>& params) {
  db_->transaction(true, [&] {
    require_run(run_id);
    for (const auto& [key, value] : params) insert_param(run_id, key, value);
  });
}

void SqlStore::set_tag(const std::string& run_id, const std::string& key,
                       const std::string& value) {
  check_key("tag key", key);
  db_->transaction(true, [&] {
    require_run(run_id);
    db_->exec(
        "INSERT INTO lr_tags(run_id, key, value) VALUES(?, ?, ?) ON CONFLICT(run_id, key) DO "
        "UPDATE "
        "SET value = excluded.value",
        {run_id, key, value});
  });
}

void SqlStore::log_metric(const std::string& run_id, const std::string& key, double value,
                          std::int64_t step, std::int64_t timestamp_ms) {
  check_key("metric key", key);
  const bool nan = std::isnan(value);
  const std::int64_t ts = timestamp_ms == 0 ? now_ms() : timestamp_ms;
  db_->transaction(true, [&] {
    require_run(run_id);
    db_->exec(
        "INSERT INTO lr_metrics(run_id, key, value, is_nan, step, timestamp) VALUES(?, ?, ?, ?, ?, "
        "?)",
        {run_id, key, nan ? 0.0 : value, std::int64_t{nan ? 1 : 0}, step, ts});
  });
}

void SqlStore::log_metrics(const std::string& run_id, const std::vector<MetricPoint>& points) {
  std::vector<MetricRow> rows;
  rows.reserve(points.size());
  const std::int64_t now = now_ms();
  for (const MetricPoint& p : points) {
    check_key("metric key", p.key);
    const bool nan = std::isnan(p.value);
    rows.push_back({run_id, p.key, nan ? 0.0 : p.value, nan, p.step,
                    p.timestamp_ms == 0 ? now : p.timestamp_ms});
  }
  db_->transaction(true, [&] {
    require_run(run_id);
    db_->insert_metrics(rows);
  });
}

std::vector<MetricPoint> SqlStore::metric_history(const std::string& run_id,
                                                  const std::string& key) {
  std::vector<MetricPoint> out;
  db_->transaction(false, [&] {
    out.clear();
    require_run(run_id);
    // Rows carry no sequence number; (timestamp, step) is the logging order MLflow reports too.
    for (const auto& row : db_->query(
             "SELECT value, is_nan, step, timestamp FROM lr_metrics WHERE run_id = ? AND key = ? "
             "ORDER BY timestamp, step",
             {run_id, key})) {
      out.push_back(
          {key, row.integer(1) != 0 ? std::nan("") : row.real(0), row.integer(2), row.integer(3)});
    }
  });
  return out;
}

std::int64_t SqlStore::count_metric_rows(const std::string& run_id) {
  std::int64_t n = 0;
  db_->transaction(false, [&] {
    n = db_->query("SELECT COUNT(*) FROM lr_metrics WHERE run_id = ?", {run_id}).at(0).integer(0);
  });
  return n;
}

RunRecord SqlStore::get_run_record(const std::string& run_id) {
  RunRecord rec;
  rec.run = get_run(run_id);
  db_->transaction(false, [&] {
    rec.params.clear();
    rec.tags.clear();
    rec.metrics.clear();
    for (const auto& row :
         db_->query("SELECT key, value FROM lr_params WHERE run_id = ?", {run_id})) {
      rec.params[row.text(0)] = row.text(1);
    }
    for (const auto& row :
         db_->query("SELECT key, value FROM lr_tags WHERE run_id = ?", {run_id})) {
      rec.tags[row.text(0)] = row.text(1);
    }
    for (const auto& row :
         db_->query("SELECT key, value, is_nan FROM (SELECT key, value, is_nan, ROW_NUMBER() OVER "
                    "(PARTITION BY key ORDER BY step DESC, timestamp DESC, value DESC) AS rn FROM "
                    "lr_metrics "
                    "WHERE run_id = ?) latest WHERE rn = 1",
                    {run_id})) {
      rec.metrics[row.text(0)] = row.integer(2) != 0 ? std::nan("") : row.real(1);
    }
  });
  return rec;
}

void SqlStore::set_dataset(const std::string& run_id, const std::string& sha256,
                           const std::string& path, std::int64_t rows) {
  db_->transaction(true, [&] {
    require_run(run_id);
    db_->exec(
        "UPDATE lr_runs SET dataset_sha256 = ?, dataset_path = ?, dataset_rows = ? WHERE run_id = "
        "?",
        {sha256, path, rows, run_id});
  });
}

std::filesystem::path SqlStore::log_artifact(const std::string& run_id,
                                             const std::filesystem::path& source,
                                             const std::string& dest_name) {
  check_key("artifact name", dest_name);
  const Run run = get_run(run_id);
  std::error_code ec;
  if (!std::filesystem::exists(source, ec)) {
    throw InputError("artifact '" + source.string() + "' does not exist");
  }
  const auto dest = run.artifact_dir / dest_name;
  const auto tmp = run.artifact_dir / (dest_name + ".tmp." + std::to_string(::getpid()));
  std::filesystem::create_directories(tmp.parent_path());
  std::filesystem::remove_all(tmp, ec);
  // Copy beside the destination, then rename: a reader never sees half an artifact.
  std::filesystem::copy(source, tmp, std::filesystem::copy_options::recursive, ec);
  if (ec) {
    std::filesystem::remove_all(tmp);
    throw InternalError("cannot copy artifact '" + source.string() + "' to '" + tmp.string() +
                        "': " + ec.message());
  }
  std::filesystem::remove_all(dest, ec);
  std::filesystem::rename(tmp, dest, ec);
  if (ec) {
    throw InternalError("cannot move artifact into '" + dest.string() + "': " + ec.message());
  }
  return dest;
}

}  // namespace loanrisk
