#include "loanrisk/serve/request_reader.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>

namespace loanrisk {
namespace http = boost::beast::http;

RequestReader::RequestReader(HttpRequest& out) : out_(out) {
  out_.method.clear();
  out_.target.clear();
  out_.content_type.clear();
  out_.authorization.clear();
  out_.if_none_match.clear();
  out_.cookie.clear();
  out_.csrf_token.clear();
  out_.accept_encoding.clear();
  out_.body.clear();
}

void RequestReader::on_request_impl(http::verb, string_view method, string_view target, int version,
                                    error_code&) {
  out_.method.assign(method.data(), method.size());
  out_.target.assign(target.data(), target.size());
  version_ = static_cast<unsigned>(version);
}

void RequestReader::on_field_impl(http::field name, string_view text, string_view value,
                                  error_code&) {
  // The first of repeated headers counts, as with Beast's fields container.
  const auto keep = [&](std::string& field, unsigned bit) {
    if (seen_ & bit) return;
    seen_ |= bit;
    field.assign(value.data(), value.size());
  };
  if (name == http::field::content_type) keep(out_.content_type, 1);
  if (name == http::field::authorization) keep(out_.authorization, 2);
  if (name == http::field::if_none_match) keep(out_.if_none_match, 4);
  if (name == http::field::cookie) keep(out_.cookie, 8);
  if (name == http::field::accept_encoding) keep(out_.accept_encoding, 32);
  if (name == http::field::unknown && boost::beast::iequals(text, "X-CSRF-Token")) {
    keep(out_.csrf_token, 16);
  }
}

void RequestReader::on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) {
  // The parser has already refused a declared length over the body limit.
  if (length) out_.body.reserve(static_cast<std::size_t>(*length));
}

std::size_t RequestReader::on_body_impl(string_view body, error_code&) {
  out_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestReader::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  out_.body.append(body.data(), body.size());
  return body.size();
}

}  // namespace loanrisk
