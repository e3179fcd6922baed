// Metric rows logged per second into the tracking store, SQLite and PostgreSQL, each next to its
// baseline measured in the same run: one transaction per row (log_metric) vs one batch
// (log_metrics: one transaction; COPY on PostgreSQL). PostgreSQL is measured when --pg URI or
// $LOANRISK_TEST_PG_URI names a server, and skipped with a message otherwise.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "loanrisk/tracking/store.hpp"

namespace {

using loanrisk::MetricPoint;
using loanrisk::Store;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void measure(const std::string& label, Store& store, int single_rows, int batch_rows) {
  const auto one = store.create_run({"bench", label + "-per-row", "", ""});
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < single_rows; ++i) store.log_metric(one.id, "loss", 1.0 / (i + 1), i);
  const double per_row = single_rows / seconds_since(t0);

  const auto many = store.create_run({"bench", label + "-batched", "", ""});
  std::vector<MetricPoint> points;
  points.reserve(static_cast<std::size_t>(batch_rows));
  for (int i = 0; i < batch_rows; ++i) points.push_back({"loss", 1.0 / (i + 1), i, 0});
  t0 = std::chrono::steady_clock::now();
  store.log_metrics(many.id, points);
  const double batched = batch_rows / seconds_since(t0);
  if (store.count_metric_rows(one.id) != single_rows ||
      store.count_metric_rows(many.id) != batch_rows) {
    std::fprintf(stderr, "%s: row counts do not match what was logged\n", label.c_str());
    std::exit(1);
  }
  std::printf("%-10s one commit per row: %10.0f rows/s (%d rows)\n", label.c_str(), per_row,
              single_rows);
  std::printf("%-10s batched log_metrics: %9.0f rows/s (%d rows)  ratio %.1fx\n", label.c_str(),
              batched, batch_rows, batched / per_row);
}

}  // namespace

int main(int argc, char** argv) {
  int rows = 100000;
  std::string pg;
  if (const char* env = std::getenv("LOANRISK_TEST_PG_URI")) pg = env;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc) {
      rows = std::atoi(argv[++i]);
    } else if (a == "--pg" && i + 1 < argc) {
      pg = argv[++i];
    } else {
      std::fprintf(stderr, "usage: bench_store [--rows N] [--pg postgresql://...]\n");
      return 2;
    }
  }
  if (rows <= 0) {
    std::fprintf(stderr, "--rows must be positive\n");
    return 2;
  }
  const int single = std::max(1, rows / 10);  // per-row commits are slow: a tenth is enough
  try {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("loanrisk-bench-" + std::to_string(std::random_device{}()));
    {
      auto store = loanrisk::open_store("sqlite:///" + (dir / "loanrisk.db").string());
      measure("sqlite", *store, single, rows);
    }
    std::filesystem::remove_all(dir);
    if (pg.empty()) {
      std::printf("postgres   skipped: no server (give --pg URI or set LOANRISK_TEST_PG_URI)\n");
      return 0;
    }
    // A private schema so repeated runs start empty and leave nothing behind.
    const std::string schema = "bench" + std::to_string(std::random_device{}());
    auto admin = loanrisk::open_database(loanrisk::parse_store_uri(pg));
    admin->transaction(true, [&] { admin->execute_direct("CREATE SCHEMA " + schema); });
    {
      loanrisk::StoreOptions options;
      options.artifact_root = dir / "artifacts";
      auto store = loanrisk::open_store(pg + (pg.find('?') == std::string::npos ? "?" : "&") +
                                            "options=-csearch_path%3D" + schema,
                                        options);
      measure("postgres", *store, single, rows);
    }
    admin->transaction(true, [&] { admin->execute_direct("DROP SCHEMA " + schema + " CASCADE"); });
    std::filesystem::remove_all(dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_store: %s\n", e.what());
    return 1;
  }
  return 0;
}
