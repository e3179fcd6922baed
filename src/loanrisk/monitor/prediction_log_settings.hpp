#pragma once
// The prediction log's settings: what the writer (prediction_log_writer.hpp) needs, whoever reads
// them (loanrisk.toml's [serve.prediction_log] is parsed in serve/prediction_log_toml.cpp).
#include <cstddef>
#include <string>

namespace loanrisk {

/// [serve.prediction_log]: where and how every scored applicant is logged (docs/monitoring.md).
struct PredictionLogSettings {
  std::string dir;                         ///< empty: no prediction log.
  double sample_rate = 1.0;                ///< share of scored rows logged, in (0, 1].
  bool hash_customer_id = false;           ///< log sha256(salt + customer_id) instead of the id.
  std::string salt;                        ///< also from $LOANRISK_PREDICTION_LOG_SALT.
  std::size_t max_file_bytes = 64u << 20;  ///< a file is rotated before it passes this size.
  /// The folder's cap: the oldest files are removed to stay under it (0: no cap, not advised).
  std::size_t max_total_bytes = std::size_t{1} << 30;
  std::size_t queue_capacity = 10'000;  ///< rows waiting for the writer; more are dropped.
  /// "async": a request's lines are queued and written within about 50 ms (a crash loses what
  /// is queued); "sync": a request is answered only once its lines are written and on disk
  /// (fdatasync), and fails with 503 when they cannot be.
  std::string durability = "async";

  /// UsageError for a rate outside (0, 1], hashing without a salt or tiny limits.
  void validate() const;
};

}  // namespace loanrisk
