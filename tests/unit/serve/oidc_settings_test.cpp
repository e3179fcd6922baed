// [auth.oidc] in loanrisk.toml: read and checked with the file, key and fix in every refusal, and
// the provider's role names mapped to loanrisk roles.
#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/serve/settings.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

ServeSettings read(const std::string& text) {
  ServeSettings s;
  apply_serve_toml_text(s, text, "loanrisk.toml");
  return s;
}

TEST(OidcSettingsToml, ReadsTheProviderAndMapsItsRoles) {
  EXPECT_FALSE(read("[serve]\nport = 1\n").oidc);
  const ServeSettings s = read(
      "[auth.oidc]\nissuer = \"https://idp.bank.example/realms/retail\"\n"
      "audience = \"loanrisk\"\nrole_claim = \"groups\"\nleeway_seconds = 30\n"
      "timeout_seconds = 2.5\n[auth.oidc.role_map]\ncredit-risk-validation = \"validator\"\n"
      "model-dev = \"analyst\"\n");
  ASSERT_TRUE(s.oidc);
  EXPECT_EQ(s.oidc->config.issuer, "https://idp.bank.example/realms/retail");
  EXPECT_EQ(s.oidc->config.role_claim, "groups");
  EXPECT_EQ(s.oidc->config.leeway_seconds, 30);
  EXPECT_EQ(s.oidc->config.fetch.timeout.count(), 2500);
  EXPECT_EQ(s.oidc->roles_of(
                {"employees", "model-dev", "credit-risk-validation", "officer", "model-dev"}),
            (std::vector<Role>{Role::kAnalyst, Role::kValidator, Role::kOfficer}));
}

TEST(OidcSettingsToml, RefusesWhatCannotWork) {
  const std::string base = "[auth.oidc]\nissuer = \"https://idp.example\"\naudience = \"x\"\n";
  expect_refusals<UsageError>(
      [](const std::string& t) { return read(t); },
      {
          {"[auth]\nodic = 1\n", "odic"},
          {base + "isuer = \"x\"\n", "isuer"},
          {"[auth.oidc]\naudience = \"x\"\n", "issuer is empty"},
          {"[auth.oidc]\nissuer = \"http://idp.example\"\naudience = \"x\"\n",
           "is plain http: use https"},
          {base + "leeway_seconds = 601\n", "leeway_seconds"},
          {base + "leeway_seconds = 1.5\n", "leeway_seconds"},
          {base + "[auth.oidc.role_map]\ng = \"boss\"\n", "boss"},
          {base + "[auth.oidc.role_map]\ng = 3\n", "g"},
      });
}

}  // namespace
}  // namespace loanrisk::testing
