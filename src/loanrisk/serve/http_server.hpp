#pragma once
// The HTTP/1.1 transport on Boost.Beast/Asio, plain or over TLS (OpenSSL): keep-alive, body limit
// (413), read timeouts for slow or stalled clients, a pool of threads each running the handler
// inline. Knows nothing of routes.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "loanrisk/serve/api.hpp"

namespace loanrisk {

/// Listens on host:port and answers every request with the handler.
class HttpServer {
 public:
  /// The handler must not throw (ServeApi::handle does not).
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  /// Transport options.
  struct Options {
    std::string host = "127.0.0.1";
    int port = 8080;  ///< 0 picks a free port (see port()).
    int threads = 2;
    std::size_t max_body_bytes = 8u << 20;
    double timeout_seconds = 10;
    /// PEM files: both set, the server speaks only TLS 1.2 or later and sends HSTS.
    std::string tls_cert_file = {};
    std::string tls_key_file = {};
  };

  HttpServer(Options options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds and starts the threads; UsageError naming the address when it cannot listen.
  void start();
  /// The port listened on (after start()).
  int port() const;
  /// Blocks until SIGINT/SIGTERM (when handle_signals) or stop() from another thread.
  void wait(bool handle_signals);
  /// Stops accepting, closes connections and joins the threads (idempotent).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loanrisk
