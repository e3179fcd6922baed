#pragma once
// File helpers shared by every layer that writes artifacts: whole-file reads with clear errors and
// atomic writes (temp file + rename), so a crash never leaves a half-written artifact.
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk {

/// Reads a whole file; InputError naming the path when it is missing or unreadable.
std::string read_file(const std::filesystem::path& path);
/// Writes a file atomically (temp file in the same folder, then rename); InternalError on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view contents);
/// Parses a JSON file; InputError with the path and the parser's position on bad JSON.
nlohmann::json read_json_file(const std::filesystem::path& path);
/// The same from text; source names it in the message. A number no double holds (1e400) is bad
/// JSON too: nlohmann reports it as out_of_range, not as a parse error.
nlohmann::json parse_json_text(std::string_view text, const std::string& source);
/// Writes pretty-printed JSON atomically.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& value);

}  // namespace loanrisk
