// `loanrisk serve --challenger`: what the shadow does to each request. Every answer must be the
// champion's byte for byte, while the log and /metrics carry the challenger's verdicts, counted
// against what `loanrisk predict` gives for each model on the same rows; a broken challenger and
// hostile input change nothing.
#include "shadow_fixture.hpp"

namespace loanrisk::testing {
namespace {

TEST_F(Shadow, AnswersAreTheChampionsByteForByte) {
  const double before = metric(scrape(port), "loanrisk_shadow_requests_total");
  const std::string csv = book_csv(20, "same-");
  const std::string rows = rows_json(csv).dump();
  EXPECT_EQ(same_answer("POST", "/api/v1/predict", kApplicant).status, 200);
  EXPECT_EQ(same_answer("POST", "/api/v1/predict", rows).status, 200);
  EXPECT_EQ(same_answer("POST", "/api/v1/predict?reasons=false", rows).status, 200);
  EXPECT_EQ(
      same_answer("POST", "/invocations", json({{"dataframe_records", json::parse(rows)}}).dump())
          .status,
      200);
  EXPECT_EQ(same_answer("POST", "/invocations", csv, "text/csv").status, 200);
  const HttpReply scored =
      same_answer("POST", "/api/v1/score-csv", csv + "bad,1,2,3,4,5,999,0\n", "text/csv");
  EXPECT_EQ(scored.status, 200);
  EXPECT_EQ(scored.headers.at("x-rows-rejected"), "1");
  // Not decisions: neither logged nor shadowed.
  EXPECT_EQ(same_answer("POST", "/api/v1/predict?probe=true", kApplicant).status, 200);
  EXPECT_EQ(same_answer("POST", "/api/v1/explain", kApplicant).status, 200);
  // Every decision-making request above was shadowed: 6 of them.
  const std::string text = wait_shadowed(before + 6);
  EXPECT_EQ(metric(text, "loanrisk_shadow_requests_total"), before + 6);
  EXPECT_EQ(metric(text, "loanrisk_shadow_dropped_requests_total"), 0);
}

TEST_F(Shadow, LogLinesCarryTheChallengersVerdictBesideTheChampions) {
  const std::string csv = book_csv(30, "log-");
  const auto champion = cli_predict("champ", csv);
  const auto challenger = cli_predict("chal", csv);
  ASSERT_EQ(http_call(port, "POST", "/api/v1/predict", rows_json(csv).dump()).status, 200);
  const auto lines = log_lines("log-", 30);
  ASSERT_EQ(lines.size(), 30u);
  std::set<std::string> seen;
  for (const json& line : lines) {
    const std::string id = line["customer_id"];
    seen.insert(id);
    SCOPED_TRACE(line.dump());
    EXPECT_EQ(line["model"], json({{"name", "loan-default"}, {"version", "1"}}));
    EXPECT_EQ(line["pd"].get<double>(), champion.at(id).pd);
    EXPECT_EQ(line["grade"], champion.at(id).grade);
    EXPECT_EQ(line["decision"], champion.at(id).decision);
    const json& c = line.at("challenger");
    EXPECT_EQ(c["name"], "loan-default");
    EXPECT_EQ(c["version"], "2");
    EXPECT_NEAR(c["pd"].get<double>(), challenger.at(id).pd, 1e-12);
    EXPECT_EQ(c["grade"], challenger.at(id).grade);
    EXPECT_EQ(c["decision"], challenger.at(id).decision);
    EXPECT_FALSE(c.contains("error"));
  }
  EXPECT_EQ(seen.size(), 30u);
  // The server without a challenger writes the lines as before.
  json a = json::parse(kApplicant);
  a["customer_id"] = "plain-1";
  ASSERT_EQ(http_call(plain_port, "POST", "/api/v1/predict", a.dump()).status, 200);
  const auto plain_lines = log_lines("plain-", 1, *plain_dir / "log");
  ASSERT_EQ(plain_lines.size(), 1u);
  EXPECT_FALSE(plain_lines[0].contains("challenger"));
}

TEST_F(Shadow, MetricsCountFlipsMigrationsAndThePdDifference) {
  // A forced reload swaps both models in anew, so the quantiles cover only this test's rows.
  ASSERT_EQ(http_call(port, "POST", "/api/v1/admin/reload", "", "", "Bearer t0ken").status, 200);
  const std::string csv = book_csv(400, "metrics-");
  const auto champion = cli_predict("champ", csv);
  const auto challenger = cli_predict("chal", csv);
  ASSERT_EQ(champion.size(), 400u);
  const std::string before = scrape(port);
  const double requests = metric(before, "loanrisk_shadow_requests_total");
  ASSERT_EQ(http_call(port, "POST", "/api/v1/predict?reasons=false", rows_json(csv).dump()).status,
            200);
  const std::string after = wait_shadowed(requests + 1);
  const auto delta = [&](const std::string& series) {
    return metric(after, series) - metric(before, series);
  };
  // What the two models' own scores say.
  const std::vector<std::string> grades = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};
  const auto rank = [&](const std::string& g) {
    return std::find(grades.begin(), grades.end(), g) - grades.begin();
  };
  double approve_to_decline = 0, decline_to_approve = 0, up = 0, down = 0, same = 0, sum = 0;
  std::map<std::pair<std::string, std::string>, double> migrations;
  std::vector<double> differences;
  for (const auto& [id, a] : champion) {
    const Scored& b = challenger.at(id);
    approve_to_decline += a.decision == "approve" && b.decision == "decline";
    decline_to_approve += a.decision == "decline" && b.decision == "approve";
    up += rank(b.grade) < rank(a.grade);
    down += rank(b.grade) > rank(a.grade);
    same += a.grade == b.grade;
    ++migrations[{a.grade, b.grade}];
    differences.push_back(b.pd - a.pd);
    sum += b.pd - a.pd;
  }
  // The pair was made to disagree; otherwise this test proves little.
  EXPECT_GT(approve_to_decline, 0);
  EXPECT_GT(up + down, 0);
  EXPECT_EQ(delta("loanrisk_shadow_rows_total"), 400);
  EXPECT_EQ(delta("loanrisk_challenger_errors_total"), 0);
  EXPECT_EQ(
      delta(R"(loanrisk_shadow_decision_flips_total{champion="approve",challenger="decline"})"),
      approve_to_decline);
  EXPECT_EQ(
      delta(R"(loanrisk_shadow_decision_flips_total{champion="decline",challenger="approve"})"),
      decline_to_approve);
  EXPECT_EQ(delta(R"(loanrisk_shadow_grade_changes_total{direction="upgrade"})"), up);
  EXPECT_EQ(delta(R"(loanrisk_shadow_grade_changes_total{direction="downgrade"})"), down);
  EXPECT_EQ(delta(R"(loanrisk_shadow_grade_changes_total{direction="same"})"), same);
  for (const auto& [pair, n] : migrations) {
    EXPECT_EQ(delta("loanrisk_shadow_grade_migrations_total{from_grade=\"" + pair.first +
                    "\",to_grade=\"" + pair.second + "\"}"),
              n)
        << pair.first << " -> " << pair.second;
  }
  EXPECT_NEAR(delta("loanrisk_shadow_pd_difference_sum"), sum, 1e-6);
  EXPECT_EQ(delta("loanrisk_shadow_pd_difference_count"), 400);
  // Quantiles by nearest rank over this test's 400 rows.
  std::sort(differences.begin(), differences.end());
  for (const double q : {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
    std::ostringstream label;
    label << q;
    const auto at = static_cast<std::size_t>(std::ceil(q * 400)) - 1;
    EXPECT_NEAR(metric(after, "loanrisk_shadow_pd_difference{quantile=\"" + label.str() + "\"}"),
                differences[at], 1e-9)
        << q;
  }
  // The exposition format: HELP and TYPE once per family, then its samples.
  const std::regex sample(
      R"re(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? )re"
      R"re((NaN|[+-]Inf|-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)$)re");
  std::set<std::string> typed;
  std::istringstream in(after);
  std::string family;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (line.rfind("# HELP ", 0) == 0) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(typed.insert(family).second) << "TYPE twice: " << family;
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
    const std::string name = m[1];
    EXPECT_TRUE(name == family || name == family + "_sum" || name == family + "_count" ||
                name == family + "_bucket")
        << line << " under " << family;
  }
  EXPECT_TRUE(typed.count("loanrisk_shadow_pd_difference"));
  EXPECT_NE(after.find("# TYPE loanrisk_shadow_pd_difference summary\n"), std::string::npos);
}

TEST_F(Shadow, ABrokenChallengerNeverChangesAnAnswer) {
  move_challenger(4);  // FICO up to 700 only
  const std::string before = scrape(port);
  json high = json::parse(kApplicant), low = json::parse(kApplicant);
  high["customer_id"] = "broken-high";
  high["fico_score"] = 760;
  low["customer_id"] = "broken-low";
  const HttpReply a = same_answer("POST", "/api/v1/predict", high.dump());
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(same_answer("POST", "/api/v1/predict", low.dump()).status, 200);
  json mixed = json::array({high, low, high});
  mixed[0]["customer_id"] = "broken-batch-1";
  mixed[1]["customer_id"] = "broken-batch-2";
  mixed[2]["customer_id"] = "broken-batch-3";
  EXPECT_EQ(same_answer("POST", "/invocations", json({{"instances", mixed}}).dump()).status, 200);
  const std::string after = wait_shadowed(metric(before, "loanrisk_shadow_requests_total") + 3);
  const auto delta = [&](const std::string& series) {
    return metric(after, series) - metric(before, series);
  };
  EXPECT_EQ(delta("loanrisk_challenger_errors_total"), 3);
  EXPECT_EQ(delta("loanrisk_shadow_rows_total"), 2);
  // The log says why, next to the champion's decision.
  for (const json& line : log_lines("broken-", 5)) {
    SCOPED_TRACE(line.dump());
    const json& c = line.at("challenger");
    EXPECT_EQ(c["version"], "4");
    if (line["inputs"]["fico_score"] == 760) {
      EXPECT_EQ(c["error"], "fico_score = 760 is outside the challenger's valid range 300 to 700");
      EXPECT_FALSE(c.contains("pd"));
      EXPECT_TRUE(line.contains("pd"));
    } else {
      EXPECT_TRUE(c.contains("pd"));
    }
  }
  move_challenger(2);
}

TEST_F(Shadow, ChallengerAliasHotSwapsWhileEitherModelMoves) {
  // Clients keep scoring while @challenger moves and the champion swaps back and forth.
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 2; ++t) {
    clients.emplace_back([&] {
      while (!stop) {
        try {
          const auto r = http_call(port, "POST", "/api/v1/predict", kApplicant);
          (r.status == 200 ? ok : failed)++;
        } catch (const std::exception&) {
          failed++;
        }
      }
    });
  }
  move_challenger(3);
  const auto swap_champion = [](std::int64_t version) {
    auto store = open_store(store_uri);
    ModelRegistry(*store).set_alias("loan-default", "live", version, "test");
  };
  swap_champion(3);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  swap_champion(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  stop = true;
  for (auto& c : clients) c.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(failed.load(), 0);
  const std::string text = scrape(port);
  EXPECT_EQ(
      metric(text, R"(loanrisk_challenger_info{name="loan-default",version="3",family="xgboost"})"),
      1);
  EXPECT_GE(metric(text, "loanrisk_challenger_reloads_total"), 2);
  // New decisions are logged with the new challenger.
  json a = json::parse(kApplicant);
  a["customer_id"] = "swapped-1";
  ASSERT_EQ(http_call(port, "POST", "/api/v1/predict", a.dump()).status, 200);
  const auto lines = log_lines("swapped-", 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["challenger"]["version"], "3");
  move_challenger(2);
}

TEST_F(Shadow, HostileInputIsStillRefusedWith4xx) {
  const double errors = metric(scrape(port), "loanrisk_challenger_errors_total");
  json bad = json::parse(kApplicant);
  bad["fico_score"] = 900;
  json many = json::array();
  for (int i = 0; i < 501; ++i) many.push_back(json::parse(kApplicant));
  const std::vector<std::tuple<std::string, std::string, std::string, int>> cases = {
      {"/api/v1/predict", "{\"fico_score\": ", "application/json", 400},
      {"/api/v1/predict", std::string(100000, '['), "application/json", 400},
      {"/api/v1/predict", R"({"fico_score": 1e400})", "application/json", 400},
      {"/api/v1/predict", bad.dump(), "application/json", 422},
      {"/api/v1/predict", many.dump(), "application/json", 413},
      {"/invocations", "a=b", "application/x-www-form-urlencoded", 415},
      {"/invocations", R"({"inputs": {"fico_score": [1, 2], "income": [1]}})", "application/json",
       400},
      {"/api/v1/score-csv", "not,a,loan,file\n1,2,3,4\n", "text/csv", 422},
  };
  for (const auto& [target, body, type, status] : cases) {
    SCOPED_TRACE(target + " " + body.substr(0, 60));
    EXPECT_EQ(same_answer("POST", target, body, type).status, status);
  }
  EXPECT_EQ(http_call(port, "GET", "/healthz").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(metric(scrape(port), "loanrisk_challenger_errors_total"), errors);
}

TEST_F(Shadow, ModelRouteReportsTheChallenger) {
  const json m = json::parse(http_call(port, "GET", "/api/v1/model").body);
  const json& c = m.at("challenger");
  EXPECT_EQ(c["uri"], "models:/loan-default@challenger");
  EXPECT_EQ(c["loaded"], true);
  EXPECT_EQ(c["name"], "loan-default");
  EXPECT_EQ(c["version"], "2");
  EXPECT_EQ(c["alias"], "challenger");
  EXPECT_EQ(c["family"], "logistic_regression");
  EXPECT_EQ(c["threshold"], 0.15);
  EXPECT_TRUE(c["shadow"]["rows"].is_number());
  EXPECT_FALSE(c.contains("error"));
  // Without --challenger: no challenger, and no shadow metrics.
  const json p = json::parse(http_call(plain_port, "GET", "/api/v1/model").body);
  EXPECT_FALSE(p.contains("challenger"));
  EXPECT_EQ(scrape(plain_port).find("loanrisk_shadow"), std::string::npos);
}

}  // namespace
}  // namespace loanrisk::testing
