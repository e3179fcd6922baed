// Store URIs and the precedence of --store, $LOANRISK_STORE and loanrisk.toml.
#include <cstdlib>

#include "loanrisk/core/error.hpp"
#include "loanrisk/tracking/store_uri.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

TEST(StoreUri, ParsesSqliteAndPostgres) {
  StoreUri u = parse_store_uri("sqlite:///var/lib/loanrisk.db");
  EXPECT_EQ(u.kind, StoreKind::kSqlite);
  EXPECT_EQ(u.sqlite_path, "/var/lib/loanrisk.db");
  u = parse_store_uri("sqlite://store/x.db");
  EXPECT_EQ(u.sqlite_path, "store/x.db");
  u = parse_store_uri("postgresql://ml@db.internal:5432/loanrisk");
  EXPECT_EQ(u.kind, StoreKind::kPostgres);
  EXPECT_EQ(u.text, "postgresql://ml@db.internal:5432/loanrisk");
  EXPECT_EQ(parse_store_uri("postgres://h/db").kind, StoreKind::kPostgres);
}

TEST(StoreUri, RejectsOtherSchemesWithTheAcceptedForms) {
  EXPECT_THROW_MSG(parse_store_uri("mysql://x/y"), UsageError,
                   "unknown store URI 'mysql://x/y': use sqlite:///absolute/path.db, "
                   "sqlite://relative/path.db or postgresql://user@host:port/database");
  EXPECT_THROW_MSG(parse_store_uri("sqlite://"), UsageError, "names no database file");
  EXPECT_THROW_MSG(parse_store_uri("postgresql://"), UsageError, "names no server");
}

TEST(StoreUri, FlagThenEnvironmentThenConfigThenDefault) {
  ::unsetenv("LOANRISK_STORE");
  EXPECT_EQ(
      choose_store_uri(std::nullopt, std::nullopt),
      "sqlite://" + (std::filesystem::current_path() / "loanrisk-store/loanrisk.db").string());
  EXPECT_EQ(choose_store_uri(std::nullopt, std::string("sqlite:///c.db")), "sqlite:///c.db");
  ::setenv("LOANRISK_STORE", "sqlite:///env.db", 1);
  EXPECT_EQ(choose_store_uri(std::nullopt, std::string("sqlite:///c.db")), "sqlite:///env.db");
  EXPECT_EQ(choose_store_uri(std::string("sqlite:///flag.db"), std::string("sqlite:///c.db")),
            "sqlite:///flag.db");
  EXPECT_EQ(choose_store_uri(std::string(""), std::nullopt), "sqlite:///env.db");
  ::unsetenv("LOANRISK_STORE");
}

}  // namespace
}  // namespace loanrisk::testing
