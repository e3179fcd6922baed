#pragma once
// One store test suite, run unchanged against every backend: a fresh SQLite file, or a fresh schema
// in the PostgreSQL server named by LOANRISK_TEST_PG_URI (scripts/with-postgres.sh starts one).
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "loanrisk/tracking/store.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {

/// Undoes what schema versions 8 and later added, so a test can turn a fresh store into one an
/// older loanrisk wrote (schema_version is set by the caller). Each new migration adds its undo
/// here, newest first.
inline void undo_versions_after_7(Database& db) {
  for (const char* sql :
       {"DROP TABLE lr_study_refits", "ALTER TABLE lr_trials DROP COLUMN heartbeat",
        "ALTER TABLE lr_runs DROP COLUMN lifecycle_stage"}) {
    db.execute_direct(sql);
  }
}

/// A backend under test: "sqlite" or "postgres".
class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      uri_ = "sqlite:///" + (dir_ / "store" / "loanrisk.db").string();
      return;
    }
    const char* pg = std::getenv("LOANRISK_TEST_PG_URI");
    if (pg == nullptr || *pg == '\0') {
      GTEST_SKIP() << "LOANRISK_TEST_PG_URI is not set: run under scripts/with-postgres.sh (as "
                      "scripts/test.sh does) to test the PostgreSQL store";
    }
    std::random_device rd;
    schema_ = "t" + std::to_string(rd()) + std::to_string(rd());
    admin_ = open_database(parse_store_uri(pg));
    admin_->transaction(true, [&] { admin_->execute_direct("CREATE SCHEMA " + schema_); });
    uri_ = std::string(pg) + "?options=-csearch_path%3D" + schema_;
  }

  void TearDown() override {
    if (admin_) {
      admin_->transaction(true,
                          [&] { admin_->execute_direct("DROP SCHEMA " + schema_ + " CASCADE"); });
    }
  }

  /// Opens (or reopens) the store of this test.
  std::unique_ptr<Store> open(bool reap = true) {
    StoreOptions options;
    options.artifact_root = dir_ / "artifacts";
    options.reap_dead_runs = reap;
    return open_store(uri_, options);
  }

  const std::string& uri() const { return uri_; }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::string uri_;
  std::string schema_;
  std::unique_ptr<Database> admin_;
};

/// Names each instantiation after its backend.
inline std::string backend_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace loanrisk::testing

/// Instantiates a StoreTest-derived suite for both backends.
#define LOANRISK_INSTANTIATE_STORE_SUITE(Suite)                                      \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite, ::testing::Values("sqlite", "postgres"), \
                           ::loanrisk::testing::backend_name)
