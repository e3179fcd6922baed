// `predict verify --out DIR`: a sharded run's parts checked against their manifests and each
// other before anyone loads them.
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <regex>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/workflow/shards.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {
namespace {

template <typename T>
T field(const nlohmann::json& j, const char* key, const std::string& source) {
  const auto it = j.find(key);
  const bool ok =
      it != j.end() && (std::is_same_v<T, std::string> ? it->is_string() : it->is_number_integer());
  if (!ok) {
    throw InputError(fmt::format("{}: field '{}' is missing or not a {}", source, key,
                                 std::is_same_v<T, std::string> ? "string" : "whole number"));
  }
  return it->get<T>();
}

// sha256 of bytes [begin, end) of a file; "" when it cannot be read that far.
std::string range_sha256(const std::filesystem::path& path, std::uintmax_t begin,
                         std::uintmax_t end) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(begin));
  Sha256 hash;
  std::string buf(1 << 20, '\0');
  for (std::uintmax_t left = end - begin; left > 0;) {
    const auto n = static_cast<std::streamsize>(std::min<std::uintmax_t>(left, buf.size()));
    in.read(buf.data(), n);
    if (in.gcount() != n) return "";
    hash.update(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    left -= static_cast<std::uintmax_t>(n);
  }
  return hash.hex_digest();
}

}  // namespace

nlohmann::json ShardManifest::to_json() const {
  return {{"format", "loanrisk-shard/1"},
          {"shard", shard},
          {"shards", shards},
          {"part", part},
          {"part_bytes", part_bytes},
          {"part_sha256", part_sha256},
          {"rows_read", rows_read},
          {"rows_scored", rows_scored},
          {"rows_rejected", rows_rejected},
          {"first_line", first_line},
          {"last_line", end_line - 1},
          {"end_line", end_line},
          {"input",
           {{"path", input},
            {"size", input_size},
            {"mtime_ns", input_mtime_ns},
            {"data_begin", data_begin},
            {"data_end", data_end},
            {"range_begin", range_begin},
            {"range_end", range_end},
            {"range_sha256", range_sha256}}},
          {"bundle", {{"path", bundle}, {"sha256", bundle_sha256}}}};
}

ShardManifest ShardManifest::from_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object() || !j.contains("input") || !j["input"].is_object() || !j.contains("bundle") ||
      !j["bundle"].is_object()) {
    throw InputError(source + ": not a shard manifest (no 'input' and 'bundle' objects)");
  }
  const nlohmann::json& in = j["input"];
  ShardManifest m;
  m.shard = field<std::size_t>(j, "shard", source);
  m.shards = field<std::size_t>(j, "shards", source);
  m.part = field<std::string>(j, "part", source);
  m.part_bytes = field<std::uintmax_t>(j, "part_bytes", source);
  m.part_sha256 = field<std::string>(j, "part_sha256", source);
  m.rows_read = field<std::size_t>(j, "rows_read", source);
  m.rows_scored = field<std::size_t>(j, "rows_scored", source);
  m.rows_rejected = field<std::size_t>(j, "rows_rejected", source);
  m.first_line = field<std::int64_t>(j, "first_line", source);
  m.end_line = field<std::int64_t>(j, "end_line", source);
  m.input = field<std::string>(in, "path", source);
  m.input_size = field<std::uintmax_t>(in, "size", source);
  m.input_mtime_ns = field<std::int64_t>(in, "mtime_ns", source);
  m.data_begin = field<std::uintmax_t>(in, "data_begin", source);
  m.data_end = field<std::uintmax_t>(in, "data_end", source);
  m.range_begin = field<std::uintmax_t>(in, "range_begin", source);
  m.range_end = field<std::uintmax_t>(in, "range_end", source);
  m.range_sha256 = field<std::string>(in, "range_sha256", source);
  m.bundle = field<std::string>(j["bundle"], "path", source);
  m.bundle_sha256 = field<std::string>(j["bundle"], "sha256", source);
  return m;
}

ShardCheck verify_shards(const std::filesystem::path& dir,
                         const std::optional<std::filesystem::path>& data) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw InputError(dir.string() +
                     ": no such folder. Fix: give the --out folder of the "
                     "sharded run (predict --shard I/N --out DIR)");
  }
  // Every manifest by shard count, then index.
  static const std::regex kName(R"(part-(\d{5})-of-(\d{5})\.json)");
  std::map<std::size_t, std::map<std::size_t, std::filesystem::path>> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    std::smatch m;
    if (std::regex_match(name, m, kName)) {
      found[std::stoul(m[2].str())][std::stoul(m[1].str())] = entry.path();
    }
  }
  if (found.empty()) {
    throw InputError(dir.string() +
                     ": no part manifest (part-NNNNN-of-NNNNN.json). Fix: run "
                     "the shards with --out " +
                     dir.string());
  }
  if (found.size() > 1) {
    std::string counts;
    for (const auto& [n, parts] : found) counts += (counts.empty() ? "" : ", ") + std::to_string(n);
    throw InputError(dir.string() + ": parts of runs with different shard counts (" + counts +
                     "). Fix: score into an empty folder");
  }
  const std::size_t n = found.begin()->first;
  const auto& parts = found.begin()->second;
  std::vector<std::string> problems;
  std::vector<std::optional<ShardManifest>> manifests(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string name = shard_name(i, n);
    const std::string rerun = fmt::format(". Fix: rerun that shard (--shard {}/{})", i, n);
    if (!parts.contains(i)) {
      problems.push_back(fmt::format("part {} of {} is missing ({}.json){}", i, n, name, rerun));
      continue;
    }
    const std::string source = parts.at(i).string();
    try {
      ShardManifest m = ShardManifest::from_json(read_json_file(parts.at(i)), source);
      if (m.shard != i || m.shards != n || m.part != name + ".csv") {
        throw InputError(source + ": says it is " + m.part + " (shard " + std::to_string(m.shard) +
                         " of " + std::to_string(m.shards) + ")");
      }
      const std::filesystem::path part = dir / m.part;
      const std::uintmax_t bytes = std::filesystem::file_size(part, ec);
      if (ec) throw InputError(part.string() + " is missing");
      if (bytes != m.part_bytes || sha256_file(part) != m.part_sha256) {
        throw InputError(part.string() + " does not match its manifest (changed or truncated)");
      }
      if (m.rows_scored + m.rows_rejected != m.rows_read) {
        throw InputError(source + ": rows scored and rejected do not add up to the rows read");
      }
      manifests[i] = std::move(m);
    } catch (const InputError& e) {
      // A tampered manifest's bytes may be anything: quoted as valid UTF-8.
      problems.push_back(
          fmt::format("part {} of {} is corrupt: {}{}", i, n, echo_text(e.what(), 400), rerun));
    }
  }
  ShardCheck check;
  check.parts = n;
  const ShardManifest* prev = nullptr;
  for (std::size_t i = 0; i < n; ++i) {
    if (!manifests[i]) {
      prev = nullptr;
      continue;
    }
    const ShardManifest& m = *manifests[i];
    check.rows_read += m.rows_read;
    check.rows_scored += m.rows_scored;
    check.rows_rejected += m.rows_rejected;
    const ShardManifest* first = nullptr;
    for (const auto& other : manifests) {
      if (other && !first) first = &*other;
    }
    if (m.bundle_sha256 != first->bundle_sha256) {
      problems.push_back(
          fmt::format("part {} was scored with another bundle ({}) than part {} "
                      "({}). Fix: rerun it with the same --model",
                      i, m.bundle, first->shard, first->bundle));
    }
    if (m.input != first->input || m.input_size != first->input_size ||
        m.input_mtime_ns != first->input_mtime_ns || m.data_begin != first->data_begin ||
        m.data_end != first->data_end) {
      problems.push_back(
          fmt::format("part {} scored another input ({}, {} bytes) than part {}. "
                      "Fix: rerun it on the same --data, unchanged",
                      i, m.input, m.input_size, first->shard));
    }
    const bool starts =
        i == 0 ? m.range_begin == m.data_begin
               : !prev || (m.range_begin == prev->range_end && m.first_line == prev->end_line);
    const bool ends = i + 1 < n || m.range_end == m.data_end;
    if (!starts || !ends) {
      problems.push_back(
          fmt::format("part {} covers bytes [{}, {}), which does not join its "
                      "neighbours to cover the data rows [{}, {})",
                      i, m.range_begin, m.range_end, m.data_begin, m.data_end));
    }
    if (data && problems.empty()) {
      if (std::filesystem::file_size(*data, ec) != m.input_size ||
          mtime_ns(*data) != m.input_mtime_ns ||
          range_sha256(*data, m.range_begin, m.range_end) != m.range_sha256) {
        problems.push_back(
            fmt::format("{} is not the file part {} scored (size, time or its "
                        "bytes [{}, {}) differ). Fix: rescore it",
                        data->string(), i, m.range_begin, m.range_end));
      }
    }
    check.bundle_sha256 = m.bundle_sha256;
    check.input = m.input;
    prev = &m;
  }
  if (!problems.empty()) {
    std::string message =
        fmt::format("{}: {} parts, {} problems:", dir.string(), n, problems.size());
    for (const std::string& p : problems) message += "\n  " + p;
    throw InputError(message);
  }
  return check;
}

}  // namespace loanrisk
