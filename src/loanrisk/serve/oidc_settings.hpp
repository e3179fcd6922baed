#pragma once
// [auth.oidc] of loanrisk.toml: the bank's identity provider (docs/security.md).
#include <string>

#include <toml++/toml.h>

#include "loanrisk/serve/settings.hpp"

namespace loanrisk {

/// Reads [auth.oidc] of a parsed loanrisk.toml into settings.oidc (absent: unchanged);
/// UsageError naming the file, key and fix.
void apply_oidc_toml(ServeSettings& settings, const toml::table& root, const std::string& source);

}  // namespace loanrisk
