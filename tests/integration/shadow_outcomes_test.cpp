// Champion and challenger compared on logged traffic once outcomes are known: a real server
// shadows the challenger and logs both verdicts; an outcome file (customer_id, observation_date,
// default) is joined to the log; `loanrisk validate --log` and `loanrisk monitor --log` then test
// the two models on exactly the applicants the bank saw, and agree with the same models validated
// on the same rows as a labelled CSV.
#include <ctime>

#include "shadow_fixture.hpp"
#include "support/cli_checks.hpp"

namespace loanrisk::testing {
namespace {

/// A UTC date `days` from now, as the outcome file writes it.
std::string utc_date(int days) {
  const std::time_t t = std::time(nullptr) + static_cast<std::time_t>(days) * 86'400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

TEST_F(Shadow, ValidateAndMonitorCompareBothModelsOnLoggedTrafficWithOutcomes) {
  move_challenger(2);
  // 300 applicants with ids outside ASCII ("out-ë..."), scored through the server as a batch.
  constexpr std::size_t kRows = 300;
  const std::string csv = book_csv(kRows, "out-\xC3\xAB");
  ASSERT_EQ(http_call(port, "POST", "/api/v1/score-csv", csv, "text/csv").status, 200);
  ASSERT_EQ(log_lines("out-", kRows).size(), kRows);

  // What became of them, observed tomorrow, plus three outcomes that cannot join.
  std::istringstream in(csv);
  std::string line, outcomes = "observation_date,customer_id,default\n", first, second;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const std::string id = line.substr(0, line.find(','));
    if (first.empty()) {
      first = id;
    } else if (second.empty()) {
      second = id;
    }
    outcomes += utc_date(1) + "," + id + "," + line.substr(line.rfind(',') + 1) + "\n";
  }
  outcomes += utc_date(1) + ",never-scored,1\n";
  outcomes += "2000-01-01," + first + ",0\n";             // observed before it was scored
  outcomes += utc_date(3 * 365) + "," + second + ",1\n";  // beyond the 365-day horizon
  write_text(*dir / "outcomes.csv", outcomes);
  write_text(*dir / "mine.csv", csv);

  // The challenger validated against the champion, on the log and on the same rows as a CSV.
  const auto on_log = run_cli(*dir,
                              "validate --model chal --against champ --log log --outcomes "
                              "outcomes.csv --out rep_log");
  const auto on_book =
      run_cli(*dir, "validate --model chal --against champ --data mine.csv --out rep_book");
  ASSERT_TRUE(on_log.code == 0 || on_log.code == 4) << on_log.err;
  EXPECT_EQ(on_log.code, on_book.code) << on_log.out << on_book.out;
  const json log = json::parse(slurp(*dir / "rep_log/report.json"));
  const json book = json::parse(slurp(*dir / "rep_book/report.json"));
  EXPECT_EQ(log["data"]["rows"], kRows);
  const json& o = log["data"]["outcomes"];
  EXPECT_EQ(o["outcomes"], kRows + 3);
  EXPECT_EQ(o["joined"], kRows);
  EXPECT_EQ(o["scorings"], kRows);
  EXPECT_EQ(o["not_scored"], 1);
  EXPECT_EQ(o["scored_after"], 1);
  EXPECT_EQ(o["beyond_horizon"], 1);
  EXPECT_EQ(log["data"]["log"]["models"]["loan-default/1"].get<int>() >= int{kRows}, true);
  // The rescored PDs are the ones the server answered (champion) and the shadow logged.
  EXPECT_EQ(log["model"]["traffic"]["rows_as_shadowed_challenger"], kRows);
  EXPECT_EQ(log["model"]["traffic"]["rows_as_served_champion"], 0);
  EXPECT_EQ(log["against"]["traffic"]["rows_as_served_champion"], kRows);
  // Same rows, same outcomes, same models: the same tests.
  for (const char* k : {"auc", "variance", "ci_low", "ci_high"}) {
    EXPECT_NEAR(log["discrimination"][k].get<double>(), book["discrimination"][k].get<double>(),
                1e-12)
        << k;
  }
  EXPECT_EQ(log["discrimination"]["against"], book["discrimination"]["against"]);
  EXPECT_EQ(log["calibration"]["portfolio"], book["calibration"]["portfolio"]);
  EXPECT_EQ(log["migration"]["matrix"], book["migration"]["matrix"]);
  std::vector<std::string> statuses_log, statuses_book;
  for (const auto& t : log["tests"]) statuses_log.push_back(t["status"]);
  for (const auto& t : book["tests"]) statuses_book.push_back(t["status"]);
  EXPECT_EQ(statuses_log, statuses_book);
  const std::string html = slurp(*dir / "rep_log/report.html");
  EXPECT_NE(html.find("Logged traffic: " + std::to_string(kRows) + " of " +
                      std::to_string(kRows + 3) + " outcomes joined"),
            std::string::npos);

  // monitor --log: the logged PDs themselves, champion against challenger on the joined rows.
  const auto mon =
      run_cli(*dir, "monitor --model champ --log log --outcomes outcomes.csv --out mon");
  ASSERT_TRUE(mon.code == 0 || mon.code == 4) << mon.err;
  EXPECT_NE(mon.out.find("outcomes: " + std::to_string(kRows) + " of " + std::to_string(kRows + 3) +
                         " joined"),
            std::string::npos)
      << mon.out;
  const json m = json::parse(slurp(*dir / "mon/report.json"));
  EXPECT_EQ(m["outcomes"]["joined"], kRows);
  EXPECT_EQ(m["performance"]["windows"][0]["rows"], kRows);
  const json& w = m["challenger"]["with_outcomes"];
  ASSERT_TRUE(w.is_object()) << m["challenger"].dump();
  EXPECT_EQ(w["rows"], kRows);
  EXPECT_NEAR(w["challenger"]["auc_roc"].get<double>(), book["discrimination"]["auc"], 1e-12);
  EXPECT_NEAR(w["champion"]["auc_roc"].get<double>(),
              book["discrimination"]["against"]["auc"].get<double>(), 1e-12);
  EXPECT_NEAR(w["auc_difference"].get<double>(),
              book["discrimination"]["against"]["auc_difference"].get<double>(), 1e-12);
  EXPECT_NE(slurp(*dir / "mon/report.html").find("4. Champion and challenger"), std::string::npos);
}

TEST_F(Shadow, LoggedTrafficFlagsAreRefusedClearlyWhenMisused) {
  expect_cli_error(*dir, "validate --model chal --log log --out x", 2,
                   "--log needs --outcomes FILE");
  expect_cli_error(*dir, "validate --model chal --data book.csv --log log --outcomes o --out x", 2,
                   "give exactly one of --data FILE");
  expect_cli_error(*dir, "validate --model chal --data book.csv --outcomes o.csv --out x", 2,
                   "use them with --log DIR");
  expect_cli_error(*dir,
                   "validate --model chal --log log --outcomes o.csv --since 1/2/2026 --out x", 2,
                   "--since '1/2/2026' is not a UTC time");
  expect_cli_error(*dir, "monitor --model champ --data book.csv --outcomes o.csv --out x", 2,
                   "--outcomes joins outcomes to a prediction log");
  expect_cli_error(*dir, "monitor --model champ --log log --horizon-days 30 --out x", 2,
                   "--horizon-days says which scorings an outcome joins");
  write_text(*dir / "bad_outcomes.csv", "customer_id,observation_date,default\nx,2026-13-01,1\n");
  expect_cli_error(*dir, "validate --model chal --log log --outcomes bad_outcomes.csv --out x", 3,
                   "bad_outcomes.csv line 2, column 2 (observation_date): '2026-13-01' is not a "
                   "date");
  write_text(*dir / "stranger.csv", "customer_id,observation_date,default\nnobody,2030-01-01,1\n");
  expect_cli_error(*dir, "monitor --model champ --log log --outcomes stranger.csv --out x", 3,
                   "no outcome joins a logged scoring (1 outcomes: 1 customers never scored");
}

}  // namespace
}  // namespace loanrisk::testing
