#pragma once
// Starts the real `loanrisk serve` on 127.0.0.1 (a free port chosen by the kernel) over a SQLite
// store holding two registered versions of loan-default, champion on version 1.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <regex>
#include <thread>

#include "cli_runner.hpp"
#include "http_client.hpp"
#include "loanrisk/registry/registry.hpp"

namespace loanrisk::testing {

/// The server process and its store, shared by every test of the suite.
class ServeFixture : public ::testing::Test {
 protected:
  static inline std::unique_ptr<TempDir> dir;
  static inline std::string store_uri;
  static inline pid_t server = -1;
  static inline int port = 0;

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
    store_uri = "sqlite://" + (*dir / "store/loanrisk.db").string();
    {
      auto store = open_store(store_uri);
      ModelRegistry reg(*store);
      reg.register_version("loan-default", make_run(*store, *dir / "b1"), "first");
      reg.register_version("loan-default", make_run(*store, *dir / "b2"), "second");
      reg.set_alias("loan-default", "champion", 1, "go live");
    }
    write_text(*dir / "loanrisk.toml",
               "[serve]\npoll_seconds = 0.3\nmax_batch = 50\nmax_body_bytes = 65536\n"
               "request_timeout_seconds = 1\nthreads = 2\n");
    server = fork();
    if (server == 0) {
      const std::string out = (*dir / "serve.out").string();
      const std::string err = (*dir / "serve.err").string();
      if (chdir(dir->path().c_str()) != 0) _exit(127);
      setenv("LOANRISK_ADMIN_TOKEN", "t0ken", 1);
      const std::string cmd = "exec '" + std::string(LOANRISK_BINARY) +
                              "' serve --port 0 --store '" + store_uri + "' >'" + out + "' 2>'" +
                              err + "'";
      execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    const std::regex address("at http://127\\.0\\.0\\.1:([0-9]+)");
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
      std::smatch m;
      const std::string text = slurp(*dir / "serve.out");
      if (std::regex_search(text, m, address)) {
        port = std::stoi(m[1]);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_GT(port, 0) << slurp(*dir / "serve.err");
    ASSERT_EQ(http_call(port, "GET", "/readyz").status, 200);
  }

  static void TearDownTestSuite() {
    if (server > 0) {
      kill(server, SIGTERM);
      int status = 0;
      waitpid(server, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "server exit " << status;
      server = -1;
    }
    dir.reset();
  }

  /// Moves champion and waits (up to 10 s) until the server answers with that version.
  static void move_champion(std::int64_t version, bool reload_now) {
    {
      auto store = open_store(store_uri);
      ModelRegistry(*store).set_alias("loan-default", "champion", version, "test");
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
