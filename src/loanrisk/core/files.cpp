#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"

namespace loanrisk {

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError("'" + path.string() + "' is a directory, not a file: give the path of a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError("cannot open '" + path.string() + "': " + std::strerror(errno) +
                     "; check the path and its permissions");
  }
  // One sized read: a stringstream copy doubles the cost on large CSVs.
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  in.seekg(0, std::ios::beg);
  std::string text(size > 0 ? static_cast<std::size_t>(size) : 0, '\0');
  if (!text.empty() && !in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
    throw InputError("reading '" + path.string() + "' failed: " + std::strerror(errno));
  }
  return text;
}

void write_file_atomic(const std::filesystem::path& path, std::string_view contents) {
  const auto tmp = path.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw InternalError("cannot write '" + tmp + "': " + std::strerror(errno) +
                          "; check that the folder exists and is writable");
    }
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp);
      throw InternalError("writing '" + path.string() + "' failed (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    throw InternalError("cannot move '" + tmp + "' to '" + path.string() + "': " + ec.message());
  }
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  return parse_json_text(read_file(path), path.string());
}

nlohmann::json parse_json_text(std::string_view text, const std::string& source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e400
    throw InputError("'" + source + "' is not valid JSON (" + e.what() +
                     "); restore it from its source or regenerate it");
  }
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& value) {
  write_file_atomic(path, dump_json(value, 2) + "\n");
}

}  // namespace loanrisk
