#pragma once
// A small HTTP(S) GET for the identity provider's discovery document and keys: one request, one
// deadline for the whole exchange, a cap on the body, TLS 1.2+ with the system's CA store and the
// host name checked. Plain http is allowed only to a loopback host (a test provider), so a key set
// cannot be swapped by anyone on the network path.
#include <chrono>
#include <cstddef>
#include <string>

#include "loanrisk/core/error.hpp"

namespace loanrisk::auth {

/// The provider could not be reached or answered something unusable (not 200, too big, late).
class FetchError : public Error {
 public:
  using Error::Error;
};

struct Url {
  std::string scheme;  ///< "http" or "https"
  std::string host;    ///< without brackets for an IPv6 literal
  std::string port;    ///< explicit or the scheme's default
  std::string target;  ///< path and query, at least "/"
};

/// Parses an absolute http(s) URL; UsageError saying what is wrong (no userinfo, no fragment).
Url parse_url(const std::string& url);
/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

struct FetchLimits {
  std::chrono::milliseconds timeout{5000};
  std::size_t max_body_bytes = 1 << 20;
};

/// The body of a 200 answer to GET url; FetchError otherwise (the message names the URL).
std::string http_get(const std::string& url, const FetchLimits& limits = {});

}  // namespace loanrisk::auth
