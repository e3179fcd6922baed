#include "loanrisk/auth/http_fetch.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "loanrisk/core/text.hpp"

namespace loanrisk::auth {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

[[noreturn]] void fail(const std::string& url, const std::string& what) {
  throw FetchError("GET " + echo_text(url, 300) + ": " + what);
}

/// Runs one asynchronous step to completion (every step has the stream's deadline).
void run(net::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

/// Runs one step, then throws FetchError when it failed.
void finish(net::io_context& ioc, const error_code& ec, const std::string& url, const char* what) {
  run(ioc);
  if (ec == beast::error::timeout) fail(url, std::string(what) + ": timed out");
  if (ec) fail(url, std::string(what) + ": " + ec.message());
}

template <class Stream>
std::string exchange(net::io_context& ioc, Stream& stream, const Url& url, const std::string& text,
                     const FetchLimits& limits) {
  http::request<http::empty_body> req{http::verb::get, url.target, 11};
  const bool default_port =
      (url.scheme == "https" && url.port == "443") || (url.scheme == "http" && url.port == "80");
  const std::string host =
      url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  req.set(http::field::host, default_port ? host : host + ":" + url.port);
  req.set(http::field::user_agent, "loanrisk");
  req.set(http::field::accept, "application/json");
  error_code ec;
  http::async_write(stream, req, [&](error_code e, std::size_t) { ec = e; });
  finish(ioc, ec, text, "sending the request");
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(limits.max_body_bytes);
  const std::string too_big =
      "the answer is larger than " + std::to_string(limits.max_body_bytes) + " bytes";
  // The header first, so that a declared length over the cap is refused before any body is read.
  http::async_read_header(stream, buffer, parser, [&](error_code e, std::size_t) { ec = e; });
  run(ioc);
  if (ec == http::error::body_limit) fail(text, too_big);
  finish(ioc, ec, text, "reading the answer");
  if (parser.content_length() && *parser.content_length() > limits.max_body_bytes) {
    fail(text, too_big);
  }
  http::async_read(stream, buffer, parser, [&](error_code e, std::size_t) { ec = e; });
  run(ioc);
  if (ec == http::error::body_limit) fail(text, too_big);
  finish(ioc, ec, text, "reading the answer");
  if (parser.get().body().size() > limits.max_body_bytes) fail(text, too_big);
  const auto& res = parser.get();
  if (res.result() != http::status::ok) {
    fail(text, "answered HTTP " + std::to_string(res.result_int()));
  }
  return res.body();
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  error_code ec;
  const net::ip::address a = net::ip::make_address(host, ec);
  return !ec && a.is_loopback();
}

Url parse_url(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return UsageError("URL " + echo_text(text, 300) + " " + why +
                      ": write it as https://host[:port]/path");
  };
  Url url;
  const std::size_t colon = text.find("://");
  if (colon == std::string::npos) throw bad("has no scheme");
  url.scheme = text.substr(0, colon);
  if (url.scheme != "http" && url.scheme != "https") throw bad("is not http or https");
  const std::size_t start = colon + 3;
  const std::size_t slash = text.find_first_of("/?#", start);
  const std::string authority = text.substr(start, slash - start);
  url.target = slash == std::string::npos ? "/" : text.substr(slash);
  if (url.target[0] == '?') url.target = "/" + url.target;
  if (url.target.find('#') != std::string::npos) throw bad("has a fragment");
  if (authority.find('@') != std::string::npos) throw bad("has a user name or password in it");
  for (const char c : text) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) throw bad("has spaces or control bytes");
  }
  std::string port;
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) throw bad("has an unclosed IPv6 address");
    url.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') throw bad("has text after the IPv6 address");
      port = authority.substr(close + 2);
    }
  } else {
    const std::size_t c = authority.rfind(':');
    url.host = authority.substr(0, c);
    if (c != std::string::npos) port = authority.substr(c + 1);
  }
  if (url.host.empty()) throw bad("has no host");
  if (port.empty()) port = url.scheme == "https" ? "443" : "80";
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) < 1 || std::stoi(port) > 65535) {
    throw bad("has a port that is not a number from 1 to 65535");
  }
  url.port = port;
  return url;
}

std::string http_get(const std::string& text, const FetchLimits& limits) {
  Url url;
  try {
    url = parse_url(text);
  } catch (const UsageError& e) {
    throw FetchError(e.what());
  }
  if (url.scheme == "http" && !is_loopback_host(url.host)) {
    fail(text, "plain http is allowed only to 127.0.0.1, ::1 or localhost; use https");
  }
  net::io_context ioc;
  const auto deadline = std::chrono::steady_clock::now() + limits.timeout;

  tcp::resolver resolver(ioc);
  error_code ec;
  tcp::resolver::results_type endpoints;
  bool resolved = false;
  resolver.async_resolve(url.host, url.port, [&](error_code e, tcp::resolver::results_type r) {
    ec = e;
    endpoints = std::move(r);
    resolved = true;
  });
  ioc.run_until(deadline);
  if (!resolved) {
    resolver.cancel();
    ioc.restart();
    ioc.run();
    fail(text, "looking up " + echo_text(url.host) + ": timed out");
  }
  if (ec) fail(text, "looking up " + echo_text(url.host) + ": " + ec.message());

  if (url.scheme == "http") {
    beast::tcp_stream stream(ioc);
    stream.expires_at(deadline);
    stream.async_connect(endpoints, [&](error_code e, const tcp::endpoint&) { ec = e; });
    finish(ioc, ec, text, "connecting");
    std::string body = exchange(ioc, stream, url, text, limits);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return body;
  }
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx.set_default_verify_paths();
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    fail(text, "could not set the TLS server name");
  }
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  beast::get_lowest_layer(stream).expires_at(deadline);
  beast::get_lowest_layer(stream).async_connect(
      endpoints, [&](error_code e, const tcp::endpoint&) { ec = e; });
  finish(ioc, ec, text, "connecting");
  stream.async_handshake(ssl::stream_base::client, [&](error_code e) { ec = e; });
  finish(ioc, ec, text, "the TLS handshake (is the certificate valid for this host?)");
  return exchange(ioc, stream, url, text, limits);
}

}  // namespace loanrisk::auth
