#pragma once
// The server's HTTP/1.x request reader: Beast's parser (limits, chunked bodies, errors) delivering
// the request line, the headers the routes use and the body straight into an HttpRequest. Its own
// file so that the fuzz target (tests/fuzz/fuzz_http_request.cpp) feeds it bytes as the socket
// does.
#include <cstdint>

#include <boost/beast/http/basic_parser.hpp>

#include "loanrisk/serve/api.hpp"

namespace loanrisk {

/// Reads one request straight into a session's HttpRequest: the request line, the headers the
/// routes use and the body. Beast's own parser keeps every header line in a container that
/// allocates per line; the parsing (limits, chunked bodies, errors) is still Beast's.
class RequestReader : public boost::beast::http::basic_parser<true> {
 public:
  /// Empties out's fields; they are filled as the parser meets them.
  explicit RequestReader(HttpRequest& out);
  /// The request's HTTP version (10 or 11), once the request line is read.
  unsigned version() const { return version_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view method, string_view target,
                       int version, error_code&) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field name, string_view, string_view value,
                     error_code&) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override;
  std::size_t on_body_impl(string_view body, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override;
  void on_finish_impl(error_code&) override {}

  HttpRequest& out_;
  unsigned version_ = 11;
  unsigned seen_ = 0;
};

}  // namespace loanrisk
