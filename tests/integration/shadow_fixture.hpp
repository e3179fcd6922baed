#pragma once
// The fixture of the shadow tests (`loanrisk serve --challenger` over real HTTP on 127.0.0.1). Two
// servers share one store: one shadows models:/loan-default@challenger, one does not; helpers
// score the same rows with `loanrisk predict`, read /metrics and the prediction log.
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
    store_uri = "sqlite:///" + (*dir / "store/loanrisk.db").string();
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

inline const char* kApplicant =
    R"({"customer_id":"a1","credit_lines_outstanding":3,"loan_amt_outstanding":5200,)"
    R"("total_debt_outstanding":21000,"income":40000,"years_employed":2,"fico_score":590})";

}  // namespace loanrisk::testing
