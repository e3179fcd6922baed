// `loanrisk serve --challenger`: a challenger in shadow over real HTTP on 127.0.0.1. Two servers
// share one store: one shadows models:/loan-default@challenger, one does not; every answer must be
// the same byte for byte, while the log and /metrics carry the challenger's verdicts, counted
// against what `loanrisk predict` gives for each model on the same rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "cli_runner.hpp"
#include "http_client.hpp"
#include "loanrisk/registry/registry.hpp"
#include "server_process.hpp"

namespace loanrisk::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

/// One row of `loanrisk predict`'s output.
struct Scored {
  double pd = 0;
  std::string grade, decision;
};

class Shadow : public ::testing::Test {
 protected:
  static inline std::unique_ptr<TempDir> dir, plain_dir;
  static inline std::string store_uri;
  static inline std::unique_ptr<ServerProcess> shadowed, plain;
  static inline int port = 0, plain_port = 0;

  static constexpr const char* kToml =
      "[serve]\nmodel = \"models:/loan-default@live\"\n"
      "poll_seconds = 0.3\nmax_batch = 500\nthreads = 2\n";

  static void register_bundle(Store& store, const std::filesystem::path& bundle) {
    const loanrisk::Run run =
        store.create_run({"shadow", bundle.filename().string(), "", "c0ffee"});
    store.log_artifact(run.id, bundle, "bundle");
    store.end_run(run.id, RunStatus::kFinished);
    ModelRegistry(store).register_version("loan-default", run.id, bundle.filename().string());
  }

  static void SetUpTestSuite() {
    dir = std::make_unique<TempDir>();
    plain_dir = std::make_unique<TempDir>();
    ASSERT_EQ(run_cli(*dir, "synth --rows 3000 --seed 7 --out book.csv").code, 0);
    // The champion: xgboost at its F1-best threshold. The challenger: a logistic regression that
    // declines from a PD of 0.15, so the two disagree on some customers in both directions.
    for (const std::string args : {"--seed 1 --out champ",
                                   "--model logistic_regression --threshold-rule "
                                   "fixed:0.15 --out chal",
                                   "--seed 3 --out chal3"}) {
      const auto r = run_cli(*dir, "train --no-track --data book.csv " + args);
      ASSERT_EQ(r.code, 0) << r.err;
    }
    // A broken challenger: the logistic model whose schema takes FICO scores up to 700 only, so
    // it cannot score applicants the champion accepts.
    std::filesystem::copy(*dir / "chal", *dir / "narrow", std::filesystem::copy_options::recursive);
    json pipeline = json::parse(slurp(*dir / "narrow/pipeline.json"));
    for (auto& c : pipeline["schema"]["columns"]) {
      if (c["name"] == "fico_score") c["max"] = 700.0;
    }
    write_text(*dir / "narrow/pipeline.json", pipeline.dump());
    store_uri = "sqlite://" + (*dir / "store/loanrisk.db").string();
    {
      auto store = open_store(store_uri);
      for (const char* b : {"champ", "chal", "chal3", "narrow"}) register_bundle(*store, *dir / b);
      ModelRegistry reg(*store);
      // The champion follows @live: @champion's moves are gated by validation reports, which
      // are not what these tests are about.
      reg.set_alias("loan-default", "live", 1, "go live");
      reg.set_alias("loan-default", "challenger", 2, "shadow it");
    }
    write_text(*dir / "loanrisk.toml", kToml);
    write_text(*plain_dir / "loanrisk.toml", kToml);
    const std::vector<std::pair<std::string, std::string>> env = {
        {"LOANRISK_ADMIN_TOKEN", "t0ken"}};
    shadowed = std::make_unique<ServerProcess>(
        *dir,
        "--store '" + store_uri +
            "' --challenger models:/loan-default@challenger --prediction-log log",
        env);
    plain = std::make_unique<ServerProcess>(
        *plain_dir, "--store '" + store_uri + "' --prediction-log log", env);
    port = shadowed->port();
    plain_port = plain->port();
    ASSERT_GT(port, 0) << slurp(*dir / "serve.err");
    ASSERT_GT(plain_port, 0) << slurp(*plain_dir / "serve.err");
  }

  static void TearDownTestSuite() {
    for (auto* s : {&shadowed, &plain}) {
      if (*s) {
        EXPECT_EQ((*s)->stop(), 0) << "server exit";
        s->reset();
      }
    }
    dir.reset();
    plain_dir.reset();
  }

  /// The first n rows of the book with their customer ids prefixed (to find their log lines).
  static std::string book_csv(std::size_t n, const std::string& prefix) {
    std::istringstream in(slurp(*dir / "book.csv"));
    std::string line, out;
    std::getline(in, line);
    out = line + "\n";
    for (std::size_t i = 0; i < n && std::getline(in, line); ++i) out += prefix + line + "\n";
    return out;
  }

  /// The rows of a book CSV as the JSON array /api/v1/predict takes.
  static json rows_json(const std::string& csv) {
    std::istringstream in(csv);
    std::string header, line;
    std::getline(in, header);
    std::vector<std::string> names;
    std::istringstream h(header);
    for (std::string name; std::getline(h, name, ',');) names.push_back(name);
    json rows = json::array();
    while (std::getline(in, line)) {
      std::istringstream f(line);
      json row = json::object();
      std::size_t k = 0;
      for (std::string cell; std::getline(f, cell, ','); ++k) {
        if (names[k] == "customer_id") {
          row[names[k]] = cell;
        } else if (names[k] != "default") {
          row[names[k]] = std::stod(cell);
        }
      }
      rows.push_back(row);
    }
    return rows;
  }

  /// `loanrisk predict` of a bundle on a CSV: customer id -> PD, grade, decision.
  static std::map<std::string, Scored> cli_predict(const std::string& bundle,
                                                   const std::string& csv) {
    write_text(*dir / "rows.csv", csv);
    const auto r = run_cli(*dir, "predict --model " + bundle + " --data rows.csv --out scored.csv");
    EXPECT_EQ(r.code, 0) << r.err;
    std::istringstream in(slurp(*dir / "scored.csv"));
    std::string line;
    std::getline(in, line);
    std::map<std::string, Scored> out;
    while (std::getline(in, line)) {
      std::vector<std::string> cells;
      std::istringstream f(line);
      for (std::string cell; std::getline(f, cell, ',');) cells.push_back(cell);
      out[cells.at(0)] = {std::stod(cells.at(1)), cells.at(2), cells.at(3)};
    }
    return out;
  }

  /// The value of one series on /metrics ("name" or "name{labels}" as printed); 0 when absent.
  static double metric(const std::string& text, const std::string& series) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(series + " ", 0) == 0) {
        const std::string v = line.substr(series.size() + 1);
        return v == "NaN" ? std::nan("") : std::stod(v);
      }
    }
    return 0;
  }
  static std::string scrape(int p) { return http_call(p, "GET", "/metrics").body; }

  /// Waits (up to 20 s) until the shadow has scored `requests` requests in all.
  static std::string wait_shadowed(double requests) {
    const auto start = Clock::now();
    for (;;) {
      const std::string text = scrape(port);
      if (metric(text, "loanrisk_shadow_requests_total") >= requests) return text;
      if (Clock::now() - start > std::chrono::seconds(20)) {
        ADD_FAILURE() << "the shadow did not reach " << requests << " requests:\n" << text;
        return text;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  /// The shadowing server's log lines whose customer id starts with prefix, waiting (up to 20 s)
  /// until there are n.
  static std::vector<json> log_lines(const std::string& prefix, std::size_t n,
                                     const std::filesystem::path& folder = *dir / "log") {
    const auto start = Clock::now();
    std::vector<json> found;
    while (Clock::now() - start < std::chrono::seconds(20)) {
      found.clear();
      if (std::filesystem::exists(folder)) {
        for (const auto& f : std::filesystem::directory_iterator(folder)) {
          std::istringstream in(slurp(f.path()));
          for (std::string line; std::getline(in, line);) {
            if (line.find("\"customer_id\":\"" + prefix) == std::string::npos) continue;
            found.push_back(json::parse(line));
          }
        }
      }
      if (found.size() >= n) return found;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "found " << found.size() << " of " << n << " log lines for " << prefix;
    return found;
  }

  /// Points @challenger at a version and waits (up to 10 s) until the server shadows it.
  static void move_challenger(std::int64_t version) {
    {
      auto store = open_store(store_uri);
      ModelRegistry(*store).set_alias("loan-default", "challenger", version, "test");
    }
    const auto start = Clock::now();
    for (;;) {
      const json m = json::parse(http_call(port, "GET", "/api/v1/model").body);
      if (m["challenger"].value("version", "") == std::to_string(version)) return;
      ASSERT_LT(Clock::now() - start, std::chrono::seconds(10)) << m["challenger"].dump();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  /// The same request to both servers: the answers must be identical.
  static HttpReply same_answer(const std::string& method, const std::string& target,
                               const std::string& body,
                               const std::string& type = "application/json") {
    const HttpReply a = http_call(port, method, target, body, type);
    const HttpReply b = http_call(plain_port, method, target, body, type);
    EXPECT_EQ(a.status, b.status) << target;
    EXPECT_EQ(a.body, b.body) << target;
    EXPECT_EQ(a.headers, b.headers) << target;
    return a;
  }
};

const char* kApplicant =
    R"({"customer_id":"a1","credit_lines_outstanding":3,"loan_amt_outstanding":5200,)"
    R"("total_debt_outstanding":21000,"income":40000,"years_employed":2,"fico_score":590})";

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
       422},
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

TEST_F(Shadow, AChallengerBundleThatDoesNotLoadStopsStartup) {
  const auto r =
      run_shell(*dir, "timeout 60 '" + std::string(LOANRISK_BINARY) + "' serve --port 0 --store '" +
                          store_uri + "' --challenger nowhere/bundle");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot load challenger 'nowhere/bundle': "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("or drop --challenger"), std::string::npos) << r.err;
}

TEST_F(Shadow, AnAliasNotSetYetIsShadowedOnceItIs) {
  // The config's key, a server started before the alias exists: it serves, says why it does not
  // shadow, and starts shadowing when the alias appears.
  TempDir other;
  write_text(other / "loanrisk.toml",
             std::string(kToml) + "challenger = \"models:/loan-default@later\"\n");
  ServerProcess server(other, "--store '" + store_uri + "'");
  ASSERT_GT(server.port(), 0) << server.err();
  EXPECT_NE(server.err().find("challenger 'models:/loan-default@later' is not loaded, serving "
                              "without shadow until it is"),
            std::string::npos)
      << server.err();
  EXPECT_EQ(http_call(server.port(), "POST", "/api/v1/predict", kApplicant).status, 200);
  json c = json::parse(http_call(server.port(), "GET", "/api/v1/model").body)["challenger"];
  EXPECT_EQ(c["loaded"], false);
  EXPECT_NE(c.value("error", "").find("later"), std::string::npos) << c.dump();
  {
    auto store = open_store(store_uri);
    ModelRegistry(*store).set_alias("loan-default", "later", 3, "now");
  }
  const auto start = Clock::now();
  while (!c["loaded"].get<bool>()) {
    ASSERT_LT(Clock::now() - start, std::chrono::seconds(10)) << c.dump();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    c = json::parse(http_call(server.port(), "GET", "/api/v1/model").body)["challenger"];
  }
  EXPECT_EQ(c["version"], "3");
  EXPECT_FALSE(c.contains("error"));
  EXPECT_EQ(http_call(server.port(), "POST", "/api/v1/predict", kApplicant).status, 200);
  const auto begin = Clock::now();
  while (metric(scrape(server.port()), "loanrisk_shadow_rows_total") < 1) {
    ASSERT_LT(Clock::now() - begin, std::chrono::seconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // The warning was said once, not at every poll.
  const std::string err = server.err();
  std::size_t warnings = 0;
  for (auto at = err.find("challenger reload refused"); at != std::string::npos;
       at = err.find("challenger reload refused", at + 1)) {
    ++warnings;
  }
  EXPECT_LE(warnings, 1u) << err;
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(Shadow, TheFlagWinsOverTheConfigAndSyncLinesAreCompleteBeforeTheAnswer) {
  TempDir other;
  write_text(other / "loanrisk.toml",
             std::string(kToml) +
                 "challenger = \"models:/loan-default@nope\"\n"
                 "[serve.prediction_log]\ndir = \"log\"\ndurability = \"sync\"\n");
  ServerProcess server(other,
                       "--store '" + store_uri + "' --challenger models:/loan-default@challenger");
  ASSERT_GT(server.port(), 0) << server.err();
  const json c = json::parse(http_call(server.port(), "GET", "/api/v1/model").body)["challenger"];
  EXPECT_EQ(c["uri"], "models:/loan-default@challenger");
  EXPECT_EQ(c["version"], "2");
  json a = json::parse(kApplicant);
  a["customer_id"] = "sync-1";
  const HttpReply r = http_call(server.port(), "POST", "/api/v1/predict", a.dump());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, http_call(plain_port, "POST", "/api/v1/predict", a.dump()).body);
  // On disk before the answer, with the challenger's verdict: no waiting.
  std::string text;
  for (const auto& f : std::filesystem::directory_iterator(other / "log")) text += slurp(f.path());
  ASSERT_NE(text.find("\"customer_id\":\"sync-1\""), std::string::npos) << text;
  const json line = json::parse(text.substr(0, text.find('\n')));
  EXPECT_EQ(line["challenger"]["version"], "2");
  EXPECT_TRUE(line["challenger"].contains("decision"));
  EXPECT_EQ(metric(scrape(server.port()), "loanrisk_shadow_rows_total"), 1);
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace loanrisk::testing
