// A run's artifact folder, read from a URL: checked paths confined to the folder, the listing, the
// types files are served with, and the tar archive of a folder (the model bundle's download).
#include "loanrisk/serve/run_artifacts.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>

#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/http_error.hpp"

namespace loanrisk {
namespace fs = std::filesystem;

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

[[noreturn]] void bad_path(std::string_view raw, const std::string& rule) {
  throw HttpError(400, "bad artifact path '" + echo_text(raw) + "': " + rule +
                           "; ask for a path the run's artifact list shows");
}

/// True when path is root or below it (both canonical), compared segment by segment.
bool inside(const fs::path& root, const fs::path& path) {
  auto r = root.begin(), p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

/// Calls visit(relative, real path, is_folder) for every folder and regular file under root,
/// following a link only while its target stays under root (canonical_root). A link to a folder is
/// listed as a file would be, never descended (no loops).
void walk(const fs::path& root, const fs::path& canonical_root,
          const std::function<void(const std::string&, const fs::path&, bool)>& visit) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& e = *it;
    const std::string relative = e.path().lexically_relative(root).generic_string();
    std::error_code link_ec;
    if (e.is_symlink(link_ec)) {
      const fs::path target = fs::canonical(e.path(), link_ec);
      if (!link_ec && inside(canonical_root, target) && fs::is_regular_file(target, link_ec)) {
        visit(relative, target, false);
      }
      continue;
    }
    if (e.is_directory(link_ec)) {
      visit(relative, e.path(), true);
    } else if (e.is_regular_file(link_ec)) {
      visit(relative, e.path(), false);
    }
  }
}

// ustar header fields (POSIX.1-1988): offset and width.
void put_text(std::string& block, std::size_t at, std::size_t width, std::string_view text) {
  std::memcpy(block.data() + at, text.data(), std::min(width, text.size()));
}
void put_octal(std::string& block, std::size_t at, std::size_t width, std::uintmax_t value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*jo", static_cast<int>(width - 1), value);
  put_text(block, at, width - 1, buf);  // the last byte stays NUL
}

/// A 512-byte ustar header; HttpError 500 when the name cannot be stored (over 255 bytes).
std::string tar_header(const std::string& name, bool folder, std::uintmax_t size,
                       std::int64_t mtime) {
  std::string block(512, '\0');
  std::string prefix, base = name;
  if (name.size() > 100) {  // split at a '/' into prefix (155) and name (100)
    const auto slash = name.find('/', name.size() - 101);
    if (slash == std::string::npos || slash > 155 || slash == 0 || slash + 1 == name.size()) {
      throw HttpError(500, "the artifact path '" + echo_text(name) +
                               "' is too long for a tar archive (100 bytes after the last "
                               "folder, 255 in all)");
    }
    prefix = name.substr(0, slash);
    base = name.substr(slash + 1);
  }
  put_text(block, 0, 100, base);
  put_octal(block, 100, 8, folder ? 0755 : 0644);
  put_octal(block, 108, 8, 0);
  put_octal(block, 116, 8, 0);
  put_octal(block, 124, 12, size);
  put_octal(block, 136, 12, static_cast<std::uintmax_t>(std::max<std::int64_t>(mtime, 0)));
  block[156] = folder ? '5' : '0';
  put_text(block, 257, 6, std::string_view("ustar\0", 6));
  put_text(block, 263, 2, "00");
  put_text(block, 345, 155, prefix);
  // The checksum: the sum of the header's bytes with the checksum field as eight spaces.
  std::memset(block.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : block) sum += c;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06o", sum);
  std::memcpy(block.data() + 148, buf, 7);  // six digits, NUL, and the space stays
  return block;
}

std::int64_t mtime_of(const fs::path& p) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  if (ec) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::file_clock::to_sys(t).time_since_epoch())
      .count();
}

}  // namespace

std::string artifact_relative_path(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out += raw[i];
      continue;
    }
    const int hi = i + 2 < raw.size() ? hex_digit(raw[i + 1]) : -1;
    const int lo = i + 2 < raw.size() ? hex_digit(raw[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      bad_path(raw, "'%' must start an escape of two hex digits (%20 for a space)");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (out.empty()) bad_path(raw, "the path is empty");
  if (std::any_of(out.begin(), out.end(), [](char c) { return c == '\0'; })) {
    bad_path(raw, "it holds a NUL byte");
  }
  if (std::any_of(out.begin(), out.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    bad_path(raw, "it holds a control character");
  }
  if (!is_valid_utf8(out)) bad_path(raw, "it is not valid UTF-8");
  if (out.front() == '/') bad_path(raw, "an absolute path is never served");
  if (out.find('\\') != std::string::npos) bad_path(raw, "'\\' is not a folder separator here");
  std::size_t start = 0;
  while (true) {
    const auto slash = out.find('/', start);
    const std::string_view seg =
        std::string_view(out).substr(start, slash == std::string::npos ? slash : slash - start);
    if (seg.empty()) bad_path(raw, "it has an empty segment ('//' or a trailing '/')");
    if (seg == "." || seg == "..") {
      bad_path(raw, "'.' and '..' segments are refused: a path stays inside the run's folder");
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

fs::path confined_artifact(const fs::path& root, const std::string& relative) {
  const std::string shown = "'" + echo_text(relative) + "'";
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) {
    throw HttpError(
        404, "no artifact " + shown + ": this run's artifact folder is missing on the server");
  }
  const fs::path file = fs::canonical(root / relative, ec);
  if (ec) {
    throw HttpError(404, "no artifact " + shown + " in this run; its artifact list shows them");
  }
  if (!inside(canonical_root, file)) {
    throw HttpError(404, "artifact " + shown +
                             " leads out of the run's artifact folder (a symbolic link): it is "
                             "not served");
  }
  if (fs::is_directory(file, ec)) {
    throw HttpError(404, "artifact " + shown +
                             " is a folder: the run's artifact list shows its files (and the "
                             "bundle downloads as one archive)");
  }
  if (!fs::is_regular_file(file, ec)) {
    throw HttpError(404, "artifact " + shown + " is not a regular file: it is not served");
  }
  return file;
}

std::vector<ArtifactEntry> list_artifacts(const fs::path& root, std::size_t limit,
                                          bool& truncated) {
  truncated = false;
  std::vector<ArtifactEntry> out;
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return out;
  walk(root, canonical_root, [&](const std::string& relative, const fs::path& real, bool folder) {
    if (folder) return;
    std::error_code size_ec;
    const std::uintmax_t bytes = fs::file_size(real, size_ec);
    out.push_back({relative, size_ec ? 0 : bytes});
  });
  std::sort(out.begin(), out.end(),
            [](const ArtifactEntry& a, const ArtifactEntry& b) { return a.path < b.path; });
  if (out.size() > limit) {
    out.resize(limit);
    truncated = true;
  }
  return out;
}

std::string_view artifact_inline_type(std::string_view name) {
  const auto dot = name.rfind('.');
  std::string ext(dot == std::string_view::npos ? "" : name.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "html" || ext == "htm") return "text/html; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "md" || ext == "txt" || ext == "csv" || ext == "log" || ext == "yaml" ||
      ext == "yml") {
    return "text/plain; charset=utf-8";
  }
  return "";
}

std::string attachment_disposition(std::string_view name) {
  std::string safe;
  for (char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
    safe += keep ? c : '_';
  }
  while (!safe.empty() && safe.front() == '.') safe.erase(0, 1);
  if (safe.empty()) safe = "artifact";
  if (safe.size() > 120) safe.erase(0, safe.size() - 120);  // keep the extension
  return "attachment; filename=\"" + safe + "\"";
}

std::string tar_folder(const fs::path& folder, const std::string& prefix,
                       std::uintmax_t max_bytes) {
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(folder, ec);
  if (ec || !fs::is_directory(canonical_root, ec)) {
    throw HttpError(
        404, "the folder '" + echo_text(folder.filename().string()) + "' is missing on the server");
  }
  struct Item {
    std::string name;
    fs::path real;
    bool folder;
  };
  std::vector<Item> items;
  std::uintmax_t total = 0;
  walk(folder, canonical_root, [&](const std::string& relative, const fs::path& real, bool dir) {
    if (!dir) {
      std::error_code size_ec;
      total += fs::file_size(real, size_ec);
    }
    items.push_back({prefix + "/" + relative + (dir ? "/" : ""), real, dir});
  });
  if (total > max_bytes) {
    throw HttpError(413, "the folder '" + echo_text(folder.filename().string()) + "' holds " +
                             std::to_string(total >> 20) + " MiB, more than the " +
                             std::to_string(max_bytes >> 20) +
                             " MiB the server sends in one answer; copy it from the store instead");
  }
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.name < b.name; });
  std::string out = tar_header(prefix + "/", true, 0, mtime_of(folder));
  for (const Item& item : items) {
    if (item.folder) {
      out += tar_header(item.name, true, 0, mtime_of(item.real));
      continue;
    }
    const std::string body = read_file(item.real);
    out += tar_header(item.name, false, body.size(), mtime_of(item.real));
    out += body;
    out.append((512 - body.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');  // two zero blocks end the archive
  return out;
}

HttpResponse stored_file_response(std::string body, std::string_view content_type,
                                  std::string_view download_name, bool download) {
  HttpResponse r;
  r.body = std::move(body);
  r.headers = {{"Content-Security-Policy",
                "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                "frame-ancestors 'self'"},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"},
               {"Cache-Control", "private, no-cache"}};
  if (download || content_type.empty()) {
    r.content_type = "application/octet-stream";
    r.headers.emplace_back("Content-Disposition", attachment_disposition(download_name));
  } else {
    r.content_type = content_type;
  }
  return r;
}

}  // namespace loanrisk
