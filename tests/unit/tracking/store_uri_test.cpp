// Store URIs and the precedence of --store, $LOANRISK_STORE and loanrisk.toml.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "loanrisk/core/error.hpp"
#include "loanrisk/tracking/store.hpp"
#include "loanrisk/tracking/store_uri.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

TEST(StoreUri, ParsesSqliteAsSqlAlchemyAndPostgres) {
  StoreUri u = parse_store_uri("sqlite:////var/lib/loanrisk.db");
  EXPECT_EQ(u.kind, StoreKind::kSqlite);
  EXPECT_EQ(u.sqlite_path, "/var/lib/loanrisk.db");
  u = parse_store_uri("sqlite:///store/x.db");  // three slashes: relative to the working folder
  EXPECT_EQ(u.sqlite_path, "store/x.db");
  EXPECT_EQ(parse_store_uri("sqlite:///./tmp/x.db").sqlite_path, "./tmp/x.db");
  u = parse_store_uri("postgresql://ml@db.internal:5432/loanrisk");
  EXPECT_EQ(u.kind, StoreKind::kPostgres);
  EXPECT_EQ(u.text, "postgresql://ml@db.internal:5432/loanrisk");
  EXPECT_EQ(parse_store_uri("postgres://h/db").kind, StoreKind::kPostgres);
}

TEST(StoreUri, RejectsOtherSchemesWithTheAcceptedForms) {
  EXPECT_THROW_MSG(parse_store_uri("mysql://x/y"), UsageError,
                   "unknown store URI 'mysql://x/y': use sqlite:////absolute/path.db, "
                   "sqlite:///relative/path.db or postgresql://user@host:port/database");
  for (const char* empty : {"sqlite://", "sqlite:///", "sqlite:////"}) {
    EXPECT_THROW_MSG(parse_store_uri(empty), UsageError, "names no database file");
  }
  EXPECT_THROW_MSG(parse_store_uri("postgresql://"), UsageError, "names no server");
  // Two slashes put a host in SQLAlchemy's URL; SQLite has none.
  EXPECT_THROW_MSG(parse_store_uri("sqlite://store/x.db"), UsageError,
                   "store URI 'sqlite://store/x.db' has a host part ('store'), which SQLite does "
                   "not have: for a file relative to the working folder write "
                   "sqlite:///store/x.db (three slashes), for an absolute path four slashes");
}

// An absolute path written with three slashes meant that path before loanrisk read URIs as
// SQLAlchemy does. Where the relative reading finds nothing and the absolute one finds the store
// (or its folder), opening would quietly start an empty store: refused, with the corrected URI.
TEST(StoreUri, AThreeSlashAbsolutePathIsRefusedWithTheCorrectedUri) {
  TempDir dir;
  const std::filesystem::path old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  const std::string abs = (dir.path() / "abs.db").string();  // starts with '/'
  { std::ofstream(abs) << ""; }
  const std::string three = "sqlite://" + abs;  // sqlite:///tmp/.../abs.db
  try {
    parse_store_uri(three);
    ADD_FAILURE() << "accepted " << three;
  } catch (const UsageError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("write sqlite:///" + abs + " (four slashes)"), std::string::npos) << m;
    EXPECT_NE(m.find(abs + " exists"), std::string::npos) << m;
  }
  EXPECT_EQ(parse_store_uri("sqlite:///" + abs).sqlite_path, abs);
  // A new store in a folder that exists only as the absolute path: refused the same way.
  const std::string fresh = "sqlite://" + (dir.path() / "new.db").string();
  EXPECT_THROW_MSG(parse_store_uri(fresh), UsageError, "exists: for that absolute path write");
  // A new store whose top folder exists only at the root: /tmp/new/x.db, no ./tmp here.
  EXPECT_THROW_MSG(parse_store_uri("sqlite:///tmp/no-such-folder-here/x.db"), UsageError,
                   "the folder /tmp exists: for that absolute path write "
                   "sqlite:////tmp/no-such-folder-here/x.db (four slashes); for the relative one "
                   "write sqlite:///./tmp/no-such-folder-here/x.db");
  EXPECT_EQ(parse_store_uri("sqlite:///./tmp/no-such-folder-here/x.db").sqlite_path,
            "./tmp/no-such-folder-here/x.db");
  // Relative stores, new or not, open as written.
  EXPECT_EQ(parse_store_uri("sqlite:///here.db").sqlite_path, "here.db");
  EXPECT_EQ(parse_store_uri("sqlite:///sub/folder/new.db").sqlite_path, "sub/folder/new.db");
  // Where both exist, the relative reading (SQLAlchemy's) wins.
  std::filesystem::create_directories(
      std::filesystem::path(dir.path() / abs.substr(1)).parent_path());
  { std::ofstream(dir.path() / abs.substr(1)) << ""; }
  EXPECT_EQ(parse_store_uri(three).sqlite_path, abs.substr(1));
  std::filesystem::current_path(old_cwd);
}

// A PostgreSQL password never reaches a message: redacted in the URI's userinfo (even with '@'
// or ':' inside) and in a password= parameter; the rest stays so the person can find the server.
TEST(StoreUri, PasswordsAreRedactedForMessages) {
  EXPECT_EQ(redact_store_uri("postgresql://ml:hunter2@db:5432/loanrisk"),
            "postgresql://ml:***@db:5432/loanrisk");
  EXPECT_EQ(redact_store_uri("postgres://ml:p@ss:w0rd@db/x?sslmode=require"),
            "postgres://ml:***@db/x?sslmode=require");
  EXPECT_EQ(redact_store_uri("postgresql://db/x?user=ml&password=hunter2&sslmode=require"),
            "postgresql://db/x?user=ml&password=***&sslmode=require");
  EXPECT_EQ(redact_store_uri("postgresql://ml@db/x"), "postgresql://ml@db/x");
  EXPECT_EQ(redact_store_uri("postgresql://db/x"), "postgresql://db/x");
  EXPECT_EQ(redact_store_uri("sqlite:///a:b@c.db"), "sqlite:///a:b@c.db");
  // Connecting fails (nothing listens on port 1): the message names the server, not the password.
  try {
    open_store("postgresql://ml:hunter2@127.0.0.1:1/loanrisk?connect_timeout=2");
    FAIL() << "connected to port 1";
  } catch (const UsageError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
    EXPECT_NE(m.find("postgresql://ml:***@127.0.0.1:1/loanrisk"), std::string::npos) << m;
  }
}

TEST(StoreUri, FlagThenEnvironmentThenConfigThenDefault) {
  ::unsetenv("LOANRISK_STORE");
  EXPECT_EQ(
      choose_store_uri(std::nullopt, std::nullopt),
      "sqlite:///" + (std::filesystem::current_path() / "loanrisk-store/loanrisk.db").string());
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
