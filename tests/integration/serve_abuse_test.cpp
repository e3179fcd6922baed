// `loanrisk serve` while clients misbehave on purpose, over loopback: slow clients, a thousand
// connections at once, a 100 KB header block, broken chunked bodies. Each test counts what the
// well-behaved clients got while it happened and prints it (the numbers go into the docs).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "serve_fixture.hpp"

namespace loanrisk::testing {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

class Abuse : public ServeFixture {};

// 200 connections that send a request one byte every 200 ms (the fixture's request timeout is
// 1 s, so each is dropped and comes back) while one client scores applicants: every one of its
// requests is answered.
TEST_F(Abuse, SlowClientsDoNotStarveOthers) {
  std::atomic<bool> stop{false};
  std::atomic<int> slow_opened{0};
  std::thread slow([&] {
    asio::io_context io;
    const std::string request =
        "POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n";
    std::vector<std::unique_ptr<asio::ip::tcp::socket>> socks;
    std::vector<std::size_t> sent;
    while (!stop) {
      if (socks.size() < 200) {
        auto s = std::make_unique<asio::ip::tcp::socket>(io);
        boost::system::error_code ec;
        s->connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
        if (!ec) {
          socks.push_back(std::move(s));
          sent.push_back(0);
          ++slow_opened;
        }
        continue;
      }
      for (std::size_t i = 0; i < socks.size(); ++i) {
        boost::system::error_code ec;
        asio::write(*socks[i], asio::buffer(request.data() + sent[i] % request.size(), 1), ec);
        ++sent[i];
        if (ec) {  // dropped by the server's timeout: reconnect
          socks[i] = std::make_unique<asio::ip::tcp::socket>(io);
          socks[i]->connect(
              {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
          sent[i] = 0;
          if (!ec) ++slow_opened;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  while (slow_opened < 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const auto start = Clock::now();
  int ok = 0, sent = 0;
  while (Clock::now() - start < std::chrono::seconds(4)) {
    ++sent;
    ok += http_call(port, "POST", "/api/v1/predict", kApplicant).status == 200;
  }
  stop = true;
  slow.join();
  EXPECT_EQ(ok, sent);
  std::cout << "abuse: " << ok << " of " << sent
            << " predictions answered in 4 s while 200 slow clients trickled bytes (" << slow_opened
            << " slow connections opened)\n";
}

// A thousand keep-alive connections open at once, each with a request in flight: all answered.
TEST_F(Abuse, AThousandConcurrentConnections) {
  write_text(*dir / "many.toml", "[serve]\nthreads = 2\nrequest_timeout_seconds = 30\n");
  ServerProcess many(*dir, "--config many.toml --store '" + store_uri + "'", {},
                     "ulimit -n 4096; ");
  ASSERT_GT(many.port(), 0) << many.err();
  asio::io_context io;
  std::vector<std::unique_ptr<asio::ip::tcp::socket>> socks;
  for (int i = 0; i < 1000; ++i) {
    auto s = std::make_unique<asio::ip::tcp::socket>(io);
    s->connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(many.port())});
    socks.push_back(std::move(s));
  }
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const auto start = Clock::now();
  for (auto& s : socks) asio::write(*s, asio::buffer(request));
  int ok = 0;
  for (auto& s : socks) {
    std::string reply;
    char buf[512];
    while (reply.find("{\"status\":\"ok\"}") == std::string::npos) {
      boost::system::error_code ec;
      const std::size_t n = s->read_some(asio::buffer(buf), ec);
      if (ec) break;
      reply.append(buf, n);
    }
    ok += reply.rfind("HTTP/1.1 200 OK", 0) == 0;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(ok, 1000);
  std::cout << "abuse: " << ok << " of 1000 concurrent keep-alive connections answered in "
            << seconds << " s\n";
  socks.clear();
  EXPECT_EQ(http_call(many.port(), "GET", "/healthz").status, 200);
}

TEST_F(Abuse, OversizedHeadersAndBrokenChunksAreRefused) {
  // A 100 KB header block.
  std::string r = raw_exchange(
      port,
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100 * 1024, 'a') + "\r\n\r\n",
      5000);
  EXPECT_EQ(r.substr(0, 44), "HTTP/1.1 431 Request Header Fields Too Large") << r.substr(0, 100);
  // Chunked abuse: a size that is not hex, a size past 64 bits, a chunk longer than announced.
  for (const std::string& body : {std::string("zz\r\nabc\r\n0\r\n\r\n"),
                                  std::string("ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n"),
                                  std::string("3\r\nabcdef\r\n0\r\n\r\n")}) {
    r = raw_exchange(port,
                     "POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                     "\r\n" +
                         body,
                     5000);
    EXPECT_EQ(r.substr(0, 24), "HTTP/1.1 400 Bad Request") << body << ": " << r.substr(0, 200);
  }
  // Both a length and chunked (request smuggling shape): refused, not guessed.
  r = raw_exchange(port,
                   "POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                   5000);
  EXPECT_EQ(r.substr(0, 24), "HTTP/1.1 400 Bad Request") << r.substr(0, 200);
  EXPECT_EQ(http_call(port, "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace loanrisk::testing
