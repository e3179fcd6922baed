#include "loanrisk/tracking/store_uri.hpp"

#include <cstdlib>

#include "loanrisk/core/error.hpp"

namespace loanrisk {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

const char* kForms =
    "use sqlite:////absolute/path.db, sqlite:///relative/path.db or "
    "postgresql://user@host:port/database";

bool present(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}

// `sqlite:///X` with X not starting with '/' is X relative to the working folder (SQLAlchemy's
// reading); before loanrisk adopted it, the same text meant /X. Where that older meaning names a
// store (or the folder for one) and the relative one does not, opening would quietly create a
// new, empty store: refuse and give the URI of the store the person most likely meant.
void refuse_changed_meaning(const std::string& uri, const std::filesystem::path& relative) {
  const std::string text = relative.string();
  if (text.starts_with("./") || text.starts_with("../")) return;  // relative on purpose
  const std::filesystem::path absolute = "/" + text;
  const std::filesystem::path here = std::filesystem::current_path() / relative;
  const bool file_there = present(absolute) && !present(here);
  // The folder the store would go in, or the top folder of its path (sqlite:///tmp/new.db with
  // no ./tmp here while /tmp exists), is the absolute path's and not the working folder's.
  std::filesystem::path folder;
  if (!present(here.parent_path()) && absolute.parent_path() != "/" &&
      present(absolute.parent_path())) {
    folder = absolute.parent_path();
  } else if (const auto slash = text.find('/');
             slash != std::string::npos &&
             !present(std::filesystem::current_path() / text.substr(0, slash)) &&
             present("/" + text.substr(0, slash))) {
    folder = "/" + text.substr(0, slash);
  }
  const bool folder_there = !folder.empty();
  if (!file_there && !folder_there) return;
  throw UsageError(
      "store URI '" + uri + "' names " + here.string() +
      " (three slashes: a path relative to the working folder, as SQLAlchemy, MLflow and Optuna "
      "read it), where there is no store, while " +
      (file_there ? absolute.string() + " exists" : "the folder " + folder.string() + " exists") +
      ": for that absolute path write sqlite:///" + absolute.string() +
      " (four slashes); for the relative one write sqlite:///./" + text);
}

}  // namespace

std::string redact_store_uri(const std::string& uri) {
  if (!starts_with(uri, "postgresql://") && !starts_with(uri, "postgres://")) return uri;
  std::string out = uri;
  const std::size_t authority = out.find("://") + 3;
  // The userinfo ends at the last '@' before the path (a password may itself hold '@').
  const std::size_t path = out.find_first_of("/?", authority);
  const std::size_t at = out.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at != std::string::npos && at >= authority) {
    const std::size_t colon = out.find(':', authority);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // libpq also takes password=... among the query parameters.
  for (std::size_t p = out.find("password="); p != std::string::npos;
       p = out.find("password=", p + 1)) {
    if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) continue;
    const std::size_t value = p + 9, end = out.find('&', value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
  }
  return out;
}

StoreUri parse_store_uri(const std::string& uri) {
  StoreUri out;
  out.text = uri;
  if (starts_with(uri, "sqlite://")) {
    // SQLAlchemy's URL: sqlite://<host>/<database>; SQLite has no host, so the text after the
    // third slash is the file, and a fourth slash makes it absolute.
    if (uri == "sqlite://" || uri == "sqlite:///" || uri == "sqlite:////") {
      throw UsageError("store URI '" + uri + "' names no database file; " + kForms);
    }
    if (!starts_with(uri, "sqlite:///")) {
      throw UsageError("store URI '" + uri + "' has a host part ('" +
                       uri.substr(9, uri.find('/', 9) - 9) +
                       "'), which SQLite does not have: for a file relative to the working "
                       "folder write sqlite:///" +
                       uri.substr(9) + " (three slashes), for an absolute path four slashes");
    }
    out.kind = StoreKind::kSqlite;
    out.sqlite_path = std::filesystem::path(uri.substr(10));
    if (out.sqlite_path.is_relative()) refuse_changed_meaning(uri, out.sqlite_path);
    return out;
  }
  if (starts_with(uri, "postgresql://") || starts_with(uri, "postgres://")) {
    const std::string rest = uri.substr(uri.find("://") + 3);
    if (rest.empty())
      throw UsageError("store URI '" + redact_store_uri(uri) + "' names no server; " + kForms);
    out.kind = StoreKind::kPostgres;
    return out;
  }
  throw UsageError("unknown store URI '" + redact_store_uri(uri) + "': " + kForms);
}

std::string default_store_uri() {
  return "sqlite:///" +
         (std::filesystem::current_path() / "loanrisk-store" / "loanrisk.db").string();
}

std::string choose_store_uri(const std::optional<std::string>& flag,
                             const std::optional<std::string>& configured) {
  if (flag && !flag->empty()) return *flag;
  if (const char* env = std::getenv("LOANRISK_STORE"); env != nullptr && *env != '\0') return env;
  if (configured && !configured->empty()) return *configured;
  return default_store_uri();
}

}  // namespace loanrisk
