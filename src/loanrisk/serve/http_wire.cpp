#include "loanrisk/serve/http_wire.hpp"

#include <charconv>
#include <string_view>

#include <boost/beast/http/status.hpp>

namespace loanrisk {
namespace {

void append_value(std::string& out, std::string_view value) {
  for (char c : value) out += c == '\r' || c == '\n' ? ' ' : c;
}

void append_number(std::string& out, std::size_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

}  // namespace

bool status_has_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

void append_response_head(std::string& out, const HttpResponse& response, std::size_t body_size,
                          unsigned version, bool keep_alive) {
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  append_number(out, static_cast<std::size_t>(response.status));
  out += ' ';
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(response.status));
  out.append(reason.data(), reason.size());
  out += "\r\nServer: loanrisk\r\nContent-Type: ";
  append_value(out, response.content_type);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    append_value(out, name);
    out += ": ";
    append_value(out, value);
    out += "\r\n";
  }
  if (status_has_body(response.status)) {
    out += "Content-Length: ";
    append_number(out, body_size);
    out += "\r\n";
  }
  if (version >= 11 && !keep_alive) out += "Connection: close\r\n";
  if (version < 11 && keep_alive) out += "Connection: keep-alive\r\n";
  out += "\r\n";
}

}  // namespace loanrisk
