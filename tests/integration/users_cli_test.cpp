// `loanrisk users add|list|revoke` as an administrator meets them: the token is printed once and is
// never listed, a revoked user stays listed, and bad names and roles exit 2 with the fix.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "loanrisk/tracking/users.hpp"
#include "support/cli_checks.hpp"

namespace loanrisk::testing {
namespace {

TEST(UsersCli, AddListRevoke) {
  TempDir dir;
  const std::string uri = "sqlite://" + (dir / "store/loanrisk.db").string();
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
