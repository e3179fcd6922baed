// predict's streaming path (predict_stream.hpp): chunks read ahead on one thread, their pieces
// parsed, scored and formatted on the usable cores, written in file order.
#include "loanrisk/workflow/predict_stream.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <future>

#include "loanrisk/core/error.hpp"
#include "loanrisk/data/csv_reader.hpp"

namespace loanrisk::predict_detail {
namespace {

// The shortest text that reads back as v, as format_double writes it, without a temporary.
void append_double(std::string& out, double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// One piece of a chunk, parsed, scored and formatted by one thread.
struct Piece {
  std::string scored, rejects;
  std::size_t read = 0, rows = 0, rejected = 0;
  std::exception_ptr error;
};

void score_piece(const Bundle& bundle, const DecisionRule& rule, const CsvLayout& layout,
                 std::string_view text, std::int64_t line, const ReadOptions& options,
                 Piece& piece) {
  const ReadResult read = parse_csv_rows(layout, text, line, bundle.schema, options);
  piece.read = read.rows_read;
  piece.rejected = read.rejects.size();
  append_reject_rows(piece.rejects, read.rejects);
  if (read.frame.rows() == 0) return;
  const DenseMatrix X = bundle.pipeline.transform(read.frame);
  const std::vector<double> pd = bundle.predict_transformed(X);
  const std::vector<int> points = bundle.model->points(X);
  piece.rows = pd.size();
  piece.scored.reserve(pd.size() * 48);
  append_scored_rows(piece.scored, read.frame, pd, points, rule);
}

}  // namespace

std::string_view scored_header(bool points) {
  return points ? "customer_id,pd,grade,decision,expected_loss,score\n"
                : "customer_id,pd,grade,decision,expected_loss\n";
}

void append_scored_rows(std::string& out, const Frame& frame, const std::vector<double>& pd,
                        const std::vector<int>& points, const DecisionRule& rule) {
  const bool has_ids = !frame.ids.empty();
  for (std::size_t i = 0; i < pd.size(); ++i) {
    const Decision d = rule.decide(pd[i], frame, i);
    // Ids come from quoted fields too ("A,1"): written back quoted, or the row gains a column.
    if (has_ids) {
      append_csv_field(out, frame.ids[i]);
    } else {
      out += std::to_string(frame.lines[i]);
    }
    out += ',';
    append_double(out, pd[i]);
    out += ',';
    append_csv_field(out, d.grade->name);
    out += ',';
    out += d.decision_text();
    out += ',';
    if (d.expected_loss) append_double(out, *d.expected_loss);
    if (!points.empty()) out.append(1, ',').append(std::to_string(points[i]));
    out += '\n';
  }
}

PendingFile::PendingFile(std::filesystem::path path, bool hash)
    : path_(std::move(path)),
      tmp_(path_.string() + ".tmp." + std::to_string(::getpid())),
      out_(tmp_, std::ios::binary | std::ios::trunc),
      hashing_(hash) {
  if (!out_) {
    throw UsageError("cannot write '" + tmp_.string() + "': " + std::strerror(errno) +
                     ". Fix: check that the folder exists and is writable");
  }
}

PendingFile::~PendingFile() {
  if (committed_) return;
  out_.close();
  std::error_code ec;
  std::filesystem::remove(tmp_, ec);
}

void PendingFile::write(std::string_view bytes) {
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (hashing_) hash_.update(bytes);
  bytes_ += bytes.size();
}

void PendingFile::commit() {
  out_.flush();
  if (!out_) throw InternalError("writing '" + path_.string() + "' failed (disk full?)");
  out_.close();
  std::error_code ec;
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) {
    throw InternalError("cannot move '" + tmp_.string() + "' to '" + path_.string() +
                        "': " + ec.message());
  }
  committed_ = true;
}

StreamTotals score_stream(const Bundle& bundle, const DecisionRule& rule, const CsvLayout& layout,
                          CsvRowStart begin, std::uintmax_t end, const StreamOptions& options,
                          PendingFile& scored, PendingFile* rejects, Sha256* input) {
  ReadOptions read_options;
  read_options.require_target = false;
  read_options.collect_rejects = options.collect_rejects;
  StreamTotals totals;
  totals.first_line = totals.end_line = begin.line;
  // The header goes above the first scored rows, or alone at the end when no row was scored, as
  // the in-memory path writes it; a scorecard's names its score column either way.
  bool header_due = options.write_header;
  const std::string_view header = scored_header(bundle.model->has_points());
  CsvRangeReader reader(layout, begin, end, options.chunk_bytes);
  const int threads = std::max(options.threads, 1);
  // Several pieces per thread: rows differ in cost (rejects, quoted ids), a thread that ends early
  // takes the next piece.
  const std::size_t pieces_per_chunk = static_cast<std::size_t>(threads) * 4;

  // Two chunk buffers and two sets of pieces, kept from chunk to chunk (their pages stay mapped):
  // the next chunk is read into one buffer while the other is scored, and a chunk's pieces are
  // written while the next chunk's are scored.
  std::string text, text_ahead;
  std::int64_t first_line = 0, first_line_ahead = 0;
  std::vector<Piece> done, done_writing;
  std::future<void> writing;
  // Writes the scored pieces in order, the header above the first scored row.
  const auto write_pieces = [&scored, rejects, &header_due, header](const std::vector<Piece>& ps) {
    for (const Piece& piece : ps) {
      if (header_due && piece.rows > 0) {
        scored.write(header);
        header_due = false;
      }
      scored.write(piece.scored);
      if (rejects) rejects->write(piece.rejects);
    }
  };
  const auto finish_writing = [&writing] {
    if (writing.valid()) writing.get();  // rethrows the writer's error
  };
  bool more = reader.next(text, first_line);
  while (more) {
    std::future<bool> ahead =
        std::async(std::launch::async, [&] { return reader.next(text_ahead, first_line_ahead); });
    if (input) input->update(text);
    const std::vector<std::string_view> parts = split_csv_rows(text, pieces_per_chunk);
    std::vector<std::int64_t> lines(parts.size());
    std::int64_t line = first_line;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      lines[i] = line;
      line += count_lines(parts[i]);
    }
    done.resize(parts.size());
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (std::size_t i = 0; i < parts.size(); ++i) {
      Piece& piece = done[i];
      piece.scored.clear();
      piece.rejects.clear();
      piece.read = piece.rows = piece.rejected = 0;
      piece.error = nullptr;
      try {
        score_piece(bundle, rule, layout, parts[i], lines[i], read_options, piece);
      } catch (...) {
        piece.error = std::current_exception();
      }
    }
    for (const Piece& piece : done) {
      // Strict mode: the first bad row of the file is the first of the earliest failing piece.
      if (piece.error) {
        ahead.wait();
        if (writing.valid()) writing.wait();
        std::rethrow_exception(piece.error);
      }
      totals.rows_read += piece.read;
      totals.rows_scored += piece.rows;
      totals.rows_rejected += piece.rejected;
    }
    totals.end_line = line;
    finish_writing();
    done.swap(done_writing);
    writing = std::async(std::launch::async, [&] { write_pieces(done_writing); });
    more = ahead.get();
    text.swap(text_ahead);
    first_line = first_line_ahead;
  }
  finish_writing();
  if (header_due) scored.write(header);
  return totals;
}

}  // namespace loanrisk::predict_detail
