// Local users: the token works once created and never after revocation, the store holds only an
// argon2id hash, and bad names, roles and tokens are refused.
#include "loanrisk/tracking/users.hpp"

#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/tracking/migrations.hpp"
#include "store_fixture.hpp"

namespace loanrisk {
namespace {

class Users : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    store = open();
    users = std::make_unique<UserStore>(*store);
  }
  std::unique_ptr<Store> store;
  std::unique_ptr<UserStore> users;
};
LOANRISK_INSTANTIATE_STORE_SUITE(Users);

TEST_P(Users, ATokenIdentifiesItsUserUntilRevoked) {
  const NewUser ana = users->add("ana", Role::kValidator, "root");
  EXPECT_TRUE(ana.token.starts_with("lr_"));
  const auto who = users->authenticate(ana.token);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->name, "ana");
  EXPECT_EQ(who->role, Role::kValidator);
  EXPECT_EQ(who->created_by, "root");

  const NewUser bo = users->add("bo", Role::kOfficer, "root");
  EXPECT_NE(bo.token, ana.token);
  EXPECT_EQ(users->authenticate(bo.token)->name, "bo");

  users->revoke("ana", "root");
  EXPECT_FALSE(users->authenticate(ana.token));
  EXPECT_TRUE(users->authenticate(bo.token));
  const auto list = users->list();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "ana");
  EXPECT_TRUE(list[0].revoked_ms);
  EXPECT_EQ(list[0].revoked_by, "root");
  EXPECT_FALSE(list[1].revoked_ms);
  EXPECT_THROW_MSG(users->revoke("ana", "root"), UsageError, "user ana is already revoked");
  EXPECT_THROW_MSG(users->revoke("cy", "root"), UsageError,
                   "no user cy; `loanrisk users list` shows them");
}

TEST_P(Users, TheStoreKeepsOnlyAnArgon2idHash) {
  const NewUser u = users->add("ana", Role::kAdmin, "root");
  // lr_ + 16 hex digits of id + _ + the secret (base64url, which may itself hold '_').
  ASSERT_EQ(u.token.size(), 3u + 16u + 1u + 43u) << u.token;
  const std::string secret = u.token.substr(20);
  const auto rows = store->database().query("SELECT token_id, token_hash FROM lr_users", {});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].text(1).starts_with("$argon2id$")) << rows[0].text(1);
  for (std::size_t c = 0; c < rows[0].cells.size(); ++c) {
    EXPECT_EQ(rows[0].text(c).find(secret), std::string::npos);
  }
}

TEST_P(Users, WrongMalformedAndForeignTokensAreRefused) {
  const NewUser u = users->add("ana", Role::kAnalyst, "root");
  std::string wrong = u.token;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  for (const std::string& t :
       {wrong, std::string(), std::string("lr_"), u.token.substr(0, 20),
        std::string("Bearer ") + u.token, "lr_ZZZZZZZZZZZZZZZZ_" + u.token.substr(20),
        "xx" + u.token.substr(2), std::string("lr_0123456789abcdef_\xff\xfe")}) {
    EXPECT_FALSE(users->authenticate(t)) << t;
  }
}

// A store written before users existed (schema version 3) gains the table when opened.
TEST_P(Users, AnOlderStoreGainsTheUsersTable) {
  Database& db = store->database();
  db.transaction(true, [&] {  // back to a version 3 store: what versions 4 to 9 added, gone
    testing::undo_versions_after_7(db);
    for (const char* sql : {"DROP TABLE lr_users", "DROP TABLE lr_audit",
                            "DROP TABLE lr_alias_requests", "DROP TABLE lr_model_version_reports",
                            "ALTER TABLE lr_registry_history DROP COLUMN request_id",
                            "ALTER TABLE lr_registry_history DROP COLUMN report_sha256",
                            "ALTER TABLE lr_registry_history DROP COLUMN override_gate"}) {
      db.execute_direct(sql);
    }
    // Version 7 added the lr_ prefix: a version 3 store has the plain names.
    for (const char* table :
         {"experiments", "runs", "params", "tags", "metrics", "registered_models", "model_versions",
          "model_aliases", "model_version_tags", "registry_history", "studies", "trials",
          "trial_values", "trial_rungs"}) {
      db.execute_direct(std::string("ALTER TABLE lr_") + table + " RENAME TO " + table);
    }
    if (GetParam() == "postgres") db.execute_direct("DROP FUNCTION audit_append_only()");
    db.exec("UPDATE schema_version SET version = 3");
  });
  users.reset();
  store = open();
  EXPECT_EQ(migrate_store(store->database(), uri()), kStoreSchemaVersion);
  UserStore again(*store);
  const NewUser u = again.add("ana", Role::kViewer, "root");
  EXPECT_EQ(again.authenticate(u.token)->name, "ana");
}

TEST_P(Users, BadNamesAndRolesSayWhatToDo) {
  EXPECT_THROW_MSG(parse_role("superuser"), UsageError,
                   "unknown role superuser: use one of viewer, officer, analyst, validator, admin");
  EXPECT_EQ(parse_role("officer"), Role::kOfficer);
  EXPECT_EQ(to_string(Role::kValidator), "validator");
  users->add("ana", Role::kViewer, "root");
  EXPECT_THROW_MSG(users->add("ana", Role::kAdmin, "root"), UsageError,
                   "a user ana exists already (revoked users keep their name): choose another "
                   "name");
  EXPECT_THROW(users->add("", Role::kViewer, "root"), UsageError);
  EXPECT_THROW(users->add(std::string(65, 'a'), Role::kViewer, "root"), UsageError);
  EXPECT_THROW(users->add("a\nb", Role::kViewer, "root"), UsageError);
  EXPECT_THROW(users->add("\xff", Role::kViewer, "root"), UsageError);
  EXPECT_EQ(users->list().size(), 1u);  // nothing stored by a refused add
}

}  // namespace
}  // namespace loanrisk
