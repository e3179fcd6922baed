// The response head the transport writes itself: parsed back by Beast's response parser, so the
// bytes are HTTP a strict client accepts.
#include "loanrisk/serve/http_wire.hpp"

#include <gtest/gtest.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace loanrisk {
namespace {

namespace http = boost::beast::http;

/// Parses head + body as a whole response (the body skipped when the status has none).
http::response<http::string_body> parse(const std::string& head, const std::string& body) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  boost::beast::error_code ec;
  const std::string wire = head + body;
  const std::size_t used = parser.put(boost::asio::buffer(wire), ec);
  EXPECT_FALSE(ec) << ec.message() << " in:\n" << wire;
  if (!parser.is_done()) parser.put_eof(ec);
  EXPECT_TRUE(parser.is_done()) << wire;
  EXPECT_EQ(used, wire.size()) << "bytes left after the response:\n" << wire;
  return parser.release();
}

TEST(HttpWire, HeadCarriesStatusTypeLengthAndExtraHeaders) {
  HttpResponse r;
  r.status = 405;
  r.body = R"({"error":"no"})";
  r.headers = {{"Allow", "GET"}, {"X-Rows-Scored", "3"}};
  std::string head;
  append_response_head(head, r, r.body.size(), 11, true);
  EXPECT_EQ(head,
            "HTTP/1.1 405 Method Not Allowed\r\nServer: loanrisk\r\nContent-Type: "
            "application/json\r\nAllow: GET\r\nX-Rows-Scored: 3\r\nContent-Length: 14\r\n\r\n");
  const auto parsed = parse(head, r.body);
  EXPECT_EQ(parsed.result_int(), 405);
  EXPECT_EQ(parsed.body(), r.body);
  EXPECT_TRUE(parsed.keep_alive());
  EXPECT_EQ(parsed[http::field::allow], "GET");
}

TEST(HttpWire, ConnectionHeaderFollowsVersionAndKeepAlive) {
  HttpResponse r;
  r.body = "{}";
  for (unsigned version : {10u, 11u}) {
    for (bool keep_alive : {false, true}) {
      std::string head;
      append_response_head(head, r, r.body.size(), version, keep_alive);
      const auto parsed = parse(head, r.body);
      EXPECT_EQ(parsed.version(), version);
      EXPECT_EQ(parsed.keep_alive(), keep_alive) << head;
      EXPECT_EQ(parsed.body(), "{}");
    }
  }
}

TEST(HttpWire, StatusesWithoutBodyHaveNoLength) {
  HttpResponse r;
  r.status = 304;
  r.headers = {{"ETag", "\"abc\""}};
  std::string head;
  append_response_head(head, r, 0, 11, true);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  EXPECT_EQ(parse(head, "").result_int(), 304);
  EXPECT_FALSE(status_has_body(204));
  EXPECT_FALSE(status_has_body(101));
  EXPECT_TRUE(status_has_body(200));
  EXPECT_TRUE(status_has_body(404));
}

TEST(HttpWire, LineBreaksInValuesCannotSplitTheHead) {
  HttpResponse r;
  r.headers = {{"X-Note", "a\r\nSet-Cookie: stolen=1"}};
  r.body = "ok";
  std::string head;
  append_response_head(head, r, r.body.size(), 11, true);
  const auto parsed = parse(head, r.body);
  EXPECT_EQ(parsed[http::field::set_cookie], "");
  EXPECT_EQ(parsed["X-Note"], "a  Set-Cookie: stolen=1");
}

TEST(HttpWire, AppendsToWhatTheBufferHolds) {
  HttpResponse r;
  std::string head = "previous";
  append_response_head(head, r, 0, 11, true);
  EXPECT_EQ(head.rfind("previousHTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(head.find("Content-Length: 0\r\n"), std::string::npos);
}

}  // namespace
}  // namespace loanrisk
