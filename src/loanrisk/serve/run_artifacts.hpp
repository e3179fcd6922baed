#pragma once
// A run's artifact folder as the web app reads it: a path from a URL checked and confined to the
// folder (no "..", no absolute path, no NUL or control byte, valid UTF-8, no symbolic link out),
// the folder's files listed, the type a file is served with, a download's file name, and a folder
// packed as a tar archive in memory within a size bound, and the answer that carries a stored
// document (sandboxed, never run as the app's own page).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "loanrisk/serve/routes.hpp"

namespace loanrisk {

/// Files larger than this are not sent through the server (a bundle is a few MB at most).
inline constexpr std::uintmax_t kMaxArtifactBytes = 64u << 20;
/// The listing stops after this many files.
inline constexpr std::size_t kMaxArtifactsListed = 2000;

/// The relative path a URL's {path...} names: percent-decoded ("%20" is a space, '+' stays '+'),
/// then refused with HttpError 400 naming the rule when it is empty, absolute, has an empty, "."
/// or ".." segment, a malformed %-escape, NUL or another control byte, a backslash, or bytes that
/// are not UTF-8.
std::string artifact_relative_path(std::string_view raw);

/// The file root/relative leads to, with every symbolic link resolved, for reading. HttpError 404
/// when nothing is there, when the path leads out of root (a link out of the folder) or to
/// something other than a regular file (a folder: the message says to list it instead).
std::filesystem::path confined_artifact(const std::filesystem::path& root,
                                        const std::string& relative);

/// One file of a run's artifacts.
struct ArtifactEntry {
  std::string path;  ///< relative to the artifact folder, '/'-separated.
  std::uintmax_t bytes = 0;
};

/// The regular files under root (links followed only while they stay inside root), sorted by
/// path, at most limit of them; truncated is set when there were more. An absent root lists
/// nothing.
std::vector<ArtifactEntry> list_artifacts(const std::filesystem::path& root, std::size_t limit,
                                          bool& truncated);

/// The Content-Type a file is shown with: HTML, JSON and plain text (md, txt, csv, log, yaml)
/// inline; "" for everything else, which is only ever sent as a download.
std::string_view artifact_inline_type(std::string_view file_name);

/// A Content-Disposition value that makes the browser save the file as name: "attachment;
/// filename=..." with only letters, digits, '.', '-' and '_' kept (others become '_'), never empty
/// and never starting with '.'.
std::string attachment_disposition(std::string_view name);

/// The files under folder as a POSIX ustar archive, each under prefix/ (prefix/ itself and its
/// sub-folders as folder entries), sorted by path, links out of folder skipped. HttpError 413 when
/// the files add up to more than max_bytes; HttpError 404 when folder is not a folder.
std::string tar_folder(const std::filesystem::path& folder, const std::string& prefix,
                       std::uintmax_t max_bytes);

/// The answer for a stored file (an artifact, a report): its bytes with content_type, or as a
/// download (application/octet-stream, attachment as download_name) when download is set or the
/// type is empty. Whatever it is, the browser runs it in a sandbox with no script, no request
/// out and no access to the app's origin (Content-Security-Policy: sandbox), never sniffs another
/// type, and only the app itself may frame it.
HttpResponse stored_file_response(std::string body, std::string_view content_type,
                                  std::string_view download_name, bool download);

}  // namespace loanrisk
