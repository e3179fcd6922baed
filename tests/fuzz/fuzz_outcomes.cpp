// The outcome file (data/outcomes.cpp) and its join to a prediction log (monitor/outcome_join.cpp),
// as `loanrisk validate --log` and `monitor --log --outcomes` read them: the input is one outcome
// file. Contract: InputError (line, column and fix) is the only refusal of the file and of the
// join. Properties: every outcome is accounted for once (joined, never scored, scored after, or
// beyond the horizon); every joined row's outcome is 0 or 1.
#include <cmath>

#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/data/outcomes.hpp"
#include "loanrisk/monitor/outcome_join.hpp"

using namespace loanrisk;

namespace {

/// A small log: plain and hashed ids, two scorings of one customer, one row without an id.
monitor::LoggedPredictions small_log() {
  monitor::LoggedPredictions log;
  const std::vector<std::pair<std::string, bool>> ids = {
      {"1", false}, {"1", false}, {"2", false}, {sha256_hex("s3"), true}, {"", false}};
  std::int64_t t = *parse_utc_time("2026-11-28T01:00:00Z");
  for (const auto& [id, hashed] : ids) {
    log.inputs.ids.push_back(id);
    log.id_hashed.push_back(hashed ? 1 : 0);
    log.time_ms.push_back(t);
    log.pd.push_back(0.1);
    t += 86'400'000;
  }
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const monitor::LoggedPredictions log = small_log();
  std::vector<Outcome> outcomes;
  if (!fuzz::within_contract<InputError>("parse_outcomes", [&] {
        outcomes = parse_outcomes(fuzz::text_of(data, size), "fuzz.csv");
      })) {
    return 0;
  }
  fuzz::within_contract<InputError>("join_outcomes", [&] {
    const monitor::OutcomeJoin j = monitor::join_outcomes(log, outcomes, {"s", 365});
    if (j.joined + j.not_scored + j.scored_after + j.beyond_horizon != outcomes.size()) {
      fuzz::finding("an outcome is not accounted for exactly once");
    }
    if (j.target.size() != log.pd.size()) fuzz::finding("target differs in length from the log");
    std::size_t labelled = 0;
    for (const double t : j.target) {
      if (std::isnan(t)) continue;
      ++labelled;
      if (t != 0 && t != 1) fuzz::finding("a joined outcome is not 0 or 1");
    }
    if (labelled != j.scorings || j.scorings > j.joined) fuzz::finding("scorings miscounted");
  });
  return 0;
}
