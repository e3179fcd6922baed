#pragma once
// The web app's files, embedded into the binary by the build (cmake/EmbedWeb.cmake), so the server
// needs no files on disk and no network to serve the app.
#include <span>
#include <string_view>

namespace loanrisk {

/// One embedded file.
struct WebAsset {
  std::string_view path;    ///< URL path: "/" for index.html, "/app/..." for the rest.
  std::string_view body;    ///< the file's bytes.
  std::string_view gzip;    ///< the same, gzipped; empty when gzip would not save a tenth.
  std::string_view sha256;  ///< hex digest, used as the ETag.
};

/// Every embedded file (generated at build time).
std::span<const WebAsset> web_assets();

/// The asset served at a URL path, or null.
const WebAsset* find_web_asset(std::string_view path);

/// Whether an Accept-Encoding header accepts gzip: "gzip" or "*" listed without q=0 (RFC 9110
/// 12.5.3; "identity" is always acceptable, so refusing gzip is the only question).
bool accepts_gzip(std::string_view accept_encoding);

/// The Content-Type of a path by its extension (application/octet-stream when unknown).
std::string_view content_type_of(std::string_view path);

}  // namespace loanrisk
