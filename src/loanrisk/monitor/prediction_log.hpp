#pragma once
// The prediction log's format, shared by the server that writes it and `loanrisk monitor --log`
// that reads it: JSON lines in files predictions-YYYYMMDD-N.jsonl (UTC day, N from 1 counting
// size rotations), one scored applicant per line. Fields in docs/monitoring.md.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loanrisk/core/utc_time.hpp"
#include "loanrisk/data/frame.hpp"

namespace loanrisk::monitor {

/// The challenger's verdict on an applicant, logged beside the champion's when the server shadows a
/// challenger (serve/shadow.hpp).
struct ChallengerVerdict {
  std::string model_name, model_version;
  double pd = 0;
  std::string grade, decision;
  /// Why the challenger could not score the row ("" when it did; pd, grade, decision unset then).
  std::string error;
};

/// One scored applicant as logged.
struct PredictionRecord {
  std::int64_t time_ms = 0;  ///< Unix time in milliseconds (UTC).
  std::string request_id, model_name, model_version, route;
  std::string customer_id;  ///< as sent, or its salted SHA-256 when customer_id_hashed.
  bool customer_id_hashed = false;
  /// Names of the raw input features, shared by every record of a model (no copy per row).
  std::shared_ptr<const std::vector<std::string>> input_names;
  std::vector<double> inputs;  ///< values in input_names order.
  double pd = 0;
  std::string grade, decision;
  std::optional<ChallengerVerdict> challenger;  ///< only when the server shadows a challenger.
};

/// The JSON line of a record, newline included. Written by hand (no JSON tree): it runs once per
/// logged row. Bytes outside ASCII in strings are written as \u00XX so a line is always valid.
std::string prediction_log_line(const PredictionRecord& record);

// The timestamps' text forms, here since the log was their first user.
using loanrisk::iso8601_ms;
using loanrisk::parse_utc_time;

/// The file name for a UTC day (from a Unix time) and rotation index: predictions-YYYYMMDD-N.jsonl.
std::string prediction_log_file_name(std::int64_t time_ms, int index);
/// The log files of a folder, oldest first (by day, then index); InputError when the folder is
/// missing.
std::vector<std::filesystem::path> prediction_log_files(const std::filesystem::path& dir);

/// Scored applicants read back from a log, with the outcome when the lines carry one.
struct LoggedPredictions {
  Frame inputs;  ///< one column per requested feature.
  std::vector<std::int64_t> time_ms;
  std::vector<double> pd;
  std::vector<double> target;  ///< empty unless every line has "default" (0 or 1).
  /// The challenger's PD per row, NaN where a line has none (not shadowed, or the challenger
  /// failed on it); empty when no line has one.
  std::vector<double> challenger_pd;
  /// Per row: 1 when inputs.ids holds the salted SHA-256 of the id ("customer_id_hashed").
  std::vector<std::uint8_t> id_hashed;
  /// Lines per scoring model and per challenger, keyed "name/version" (the report says which
  /// versions the traffic saw).
  std::map<std::string, std::size_t> models, challengers;
  std::size_t files = 0, lines = 0, skipped = 0;  ///< skipped: outside [since, until).
};

/// Reads every line of the log folder (customer ids as the server received them: the writer's
/// \u00XX escapes of bytes above 127 are turned back into those bytes) with since <= time < until
/// (when given), keeping the named input features. InputError with file, line and fix for a
/// malformed line or a missing feature.
LoggedPredictions read_prediction_log(const std::filesystem::path& dir,
                                      const std::vector<std::string>& features,
                                      std::optional<std::int64_t> since_ms,
                                      std::optional<std::int64_t> until_ms);

}  // namespace loanrisk::monitor
