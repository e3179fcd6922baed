#include "loanrisk/tracking/users.hpp"

#include <sodium.h>

#include <array>

#include "loanrisk/core/enum_names.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

using enum Role;
constexpr auto kRoles = enum_names<Role>("role", {{kViewer, "viewer"},
                                                  {kOfficer, "officer"},
                                                  {kAnalyst, "analyst"},
                                                  {kValidator, "validator"},
                                                  {kAdmin, "admin"}});

constexpr std::string_view kPrefix = "lr_";
constexpr std::size_t kIdBytes = 8;       // 16 hex digits: the row to look up.
constexpr std::size_t kSecretBytes = 32;  // 256 bits of secret, base64url without padding.

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw InternalError("libsodium could not be initialised");
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  return hex;
}

std::string hash_secret(const std::string& secret) {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), secret.data(), secret.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw InternalError("argon2id ran out of memory hashing a token");
  }
  return out.data();
}

void check_name(const std::string& name) {
  require_utf8("user name", name);
  if (name.empty() || name.size() > 64) {
    throw UsageError("a user name needs 1 to 64 characters; got " + std::to_string(name.size()));
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      throw UsageError("user name " + echo_text(name) +
                       " has a control character: use letters, digits, '.', '-', '_' or '@'");
    }
  }
}

User to_user(const SqlRow& row) {
  return {.name = row.text(0),
          .role = parse_role(row.text(1)),
          .created_ms = row.integer(2),
          .created_by = row.text(3),
          .revoked_ms = row.optional_integer(4),
          .revoked_by = row.text(5)};
}

constexpr const char* kUserColumns =
    "SELECT name, role, created, created_by, revoked, revoked_by FROM lr_users ";

}  // namespace

std::string random_base64url(std::size_t bytes) {
  ensure_sodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  const std::size_t len =
      sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string text(len, '\0');
  sodium_bin2base64(text.data(), text.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(text.find('\0'));
  sodium_memzero(raw.data(), raw.size());
  return text;
}

std::string_view to_string(Role role) {
  return kRoles.name(role);
}

Role parse_role(std::string_view name) {
  if (const auto role = kRoles.parse(name)) return *role;
  throw UsageError("unknown role " + echo_text(name) + ": use one of " + join(kRoles.names()));
}

UserStore::UserStore(Store& store) : db_(store.database()) {
  ensure_sodium();
}

NewUser UserStore::add(const std::string& name, Role role, const std::string& by) {
  check_name(name);
  require_utf8("the creating user's name", by);
  NewUser out;
  const std::string id = random_hex(kIdBytes);
  const std::string secret = random_base64url(kSecretBytes);
  const std::string hash = hash_secret(secret);  // slow: outside the write transaction
  out.user = {.name = name,
              .role = role,
              .created_ms = now_ms(),
              .created_by = by,
              .revoked_ms = std::nullopt,
              .revoked_by = ""};
  db_.transaction(true, [&] {
    if (!db_.query("SELECT 1 FROM lr_users WHERE name = ?", {name}).empty()) {
      throw UsageError("a user " + echo_text(name) +
                       " exists already (revoked users keep their name): choose another name");
    }
    db_.exec(
        "INSERT INTO lr_users(name, role, token_id, token_hash, created, created_by) "
        "VALUES(?, ?, ?, ?, ?, ?)",
        {name, std::string(to_string(role)), id, hash, out.user.created_ms, by});
  });
  out.token = std::string(kPrefix) + id + "_" + secret;
  return out;
}

std::vector<User> UserStore::list() {
  std::vector<User> out;
  db_.transaction(false, [&] {
    out.clear();
    for (const SqlRow& row : db_.query(std::string(kUserColumns) + "ORDER BY name", {})) {
      out.push_back(to_user(row));
    }
  });
  return out;
}

void UserStore::revoke(const std::string& name, const std::string& by) {
  db_.transaction(true, [&] {
    const auto rows = db_.query(std::string(kUserColumns) + "WHERE name = ?", {name});
    if (rows.empty()) {
      throw UsageError("no user " + echo_text(name) + "; `loanrisk users list` shows them");
    }
    if (!rows[0].is_null(4)) throw UsageError("user " + echo_text(name) + " is already revoked");
    db_.exec("UPDATE lr_users SET revoked = ?, revoked_by = ? WHERE name = ?",
             {now_ms(), by, name});
  });
}

std::optional<User> UserStore::authenticate(std::string_view token) {
  // lr_<16 hex>_<43 base64url>: anything else is refused before the store is read.
  const std::size_t secret_at = kPrefix.size() + kIdBytes * 2 + 1;
  if (!token.starts_with(kPrefix) || token.size() <= secret_at || token[secret_at - 1] != '_') {
    return std::nullopt;
  }
  const std::string id(token.substr(kPrefix.size(), kIdBytes * 2));
  if (id.find_first_not_of("0123456789abcdef") != std::string::npos) return std::nullopt;
  const std::string secret(token.substr(secret_at));
  std::optional<SqlRow> row;
  std::string hash;
  db_.transaction(false, [&] {
    const auto rows = db_.query(
        "SELECT name, role, created, created_by, revoked, revoked_by, token_hash FROM lr_users "
        "WHERE token_id = ?",
        {id});
    if (!rows.empty()) {
      row = rows[0];
      hash = rows[0].text(6);
    }
  });
  if (!row || crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size()) != 0) {
    return std::nullopt;
  }
  User user = to_user(*row);
  if (user.revoked_ms) return std::nullopt;
  return user;
}

}  // namespace loanrisk
