#include "loanrisk/serve/http_server.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include "loanrisk/core/error.hpp"

namespace loanrisk {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

/// One client connection: read a request, answer it, repeat while keep-alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpServer::Options& options,
          const HttpServer::Handler& handler)
      : stream_(std::move(socket)), options_(options), handler_(handler) {}

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(options_.max_body_bytes);
    stream_.expires_after(
        std::chrono::milliseconds(static_cast<long long>(options_.timeout_seconds * 1000)));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      return close();
    }
    if (ec == http::error::body_limit) {
      return reply_error(413, "request body is larger than the limit of " +
                                  std::to_string(options_.max_body_bytes) +
                                  " bytes; send fewer applicants per request");
    }
    if (ec) return reply_error(400, "malformed HTTP request: " + ec.message());
    auto& req = parser_->get();
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    if (auto it = req.find(http::field::content_type); it != req.end()) {
      r.content_type = std::string(it->value());
    }
    if (auto it = req.find(http::field::authorization); it != req.end()) {
      r.authorization = std::string(it->value());
    }
    if (auto it = req.find(http::field::if_none_match); it != req.end()) {
      r.if_none_match = std::string(it->value());
    }
    r.body = std::move(req.body());
    send(handler_(r), req.version(), req.keep_alive());
  }

  void reply_error(int status, const std::string& message) {
    send(ServeApi::error(status, message), 11, false);
  }

  void send(const HttpResponse& r, unsigned version, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), version);
    res->set(http::field::server, "loanrisk");
    res->set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->body() = r.body;
    res->keep_alive(keep_alive);
    res->prepare_payload();
    stream_.expires_after(
        std::chrono::milliseconds(static_cast<long long>(options_.timeout_seconds * 1000)));
    http::async_write(
        stream_, *res,
        [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
          if (ec || !keep_alive) return self->close();
          self->read();
        });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpServer::Options& options_;
  const HttpServer::Handler& handler_;
};

}  // namespace

struct HttpServer::Impl {
  Options options;
  Handler handler;
  asio::io_context io;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::signal_set> signals;  ///< lives as long as io so no handler outlives it.
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
  std::mutex mutex;
  std::condition_variable done;
  int port = 0;

  void accept() {
    acceptor->async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) {
        s.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(s), options, handler)->run();
      }
      accept();
    });
  }
};

HttpServer::HttpServer(Options options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start() {
  auto& o = impl_->options;
  beast::error_code ec;
  const auto address = asio::ip::make_address(o.host, ec);
  if (ec) throw UsageError("--host '" + o.host + "' is not an IP address (e.g. 127.0.0.1)");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(o.port));
  auto& acc = impl_->acceptor.emplace(impl_->io);
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw UsageError("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
                     ec.message() + "; choose another --port or stop the other server");
  }
  impl_->port = acc.local_endpoint().port();
  impl_->accept();
  for (int i = 0; i < o.threads; ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
}

int HttpServer::port() const {
  return impl_->port;
}

void HttpServer::wait(bool handle_signals) {
  if (handle_signals && !impl_->signals) {
    impl_->signals.emplace(impl_->io, SIGINT, SIGTERM);
    impl_->signals->async_wait([this](beast::error_code ec, int) {
      if (ec) return;
      std::lock_guard lock(impl_->mutex);
      impl_->stopped = true;
      impl_->done.notify_all();
    });
  }
  {
    std::unique_lock lock(impl_->mutex);
    impl_->done.wait(lock, [this] { return impl_->stopped.load(); });
  }
}

void HttpServer::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopped = true;
    impl_->done.notify_all();
  }
  if (impl_->acceptor && impl_->acceptor->is_open()) {
    asio::post(impl_->io, [this] {
      beast::error_code ec;
      impl_->acceptor->close(ec);
    });
  }
  impl_->io.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

}  // namespace loanrisk
