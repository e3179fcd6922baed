#pragma once
// The outcome file: what became of scored customers, joined later to the prediction log so that
// a model can be validated on the traffic it really scored (docs/monitoring.md, "Outcomes").
// A CSV with a header naming customer_id, observation_date and default (any order, other columns
// ignored); one row per observed customer and date.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace loanrisk {

/// One observed outcome.
struct Outcome {
  std::int64_t line = 0;    ///< 1-based line of the row in the file.
  std::string customer_id;  ///< as the bank knows it (and as it was sent to the server).
  /// The end of the observation, Unix ms (UTC): a date alone is the end of that day, so a
  /// customer scored that day is joined.
  std::int64_t observed_ms = 0;
  double value = 0;  ///< 1: defaulted by the observation date; 0: did not.
};

/// Reads an outcome file. InputError with line, column and fix for a missing column, an empty
/// id, a date that is not YYYY-MM-DD (or ISO 8601 UTC), an outcome that is not 0 or 1, and a
/// customer observed twice on the same date.
std::vector<Outcome> read_outcomes(const std::filesystem::path& path);
/// Same, from text in memory; source names it in messages.
std::vector<Outcome> parse_outcomes(std::string_view text, const std::string& source);

}  // namespace loanrisk
