#pragma once
// A blocking HTTP/1.1 client on Boost.Beast for the server tests: one connection per call, plus a
// raw socket for malformed and stalled clients.
#include <map>
#include <string>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace loanrisk::testing {

/// What the server answered.
struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  ///< lower-case names.
};

/// One request to 127.0.0.1:port; throws boost::system::system_error when the connection fails.
inline HttpReply http_call(int port, const std::string& method, const std::string& target,
                           const std::string& body = "",
                           const std::string& content_type = "application/json",
                           const std::string& authorization = "",
                           const std::map<std::string, std::string>& extra_headers = {}) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!content_type.empty()) req.set(http::field::content_type, content_type);
  if (!authorization.empty()) req.set(http::field::authorization, authorization);
  for (const auto& [name, value] : extra_headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256u << 20);
  http::read(stream, buffer, parser);
  HttpReply r;
  r.status = static_cast<int>(parser.get().result_int());
  r.body = parser.get().body();
  for (const auto& f : parser.get()) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  beast::error_code ec;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return r;
}

/// Sends raw bytes, then reads until the server closes (or timeout_ms passes); returns what came.
inline std::string raw_exchange(int port, const std::string& bytes, int timeout_ms) {
  namespace beast = boost::beast;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  boost::asio::write(stream.socket(), boost::asio::buffer(bytes));
  std::string out;
  char buf[4096];
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  for (;;) {
    beast::error_code ec;
    const std::size_t n = stream.read_some(boost::asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

}  // namespace loanrisk::testing
