#pragma once
// Starts the real `loanrisk serve` on 127.0.0.1 (a free port chosen by the kernel) over a SQLite
// store holding two registered versions of loan-default, champion on version 1.

#include <chrono>
#include <memory>
#include <thread>

#include "cli_runner.hpp"
#include "http_client.hpp"
#include "loanrisk/registry/registry.hpp"
#include "server_process.hpp"

namespace loanrisk::testing {

/// The server process and its store, shared by every test of the suite.
class ServeFixture : public ::testing::Test {
 protected:
  static inline std::unique_ptr<TempDir> dir;
  static inline std::string store_uri;
  static inline std::unique_ptr<ServerProcess> server;
  static inline int port = 0;
  /// More loanrisk.toml for a suite's server (say an [auth.oidc] table), set before SetUpTestSuite.
  static inline std::string extra_toml;

  static std::string make_run(Store& store, const std::filesystem::path& bundle) {
    const loanrisk::Run run = store.create_run({"serve", bundle.filename().string(), "", "c0ffee"});
    store.log_artifact(run.id, bundle, "bundle");
    store.end_run(run.id, RunStatus::kFinished);
    return run.id;
  }

  static void SetUpTestSuite() {
    dir = std::make_unique<TempDir>();
    ASSERT_EQ(run_cli(*dir, "synth --rows 3000 --seed 7 --out book.csv").code, 0);
    for (const char* seed : {"1", "2"}) {
      const auto r = run_cli(
          *dir, std::string("train --no-track --data book.csv --seed ") + seed + " --out b" + seed);
      ASSERT_EQ(r.code, 0) << r.err;
    }
    store_uri = "sqlite:///" + (*dir / "store/loanrisk.db").string();
    {
      auto store = open_store(store_uri);
      ModelRegistry reg(*store);
      reg.register_version("loan-default", make_run(*store, *dir / "b1"), "first");
      reg.register_version("loan-default", make_run(*store, *dir / "b2"), "second");
      reg.set_alias("loan-default", "champion", 1, "go live", "", true);  // no report: a fixture
    }
    write_text(*dir / "loanrisk.toml",
               "[serve]\npoll_seconds = 0.3\nmax_batch = 50\nmax_body_bytes = 65536\n"
               "request_timeout_seconds = 1\nthreads = 2\n" +
                   extra_toml);
    server = std::make_unique<ServerProcess>(
        *dir, "--store '" + store_uri + "'",
        std::vector<std::pair<std::string, std::string>>{{"LOANRISK_ADMIN_TOKEN", "t0ken"}});
    port = server->port();
    ASSERT_GT(port, 0) << slurp(*dir / "serve.err");
    ASSERT_EQ(http_call(port, "GET", "/readyz").status, 200);
  }

  static void TearDownTestSuite() {
    if (server) {
      EXPECT_EQ(server->stop(), 0) << "server exit";
      server.reset();
    }
    dir.reset();
  }

  /// Moves champion and waits (up to 10 s) until the server answers with that version.
  static void move_champion(std::int64_t version, bool reload_now) {
    {
      auto store = open_store(store_uri);
      ModelRegistry(*store).set_alias("loan-default", "champion", version, "test", "", true);
    }
    if (reload_now) {
      const auto r = http_call(port, "POST", "/api/v1/admin/reload", "", "", "Bearer t0ken");
      ASSERT_EQ(r.status, 200) << r.body;
    }
    const std::string want = "\"version\":\"" + std::to_string(version) + "\"";
    const auto start = std::chrono::steady_clock::now();
    while (http_call(port, "GET", "/api/v1/model").body.find(want) == std::string::npos) {
      ASSERT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
};

/// Six valid raw fields.
inline const char* kApplicant =
    R"({"customer_id":"a1","credit_lines_outstanding":3,"loan_amt_outstanding":5200,)"
    R"("total_debt_outstanding":21000,"income":40000,"years_employed":2,"fico_score":590})";

}  // namespace loanrisk::testing
