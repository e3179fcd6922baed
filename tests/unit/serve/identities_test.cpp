// The safe default of `serve`: beyond loopback, only with an identity source (users in the store
// or an identity provider); and a revoked user's identity stops holding.
#include "loanrisk/serve/identities.hpp"

#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/tracking/store.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

TEST(SafeDefaults, BeyondLoopbackTheServerNeedsSomeoneToKnow) {
  testing::TempDir dir;
  const std::string store = "sqlite:///" + (dir / "store.db").string();
  ServeSettings s;
  for (const char* host : {"127.0.0.1", "127.8.0.1", "::1"}) {
    s.host = host;
    Identities nobody(store);
    EXPECT_NO_THROW(require_identity_source(s, nobody)) << host << ": single-user mode is fine";
  }
  for (const char* host : {"0.0.0.0", "::", "10.1.2.3"}) {
    s.host = host;
    Identities nobody(store);
    EXPECT_THROW_MSG(require_identity_source(s, nobody), UsageError,
                     "would be reachable from other machines, but this server cannot tell "
                     "people apart");
  }
  // An identity provider is enough (its keys are fetched at the first token, not here).
  s.host = "0.0.0.0";
  OidcSettings oidc;
  oidc.config.issuer = "https://login.example-bank.test/realms/credit";
  oidc.config.audience = "loanrisk";
  Identities with_idp(store, oidc);
  EXPECT_NO_THROW(require_identity_source(s, with_idp));
  // So is one active user; a revoked one is not.
  {
    auto st = open_store(store);
    UserStore users(*st);
    users.add("ana", Role::kAdmin, "test");
    users.revoke("ana", "test");
  }
  Identities revoked_only(store);
  EXPECT_THROW(require_identity_source(s, revoked_only), UsageError);
  EXPECT_FALSE(revoked_only.still_active({"ana", {Role::kAdmin}, "user"}));
  EXPECT_FALSE(revoked_only.still_active({"nobody-by-that-name", {Role::kAdmin}, "user"}));
  EXPECT_TRUE(revoked_only.still_active({"ana", {Role::kAdmin}, "oidc"}))
      << "a provider's identity holds while its token does";
  {
    auto st = open_store(store);
    UserStore(*st).add("bo", Role::kViewer, "test");
  }
  Identities one_user(store);
  EXPECT_NO_THROW(require_identity_source(s, one_user));
  EXPECT_TRUE(one_user.still_active({"bo", {Role::kViewer}, "user"}));
}

}  // namespace
}  // namespace loanrisk
