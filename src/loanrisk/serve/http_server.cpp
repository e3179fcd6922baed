#include "loanrisk/serve/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include <openssl/ssl.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/serve/http_wire.hpp"
#include "loanrisk/serve/request_reader.hpp"

namespace loanrisk {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Each thread runs its own io_context, so a connection's handlers never need a strand and threads
// never wake each other for another thread's work; the concrete executor type spares the
// type-erased any_io_executor's dispatch on every operation.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Stream = beast::basic_stream<tcp, Executor>;
using TlsStream = beast::ssl_stream<Stream>;
namespace ssl = asio::ssl;

constexpr std::string_view kHsts = "max-age=31536000";  // a year: browsers stay on https

/// One client connection: read a request, answer it, repeat while keep-alive. The request, the
/// response head and body buffers are the session's own, reused request after request: one
/// exchange at a time is in flight on a connection. S is the plain TCP stream or TLS over it.
template <class S>
class Session : public std::enable_shared_from_this<Session<S>> {
  static constexpr bool kTls = std::is_same_v<S, TlsStream>;

 public:
  Session(Socket socket, const HttpServer::Options& options,
          const HttpServer::Handler& handler) requires(!kTls)
      : stream_(std::move(socket)), options_(options), handler_(handler) {
    remember_peer();
  }
  Session(Socket socket, ssl::context& tls, const HttpServer::Options& options,
          const HttpServer::Handler& handler) requires(kTls)
      : stream_(Stream(std::move(socket)), tls), options_(options), handler_(handler) {
    remember_peer();
  }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->handshake();
      } else {
        self->read();
      }
    });
  }

 private:
  Stream& tcp_stream() { return beast::get_lowest_layer(stream_); }

  void remember_peer() {
    // The reader resets the request's other fields before each request; the peer stays.
    beast::error_code ec;
    const auto peer = tcp_stream().socket().remote_endpoint(ec);
    if (!ec) {
      request_.client = peer.address().to_string() + ":" + std::to_string(peer.port());
    }
  }

  // A client that does not speak TLS (or an old version of it) is dropped here, before any byte
  // of HTTP is read.
  void handshake() {
    tcp_stream().expires_after(
        std::chrono::milliseconds(static_cast<long long>(options_.timeout_seconds * 1000)));
    stream_.async_handshake(ssl::stream_base::server,
                            [self = this->shared_from_this()](beast::error_code ec) {
                              if (ec) return self->close();
                              self->read();
                            });
  }

  void read() {
    reader_.emplace(request_);
    reader_->body_limit(options_.max_body_bytes);
    tcp_stream().expires_after(
        std::chrono::milliseconds(static_cast<long long>(options_.timeout_seconds * 1000)));
    http::async_read(stream_, buffer_, *reader_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof || ec == ssl::error::stream_truncated) {
      return close();
    }
    if (ec == http::error::body_limit) {
      return reply_error(413, "request body is larger than the limit of " +
                                  std::to_string(options_.max_body_bytes) +
                                  " bytes; send fewer applicants per request");
    }
    if (ec == http::error::header_limit) {
      return reply_error(431,
                         "the request's header block is larger than 8192 bytes; send fewer "
                         "or shorter headers");
    }
    if (ec) return reply_error(400, "malformed HTTP request: " + ec.message());
    HttpResponse response;
    try {
      response = handler_(request_);
    } catch (...) {
      // The handler answers every error itself; this is the last line, so that nothing a
      // client sends can end the process through std::terminate on an I/O thread.
      response = ServeApi::error(500, "internal error; the server could not answer this request");
    }
    send(std::move(response), reader_->version(), reader_->keep_alive(), request_.method == "HEAD");
  }

  // The connection closes after an error answer, but not at once: a client still sending its
  // (refused) body would get a reset before it read the answer, so the rest of its bytes are
  // read and dropped for a while first ("lingering close", as nginx does).
  void reply_error(int status, const std::string& message) {
    lingering_ = true;
    send(ServeApi::error(status, message), 11, false, false);
  }

  void send(HttpResponse r, unsigned version, bool keep_alive, bool head_only) {
    head_.clear();
    if constexpr (kTls) r.headers.emplace_back("Strict-Transport-Security", kHsts);
    append_response_head(head_, r, r.body.size(), version, keep_alive);
    body_ = std::move(r.body);
    if (head_only || !status_has_body(r.status)) body_.clear();
    tcp_stream().expires_after(
        std::chrono::milliseconds(static_cast<long long>(options_.timeout_seconds * 1000)));
    const std::array<asio::const_buffer, 2> buffers = {asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(
        stream_, buffers,
        [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
          if (!ec && self->lingering_) return self->linger();
          if (ec || !keep_alive) return self->close();
          self->trim();
          self->read();
        });
  }

  // After an error answer: no more writes, then up to kLingerBytes or kLingerTime of the
  // client's remaining bytes read and dropped before the socket closes.
  static constexpr std::size_t kLingerBytes = 64 << 20;
  void linger() {
    beast::error_code ec;
    tcp_stream().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    drain_.resize(16 << 10);
    tcp_stream().expires_after(std::chrono::seconds(2));
    keep_draining();
  }
  void keep_draining() {
    stream_.async_read_some(asio::buffer(drain_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ >= kLingerBytes) return self->close();
                              self->keep_draining();
                            });
  }

  // A large request or answer leaves its buffers to the next exchange only up to 16 KB: a
  // connection that once sent a 10,000-applicant batch must not hold megabytes while it idles.
  void trim() {
    constexpr std::size_t kKeep = 16 << 10;
    if (request_.body.capacity() > kKeep) std::string().swap(request_.body);
    if (body_.capacity() > kKeep) std::string().swap(body_);
    if (buffer_.capacity() > kKeep) buffer_.shrink_to_fit();
  }

  void close() {
    beast::error_code ec;
    tcp_stream().socket().shutdown(tcp::socket::shutdown_send, ec);
    tcp_stream().socket().close(ec);
  }

  S stream_;
  beast::flat_buffer buffer_;
  HttpRequest request_;
  std::optional<RequestReader> reader_;
  std::string head_;
  std::string body_;
  bool lingering_ = false;
  std::string drain_;
  std::size_t drained_ = 0;
  const HttpServer::Options& options_;
  const HttpServer::Handler& handler_;
};

}  // namespace

struct HttpServer::Impl {
  using WorkGuard = asio::executor_work_guard<Executor>;
  Options options;
  Handler handler;
  /// One per thread (concurrency hint 1: run by a single thread); the first also accepts.
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<WorkGuard> work;  ///< keeps a thread's run() going while it has no connection.
  std::optional<asio::basic_socket_acceptor<tcp, Executor>> acceptor;
  std::optional<ssl::context> tls;          ///< set when the options name a certificate and key.
  std::optional<asio::signal_set> signals;  ///< lives as long as ios so no handler outlives it.
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
  std::mutex mutex;
  std::condition_variable done;
  std::size_t next = 0;  ///< the io_context of the next connection (round robin).
  std::optional<asio::steady_timer> backoff_timer;  ///< pauses accept when out of descriptors.
  std::chrono::milliseconds backoff{0};
  int port = 0;

  void accept() {
    auto& target = *ios[next++ % ios.size()];
    acceptor->async_accept(target.get_executor(), [this](beast::error_code ec, Socket s) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) {
        backoff = std::chrono::milliseconds(0);
        s.set_option(tcp::no_delay(true), ec);
        if (tls) {
          std::make_shared<Session<TlsStream>>(std::move(s), *tls, options, handler)->run();
        } else {
          std::make_shared<Session<Stream>>(std::move(s), options, handler)->run();
        }
        return accept();
      }
      // Out of file descriptors (or memory): the pending connection stays queued and accept
      // fails again at once, so retrying without a pause spins a core. Back off, doubling from
      // 10 ms to 1 s, until a connection closes and frees a descriptor.
      if (ec == asio::error::no_descriptors || ec.value() == ENFILE ||
          ec == asio::error::no_buffer_space || ec == asio::error::no_memory) {
        backoff =
            std::clamp(backoff * 2, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
        backoff_timer->expires_after(backoff);
        backoff_timer->async_wait([this](beast::error_code e) {
          if (!e) accept();
        });
        return;
      }
      accept();
    });
  }
};

HttpServer::HttpServer(Options options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  const int n = std::max(1, impl_->options.threads);
  for (int i = 0; i < n; ++i) {
    impl_->ios.push_back(std::make_unique<asio::io_context>(1));
    impl_->work.push_back(asio::make_work_guard(impl_->ios.back()->get_executor()));
  }
}

HttpServer::~HttpServer() {
  stop();
}

namespace {

/// The server's TLS context: TLS 1.2 or later, the certificate chain and its private key (PEM).
/// UsageError naming the file and what is wrong with it.
void load_tls(ssl::context& tls, const HttpServer::Options& o) {
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  tls.use_certificate_chain_file(o.tls_cert_file, ec);
  if (ec) {
    throw UsageError("--tls-cert " + o.tls_cert_file +
                     ": cannot read a PEM certificate chain from it (" + ec.message() +
                     "); give the server's certificate, then any intermediates, in PEM");
  }
  tls.use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
  if (ec) {
    throw UsageError("--tls-key " + o.tls_key_file + ": cannot read a PEM private key from it (" +
                     ec.message() + "); give the certificate's unencrypted private key in PEM");
  }
  if (SSL_CTX_check_private_key(tls.native_handle()) != 1) {
    throw UsageError("--tls-key " + o.tls_key_file + " is not the private key of --tls-cert " +
                     o.tls_cert_file + "; give the key the certificate was issued for");
  }
}

}  // namespace

void HttpServer::start() {
  auto& o = impl_->options;
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    throw UsageError(
        "--tls-cert and --tls-key go together: give both (or neither, for plain HTTP)");
  }
  if (!o.tls_cert_file.empty()) load_tls(impl_->tls.emplace(ssl::context::tls_server), o);
  beast::error_code ec;
  const auto address = asio::ip::make_address(o.host, ec);
  if (ec) throw UsageError("--host '" + o.host + "' is not an IP address (e.g. 127.0.0.1)");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(o.port));
  auto& acc = impl_->acceptor.emplace(impl_->ios.front()->get_executor());
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw UsageError("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
                     ec.message() + "; choose another --port or stop the other server");
  }
  impl_->port = acc.local_endpoint().port();
  impl_->backoff_timer.emplace(*impl_->ios.front());
  impl_->accept();
  for (auto& io : impl_->ios) {
    impl_->threads.emplace_back([&io = *io] { io.run(); });
  }
}

int HttpServer::port() const {
  return impl_->port;
}

void HttpServer::wait(bool handle_signals) {
  if (handle_signals && !impl_->signals) {
    impl_->signals.emplace(*impl_->ios.front(), SIGINT, SIGTERM);
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
    asio::post(*impl_->ios.front(), [this] {
      beast::error_code ec;
      impl_->acceptor->close(ec);
    });
  }
  for (auto& io : impl_->ios) io.get()->stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

}  // namespace loanrisk
