// `loanrisk users add|list|revoke` as an administrator meets them: the token is printed once and is
// never listed, a revoked user stays listed, and bad names and roles exit 2 with the fix.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "loanrisk/tracking/process_identity.hpp"
#include "loanrisk/tracking/users.hpp"
#include "support/cli_checks.hpp"

namespace loanrisk::testing {
namespace {

TEST(UsersCli, AddListRevoke) {
  TempDir dir;
  const std::string uri = "sqlite:///" + (dir / "store/loanrisk.db").string();
  const std::string store = " --store '" + uri + "'";
  auto r = run_cli(dir, "users add ana --role validator --json" + store);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto added = nlohmann::json::parse(r.out);
  const std::string token = added["token"];
  EXPECT_EQ(added["role"], "validator");
  r = run_cli(dir, "users add bo --role officer" + store);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("token, shown once:\nlr_"), std::string::npos) << r.out;

  // The token the CLI printed identifies ana in the store.
  {
    auto s = open_store(uri);
    UserStore users(*s);
    const auto who = users.authenticate(token);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->name, "ana");
  }
  r = run_cli(dir, "users list --json" + store);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto list = nlohmann::json::parse(r.out);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "ana");
  EXPECT_EQ(list[1]["role"], "officer");
  EXPECT_EQ(r.out.find(token.substr(20)), std::string::npos);  // the secret is never listed
  EXPECT_FALSE(list[0].contains("token"));

  r = run_cli(dir, "users revoke ana" + store);
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(dir, "users list" + store);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("ana"), std::string::npos) << r.out;
  {
    auto s = open_store(uri);
    UserStore users(*s);
    EXPECT_FALSE(users.authenticate(token));
  }

  expect_cli_error(dir, "users add cy --role root" + store, 2,
                   "unknown role root: use one of viewer, officer, analyst, validator, admin");
  expect_cli_error(dir, "users add bo --role viewer" + store, 2, "a user bo exists already");
  expect_cli_error(dir, "users revoke ana" + store, 2, "user ana is already revoked");
  expect_cli_error(dir, "users revoke nobody" + store, 2, "no user nobody");
}

}  // namespace
}  // namespace loanrisk::testing

namespace loanrisk::testing {
namespace {

/// Sets LOANRISK_TOKEN for the commands run while it lives (they inherit the environment).
class AsUser {
 public:
  explicit AsUser(const std::string& token) { ::setenv("LOANRISK_TOKEN", token.c_str(), 1); }
  ~AsUser() { ::unsetenv("LOANRISK_TOKEN"); }
  AsUser(const AsUser&) = delete;
  AsUser& operator=(const AsUser&) = delete;
};

std::string token_of(const RunResult& r) {
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out)["token"].get<std::string>();
}

// From the shell, as a bank's team would: an admin sets up users, an analyst registers and asks,
// a validator approves; each refusal says what is needed, and the audit trail has it all.
TEST(GovernanceCli, FourEyesAndTheAuditTrailFromTheShell) {
  TempDir dir;
  const std::string store = " --store 'sqlite:///" + (dir / "store/loanrisk.db").string() + "'";
  ASSERT_EQ(run_cli(dir, "synth --rows 1500 --seed 3 --out book.csv").code, 0);
  auto r = run_cli(dir, "train --data book.csv --model logistic_regression --out b1" + store);
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(dir, "runs list --json" + store);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string run_id = nlohmann::json::parse(r.out)[0]["run_id"];

  const std::string admin = token_of(run_cli(dir, "users add boss --role admin --json" + store));
  expect_cli_error(dir, "users add ana --role analyst" + store, 2,
                   "changing users needs a user with the role admin once the store has users: "
                   "set LOANRISK_TOKEN to that user's token");
  std::string ana, val;
  {
    const AsUser as(admin);
    ana = token_of(run_cli(dir, "users add ana --role analyst --json" + store));
    val = token_of(run_cli(dir, "users add val --role validator --json" + store));
  }
  {
    const AsUser as("lr_0000000000000000_wrong");
    expect_cli_error(dir, "models register pd --run " + run_id + store, 2,
                     "LOANRISK_TOKEN is not an active user's token in this store");
  }
  expect_cli_error(dir, "models register pd --run " + run_id + store, 2,
                   "registering a version needs a user with the role analyst or admin");
  {
    const AsUser as(ana);
    r = run_cli(dir, "models register pd --run " + run_id + " --reason first" + store);
    ASSERT_EQ(r.code, 0) << r.err;
    expect_cli_error(dir, "models alias pd champion 1 --reason go" + store, 2,
                     "@champion is protected and this store has users: ask for the move with "
                     "`loanrisk models request pd champion 1 --reason ...`");
    r = run_cli(dir, "models request pd champion 1 --reason 'ship it' --override --json" + store);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["state"], "pending");
    expect_cli_error(dir, "models approve 1 --reason mine" + store, 2,
                     "user ana has the role analyst; approving a promotion needs validator or "
                     "admin");
  }
  expect_cli_error(dir, "models approve 1 --reason shell" + store, 2,
                   "approving a promotion needs a user with the role validator or admin (the "
                   "history records a person, not the shell's account)");
  {
    const AsUser as(val);
    r = run_cli(dir, "models approve 1 --reason 'report reviewed'" + store);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "request 1: pd@champion -> version 1 is approved (by val)\n");
  }
  r = run_cli(dir, "models history pd --json" + store);
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> events;
  for (const auto& e : nlohmann::json::parse(r.out)) {
    events.push_back(e["event"].get<std::string>() + " " + e["user"].get<std::string>());
  }
  EXPECT_EQ(events,
            (std::vector<std::string>{"register ana", "request ana", "approve val", "alias val"}));

  r = run_cli(dir, "audit list --json" + store);
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> seen;
  for (const auto& e : nlohmann::json::parse(r.out)) {
    seen.push_back(e["who"].get<std::string>() + " " + e["action"].get<std::string>() + " " +
                   e["outcome"].get<std::string>());
    EXPECT_TRUE(e["client"].get<std::string>().starts_with("cli@"));
  }
  const std::string os = this_user();
  EXPECT_EQ(
      seen,
      (std::vector<std::string>{
          os + " users add ok", os + " users add refused", "boss users add ok", "boss users add ok",
          " models register refused", os + " models register refused", "ana models register ok",
          "ana models alias refused", "ana models request ok", "ana models approve refused",
          os + " models approve refused", "val models approve ok"}));
  for (const std::string& token : {admin, ana, val}) {
    EXPECT_EQ(r.out.find(token.substr(20)), std::string::npos);
  }
  r = run_cli(dir, "audit list --who val" + store);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("models approve"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("ana"), std::string::npos) << r.out;
  r = run_cli(dir, "audit export --out trail.jsonl --since 2020-01-01" + store);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(count_lines(dir / "trail.jsonl"), seen.size());
  const std::string lines = slurp(dir / "trail.jsonl");
  EXPECT_EQ(nlohmann::json::parse(lines.substr(0, lines.find('\n')))["action"], "users add");
  expect_cli_error(dir, "audit list --since yesterday" + store, 2,
                   "--since yesterday is not a UTC time: use 2026-12-05 or "
                   "2026-12-05T09:30:00Z");
}

}  // namespace
}  // namespace loanrisk::testing
