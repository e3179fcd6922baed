// Lookup of the embedded web app's files and their content types.
#include <algorithm>
#include <cctype>
#include <optional>

#include "loanrisk/serve/web_assets.hpp"

namespace loanrisk {

const WebAsset* find_web_asset(std::string_view path) {
  const auto assets = web_assets();
  const auto it =
      std::find_if(assets.begin(), assets.end(), [&](const WebAsset& a) { return a.path == path; });
  return it == assets.end() ? nullptr : &*it;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

/// The q of one coding's parameters ("q=0.5"); 1 when absent, 0 when malformed (not acceptable).
double quality(std::string_view params) {
  while (!params.empty()) {
    const auto semi = params.find(';');
    const std::string_view p = trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      const std::string_view v = p.substr(2);
      // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ): zero unless a digit is not 0.
      if (v.empty() || v.size() > 5) return 0;
      return std::any_of(v.begin(), v.end(), [](char c) { return c >= '1' && c <= '9'; }) ? 1 : 0;
    }
  }
  return 1;
}

}  // namespace

bool accepts_gzip(std::string_view header) {
  bool star = false;
  std::optional<bool> gzip_listed;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const auto semi = item.find(';');
    const std::string_view coding = trim(item.substr(0, semi));
    const double q = semi == std::string_view::npos ? 1 : quality(item.substr(semi + 1));
    if (iequal(coding, "gzip") || iequal(coding, "x-gzip")) {
      gzip_listed = q > 0;
    } else if (coding == "*") {
      star = q > 0;
    }
  }
  return gzip_listed ? *gzip_listed : star;
}

std::string_view content_type_of(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot);
  if (path == "/" || ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json") return "application/json";
  return "application/octet-stream";
}

}  // namespace loanrisk
