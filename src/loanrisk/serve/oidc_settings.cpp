// [auth.oidc] of loanrisk.toml and its environment overrides: the bank's identity provider.
#include <algorithm>
#include <cstdlib>

#include "loanrisk/config/toml_section.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/oidc_settings.hpp"
#include "loanrisk/tracking/users.hpp"

namespace loanrisk {

std::vector<Role> OidcSettings::roles_of(const std::vector<std::string>& claimed) const {
  std::vector<Role> roles;
  for (const std::string& name : claimed) {
    const auto mapped = role_map.find(name);
    const std::string& role = mapped == role_map.end() ? name : mapped->second;
    try {
      const Role r = parse_role(role);
      if (std::find(roles.begin(), roles.end(), r) == roles.end()) roles.push_back(r);
    } catch (const UsageError&) {
      // A provider's group that means nothing to loanrisk (say "employees") gives no role.
    }
  }
  return roles;
}

void apply_oidc_toml(ServeSettings& s, const toml::table& root, const std::string& src) {
  const toml::node* auth = root.get("auth");
  if (!auth) return;
  const TomlSection a(src, *auth, "auth", TomlStyle::Sectioned, "");
  a.check_keys({"oidc"});
  const std::optional<TomlSection> t = a.section("oidc");
  if (!t) return;
  t->check_keys({"issuer", "audience", "jwks_uri", "role_claim", "username_claim", "role_map",
                 "leeway_seconds", "min_refetch_seconds", "max_key_age_seconds",
                 "timeout_seconds"});
  OidcSettings o = s.oidc.value_or(OidcSettings{});
  auth::OidcConfig& c = o.config;
  t->string("issuer", c.issuer);
  t->string("audience", c.audience);
  t->string("jwks_uri", c.jwks_uri);
  t->string("role_claim", c.role_claim);
  t->string("username_claim", c.username_claim);
  t->integer("leeway_seconds", c.leeway_seconds, 0, 600);
  t->integer("min_refetch_seconds", c.min_refetch_seconds, 0, 86400);
  t->integer("max_key_age_seconds", c.max_key_age_seconds, 1, 7 * 86400);
  double timeout = static_cast<double>(c.fetch.timeout.count()) / 1000;
  if (t->number("timeout_seconds", timeout, {.min = 0, .max = 60, .min_open = true})) {
    c.fetch.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout * 1000));
  }
  if (const toml::node* map = t->get("role_map")) {
    const TomlSection m = t->section_of(*map, "role_map");
    for (const auto& [key, value] : m.table()) {
      const std::string name(key.str());
      const std::string role =
          m.choice_of(value, name, {"viewer", "officer", "analyst", "validator", "admin"});
      o.role_map[name] = role;
    }
  }
  try {
    auth::check_config(c);
  } catch (const UsageError& e) {
    throw UsageError(src + ": " + e.what());
  }
  s.oidc = std::move(o);
}

void apply_oidc_env(ServeSettings& s) {
  const char* issuer = std::getenv("LOANRISK_OIDC_ISSUER");
  const char* audience = std::getenv("LOANRISK_OIDC_AUDIENCE");
  if ((!issuer || !*issuer) && (!audience || !*audience)) return;
  OidcSettings o = s.oidc.value_or(OidcSettings{});
  if (issuer && *issuer) o.config.issuer = issuer;
  if (audience && *audience) o.config.audience = audience;
  try {
    auth::check_config(o.config);
  } catch (const UsageError& e) {
    throw UsageError(std::string("LOANRISK_OIDC_ISSUER / LOANRISK_OIDC_AUDIENCE: ") + e.what());
  }
  s.oidc = std::move(o);
}

}  // namespace loanrisk
