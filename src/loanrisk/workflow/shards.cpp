// `predict --shard I/N`: one of N processes (a Kubernetes Indexed Job's pods) scoring one large
// file, each the rows that start in its byte range, into a part file and the part's manifest.
#include <fmt/format.h>
#include <sys/stat.h>

#include <charconv>
#include <optional>

#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/data/csv_ranges.hpp"
#include "loanrisk/workflow/predict_stream.hpp"
#include "loanrisk/workflow/shards.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {
namespace {

constexpr std::size_t kMaxShards = 100000;

[[noreturn]] void bad_shard(std::string_view text, const std::string& why) {
  throw UsageError(fmt::format(
      "--shard '{}': {}. Fix: give --shard I/N with 0 <= I < N <= {}, e.g. --shard 0/4 (in a "
      "Kubernetes Indexed Job: --shard $(JOB_COMPLETION_INDEX)/N)",
      echo_text(text, 40), why, kMaxShards));
}

std::size_t shard_number(std::string_view text, std::string_view part, const char* what) {
  std::size_t value = 0;
  const auto r = std::from_chars(part.data(), part.data() + part.size(), value);
  if (part.empty() || r.ec != std::errc() || r.ptr != part.data() + part.size()) {
    bad_shard(text, fmt::format("the {} '{}' is not a whole number", what, echo_text(part, 20)));
  }
  return value;
}

// The byte where range i of n begins, in the data's [begin, end).
std::uintmax_t range_start(const CsvLayout& layout, std::size_t i, std::size_t n) {
  // floor(size * i / n) without overflow: size = q * n + r.
  const std::uintmax_t size = layout.content_end - layout.data_begin;
  return layout.data_begin + size / n * i + size % n * i / n;
}

}  // namespace

PredictRequest::Shard parse_shard(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) bad_shard(text, "it is not of the form I/N");
  PredictRequest::Shard shard;
  shard.index = shard_number(text, text.substr(0, slash), "index");
  shard.count = shard_number(text, text.substr(slash + 1), "shard count");
  if (shard.count == 0 || shard.count > kMaxShards) {
    bad_shard(text, fmt::format("the shard count must be 1 to {}", kMaxShards));
  }
  if (shard.index >= shard.count) {
    bad_shard(text, fmt::format("the index must be below the shard count (0 to {} for {} shards)",
                                shard.count - 1, shard.count));
  }
  return shard;
}

std::string shard_name(std::size_t index, std::size_t count) {
  return fmt::format("part-{:05}-of-{:05}", index, count);
}

std::int64_t mtime_ns(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

PredictOutcome predict_shard(const PredictRequest& req, const Bundle& bundle) {
  using namespace predict_detail;
  const auto [index, count] = *req.shard;
  const CsvLayout layout = read_csv_layout(req.data, req.chunk_bytes);
  if (!layout.streamable) {
    // read_csv's own message for a missing, empty or header-only file.
    ReadOptions options;
    options.require_target = false;
    options.collect_rejects = true;
    (void)read_csv(req.data, bundle.schema, options);
    throw InputError(req.data.string() +
                     ": the file cannot be cut into shards: no line feed within its first " +
                     std::to_string(req.chunk_bytes >> 20) +
                     " MiB (classic Mac line endings, or a header that long). Fix: convert the "
                     "line endings (tr '\\r' '\\n') or score it without --shard");
  }
  const CsvRowStart begin = csv_row_start_at(layout, range_start(layout, index, count));
  const std::uintmax_t end =
      index + 1 == count ? layout.content_end
                         : csv_row_start_at(layout, range_start(layout, index + 1, count)).offset;
  std::filesystem::create_directories(req.out);
  const std::string name = shard_name(index, count);
  PendingFile scored(req.out / (name + ".csv"), true);
  std::optional<PendingFile> rejects;
  if (req.rejects) {
    std::filesystem::create_directories(*req.rejects);
    rejects.emplace(*req.rejects / ("rejects-" + name + ".csv"));
    rejects->write(kRejectsHeader);
  }
  StreamOptions options;
  options.collect_rejects = req.rejects.has_value();
  options.write_header = index == 0;
  options.chunk_bytes = req.chunk_bytes;
  options.threads = req.threads > 0 ? req.threads : thread_budget().threads;
  Sha256 input_hash;
  const StreamTotals totals =
      score_stream(bundle, DecisionRule(req.policy, bundle.threshold, bundle.schema), layout, begin,
                   end, options, scored, rejects ? &*rejects : nullptr, &input_hash);
  if (rejects) rejects->commit();
  scored.commit();

  ShardManifest m;
  m.shard = index;
  m.shards = count;
  m.part = name + ".csv";
  m.part_bytes = scored.bytes();
  m.part_sha256 = scored.sha256();
  m.rows_read = totals.rows_read;
  m.rows_scored = totals.rows_scored;
  m.rows_rejected = totals.rows_rejected;
  m.first_line = totals.first_line;
  m.end_line = totals.end_line;
  m.input = std::filesystem::absolute(req.data).string();
  m.input_size = layout.size;
  m.input_mtime_ns = mtime_ns(req.data);
  m.data_begin = layout.data_begin;
  m.data_end = layout.content_end;
  m.range_begin = begin.offset;
  m.range_end = end;
  m.range_sha256 = input_hash.hex_digest();
  m.bundle = std::filesystem::absolute(req.model).string();
  m.bundle_sha256 = sha256_tree(req.model);
  // The manifest last: a part file without one is an unfinished shard, which verify reports.
  write_json_file(req.out / (name + ".json"), m.to_json());

  PredictOutcome o;
  o.rows_read = totals.rows_read;
  o.rows_scored = totals.rows_scored;
  o.rows_rejected = totals.rows_rejected;
  return o;
}

}  // namespace loanrisk
