// The server's request reader (serve/request_reader.hpp) fed bytes as a connection delivers them:
// in pieces, through Beast's parser put(), one request after another while keep-alive, then the
// end of the stream. Contract: a malformed request is an error code (400 or 413), never an
// exception. Property: a request read whole never carries a body over the limit.
#include <algorithm>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "fuzz_support.hpp"
#include "loanrisk/serve/request_reader.hpp"

using namespace loanrisk;
using fuzz::finding;
namespace http = boost::beast::http;

namespace {

// Small, so that inputs of a few hundred bytes reach the 413 path (the server's is 8 MB).
constexpr std::uint64_t kBodyLimit = 512;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest = fuzz::text_of(data, size);
  // How many bytes each read from the socket brings: one at a time, a few, or all at once; the
  // input's length picks, so that mutations explore every split.
  const std::size_t step = size % 3 == 0 ? 1 : size % 3 == 1 ? 7 : std::max<std::size_t>(size, 1);
  HttpRequest request;
  fuzz::within_contract<>("RequestReader", [&] {
    for (int requests = 0; requests < 16; ++requests) {
      RequestReader reader(request);  // the session makes a new reader per request, as here
      reader.body_limit(kBodyLimit);
      reader.eager(true);  // as http::async_read sets it
      std::size_t available = std::min(rest.size(), step);
      boost::beast::error_code ec;
      while (!reader.is_done()) {
        const std::size_t used = reader.put(boost::asio::buffer(rest.data(), available), ec);
        rest.remove_prefix(used);
        available -= used;
        if (ec == http::error::need_more || (!ec && used == 0)) {
          ec = {};
          if (available == rest.size()) {  // nothing more will come: the client closed
            // As http::read: a close before any byte of a request is the end of the stream.
            if (!reader.got_some()) return;
            reader.put_eof(ec);
            break;
          }
          available = std::min(rest.size(), available + step);
          continue;
        }
        if (ec) return;  // answered 400 or 413, then the connection closes
      }
      if (ec || !reader.is_done()) return;
      if (request.body.size() > kBodyLimit) {
        finding("a request was read with a body of " + std::to_string(request.body.size()) +
                " bytes, over the limit of " + std::to_string(kBodyLimit));
      }
      if (request.method.empty()) finding("a request was read without a method");
      if (!reader.keep_alive() || rest.empty()) return;
    }
  });
  return 0;
}
