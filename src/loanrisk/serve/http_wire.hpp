#pragma once
// The bytes of an HTTP/1.x response head, written by the transport straight into a reused buffer
// (Beast's fields container and serializer cost an allocation per header line and more CPU than
// the healthz handler itself).
#include <string>

#include "loanrisk/serve/api.hpp"

namespace loanrisk {

/// Whether a response with this status carries a body (1xx, 204 and 304 never do; RFC 9110 6.4.1).
bool status_has_body(int status);

/// Appends the status line, Server, Content-Type, the response's extra headers, Content-Length
/// (body_size, when the status has a body) and the Connection header the version needs for
/// keep_alive, then the blank line. version is 10 or 11. CR and LF inside a header value become
/// spaces, so no value can split the head.
void append_response_head(std::string& out, const HttpResponse& response, std::size_t body_size,
                          unsigned version, bool keep_alive);

}  // namespace loanrisk
