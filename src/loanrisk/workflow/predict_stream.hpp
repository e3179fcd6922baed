#pragma once
// Private to the workflow layer: `predict` on a file of any size with bounded memory. The file is
// read in row-aligned chunks (data/csv_ranges.hpp); each chunk is cut into pieces that the usable
// cores parse, transform, score and format at once; the pieces are written in file order while
// the next chunk is read. The output is byte for byte what the in-memory path writes.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/bundle/decision.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/data/csv_ranges.hpp"

namespace loanrisk::predict_detail {

/// The scored file's header line: with `score` for a points scorecard.
std::string_view scored_header(bool points);

/// Appends the scored rows of `frame` (customer_id or line, pd, grade, decision, expected_loss,
/// and the points when given) as predict writes them.
void append_scored_rows(std::string& out, const Frame& frame, const std::vector<double>& pd,
                        const std::vector<int>& points, const DecisionRule& rule);

/// A file written under a temporary name beside its path and renamed onto it by commit(): a
/// command that stops early (a bad row in strict mode, a crash) leaves no partial output. Counts
/// and hashes what it writes.
class PendingFile {
 public:
  /// `hash`: keep a SHA-256 of the bytes (a shard's part; 9% of predict's time otherwise).
  explicit PendingFile(std::filesystem::path path, bool hash = false);
  ~PendingFile();
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;
  void write(std::string_view bytes);
  /// Flushes, renames onto the path; InternalError when the disk is full or the folder is gone.
  void commit();
  std::uintmax_t bytes() const { return bytes_; }
  /// SHA-256 of everything written (once, after commit()).
  std::string sha256() { return hash_.hex_digest(); }

 private:
  std::filesystem::path path_, tmp_;
  std::ofstream out_;
  Sha256 hash_;
  std::uintmax_t bytes_ = 0;
  bool hashing_ = false;
  bool committed_ = false;
};

/// How to stream.
struct StreamOptions {
  bool collect_rejects = false;  ///< false: strict, the first bad row throws InputError.
  bool write_header = true;      ///< the scored file's header line (a shard other than 0: no).
  std::size_t chunk_bytes = 8 << 20;
  int threads = 1;
};

/// What streaming read and wrote.
struct StreamTotals {
  std::size_t rows_read = 0, rows_scored = 0, rows_rejected = 0;
  std::int64_t first_line = 0;  ///< physical line of the first row of the range.
  std::int64_t end_line = 0;    ///< the line after the range's last row.
};

/// Scores the data rows in [begin, end) (cuts of csv_ranges.hpp) into `scored` and, when collecting
/// them, the rows of the rejects file into `rejects` (without its header line). `input`, when
/// given, hashes the bytes read (exactly [begin, end)).
StreamTotals score_stream(const Bundle& bundle, const DecisionRule& rule, const CsvLayout& layout,
                          CsvRowStart begin, std::uintmax_t end, const StreamOptions& options,
                          PendingFile& scored, PendingFile* rejects, Sha256* input);

}  // namespace loanrisk::predict_detail
