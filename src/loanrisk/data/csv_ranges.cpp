// Row-aligned byte ranges of a CSV file (see csv_ranges.hpp): cuts, the file's layout, chunk
// reading and parsing a piece as if inside the whole file.
#include "loanrisk/data/csv_ranges.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "loanrisk/core/error.hpp"
#include "loanrisk/data/csv_detail.hpp"

namespace loanrisk {
namespace {

constexpr auto npos = std::string_view::npos;

std::ifstream open_input(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError(path.string() +
                     ": cannot open the file. Fix: check the path and that it is readable");
  }
  return in;
}

// Appends up to n bytes read at `offset` to buf.
void read_at(std::ifstream& in, std::uintmax_t offset, std::size_t n, std::string& buf) {
  const std::size_t old = buf.size();
  buf.resize(old + n);
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(buf.data() + old, static_cast<std::streamsize>(n));
  buf.resize(old + static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
}

// A cut after the line ending at cut - 1 is allowed unless that line is blank (only spaces, tabs
// and CRs) or ends in "\r\r": read_csv trims both at the end of its text, which the piece's end
// would then be, though not the file's.
bool clean_cut(std::string_view buf, std::size_t cut) {
  const std::size_t nl = cut - 1;
  std::size_t start = nl;
  while (start > 0 && buf[start - 1] != '\n') --start;
  if (nl >= start + 2 && buf[nl - 1] == '\r' && buf[nl - 2] == '\r') return false;
  for (std::size_t k = start; k < nl; ++k) {
    if (buf[k] != ' ' && buf[k] != '\t' && buf[k] != '\r') return true;
  }
  return false;
}

// "SOURCE line N..." of a message by the reader of a piece, renumbered as in the whole file.
std::string relined(const std::string& message, const std::string& source, std::int64_t shift) {
  const std::string prefix = source + " line ";
  if (shift == 0 || !message.starts_with(prefix)) return message;
  const char* digits = message.data() + prefix.size();
  const char* end = message.data() + message.size();
  std::int64_t line = 0;
  const auto parsed = std::from_chars(digits, end, line);
  if (parsed.ec != std::errc()) return message;
  return prefix + std::to_string(line + shift) + std::string(parsed.ptr, end);
}

}  // namespace

std::int64_t count_lines(std::string_view text) {
  // Three passes per chunk count lines (the reader, the pieces' first lines, the parser's
  // reserve): 16 bytes per step instead of one, 5% of predict's time before.
  std::int64_t lines = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    // Each match adds 1 (0 - -1) to a byte lane; lanes are summed before one could pass 255.
    __m128i counts = _mm_setzero_si128();
    const char* stop = p + std::min<std::ptrdiff_t>((end - p) / 16, 255) * 16;
    for (; p != stop; p += 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(bytes, newline));
    }
    const __m128i sums = _mm_sad_epu8(counts, _mm_setzero_si128());
    lines += _mm_cvtsi128_si64(sums) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
  }
#endif
  return lines + std::count(p, end, '\n');
}

std::size_t csv_cut_at_or_after(std::string_view buf, std::size_t from, std::size_t want,
                                bool at_end) {
  const std::size_t n = buf.size();
  if (want <= from) return from;
  if (want > n) return at_end ? n : npos;
  const char* b = buf.data();
  const void* hit = std::memchr(b + from, '"', n - from);
  const std::size_t quote = hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - b) : n;
  // Before the first quote every line feed ends a row.
  for (std::size_t at = want - 1; at < quote;) {
    const void* nl = std::memchr(b + at, '\n', quote - at);
    if (nl == nullptr) break;
    const auto cut = static_cast<std::size_t>(static_cast<const char*>(nl) - b) + 1;
    if (clean_cut(buf, cut)) return cut;
    at = cut;
  }
  if (quote == n) return at_end ? n : npos;
  // From the row holding the first quote (or `want`) on, read_csv's own scanner ends the rows.
  std::size_t row = std::max(from, std::min(want, quote));
  while (row > from && b[row - 1] != '\n') --row;
  csv_detail::ScannedRow scanned;
  const char* p = b + row;
  for (;;) {
    const auto at = static_cast<std::size_t>(p - b);
    if (at == n) return at_end ? n : npos;
    if (at >= want && at > from && clean_cut(buf, at)) return at;
    p = csv_detail::scan_row(p, b + n, scanned);
    if (p == b + n && !at_end) return npos;  // the row may go on past the buffer
  }
}

CsvLayout read_csv_layout(const std::filesystem::path& path, std::size_t probe_bytes) {
  CsvLayout layout;
  layout.path = path;
  // A file that cannot be read is left to read_csv, whose messages say why.
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  layout.size = std::filesystem::file_size(path, ec);
  if (!in || ec) return layout;
  std::string head;
  read_at(in, 0, static_cast<std::size_t>(std::min<std::uintmax_t>(probe_bytes, layout.size)),
          head);
  const std::size_t bom = std::string_view(head).starts_with("\xEF\xBB\xBF") ? 3 : 0;
  if (head.find('\n', bom) == std::string::npos) return layout;  // read_csv's CR-only case
  csv_detail::ScannedRow header;
  const char* end = head.data() + head.size();
  const char* p = csv_detail::scan_row(head.data() + bom, end, header);
  if (p == end) return layout;  // the header fills the probe
  layout.header.assign(header.raw());
  layout.first_line = 2 + header.embedded_newlines;
  layout.data_begin = static_cast<std::uintmax_t>(p - head.data());
  // The data's end as read_csv finds it: from the tail, growing it while it is all blank.
  for (std::uintmax_t tail = 1 << 16;; tail *= 4) {
    const std::uintmax_t start = layout.size - std::min(tail, layout.size - layout.data_begin);
    std::string text;
    read_at(in, start, static_cast<std::size_t>(layout.size - start), text);
    const char* e = csv_detail::content_end(text.data(), text.data() + text.size());
    if (e != text.data() || start <= layout.data_begin) {
      layout.content_end = start + static_cast<std::uintmax_t>(e - text.data());
      break;
    }
  }
  layout.streamable = layout.content_end > layout.data_begin;
  return layout;
}

CsvRowStart csv_row_start_at(const CsvLayout& layout, std::uintmax_t offset) {
  CsvRowStart start{layout.data_begin, layout.first_line};
  std::ifstream in = open_input(layout.path);
  constexpr std::size_t kBlock = 8 << 20;
  const std::uintmax_t target = std::min(offset, layout.content_end);
  std::string buf;                         // the data from start.offset on
  std::uintmax_t pos = layout.data_begin;  // the next byte to read
  for (;;) {
    if (target <= start.offset) return start;
    const bool at_end = pos >= layout.content_end;
    const std::uintmax_t want = target - start.offset;
    if (want <= buf.size() || at_end) {
      const std::size_t cut = csv_cut_at_or_after(buf, 0, static_cast<std::size_t>(want), at_end);
      if (cut != npos) {
        start.line += count_lines(std::string_view(buf).substr(0, cut));
        start.offset += cut;
        return start;
      }
    } else if (!buf.empty()) {
      // Everything before the buffer's last cut comes before `offset`: count it and drop it.
      const std::size_t cut = csv_cut_at_or_after(buf, 0, buf.size() - buf.size() / 8, false);
      if (cut != npos) {
        start.line += count_lines(std::string_view(buf).substr(0, cut));
        start.offset += cut;
        buf.erase(0, cut);
      }
    }
    const auto n =
        static_cast<std::size_t>(std::min<std::uintmax_t>(kBlock, layout.content_end - pos));
    read_at(in, pos, n, buf);
    pos += n;
  }
}

CsvRangeReader::CsvRangeReader(const CsvLayout& layout, CsvRowStart begin, std::uintmax_t end,
                               std::size_t chunk_bytes)
    : in_(open_input(layout.path)),
      path_(layout.path.string()),
      pos_(begin.offset),
      end_(end),
      chunk_bytes_(std::max<std::size_t>(chunk_bytes, 1)),
      line_(begin.line) {}

bool CsvRangeReader::next(std::string& text, std::int64_t& line) {
  // Into the caller's string, whose capacity a streaming caller keeps from chunk to chunk: a fresh
  // buffer per chunk faulted in new pages every time (4% of predict's time).
  std::string& buf = text;
  buf.assign(carry_);
  carry_.clear();
  for (std::size_t size = chunk_bytes_;; size *= 2) {
    if (buf.size() < size && pos_ < end_) {
      const auto n =
          static_cast<std::size_t>(std::min<std::uintmax_t>(size - buf.size(), end_ - pos_));
      const std::size_t before = buf.size();
      read_at(in_, pos_, n, buf);
      if (buf.size() - before != n) {
        throw InputError(path_ +
                         ": the file shrank while it was read. Fix: score a file that no "
                         "process is writing");
      }
      pos_ += n;
    }
    if (buf.empty()) return false;
    const bool at_end = pos_ >= end_;
    std::size_t cut = npos;
    if (at_end && buf.size() <= size) {
      cut = buf.size();
    } else {
      // The first cut in the buffer's last eighth, else the first anywhere.
      cut = csv_cut_at_or_after(buf, 0, std::max<std::size_t>(buf.size() - buf.size() / 8, 1),
                                at_end);
      if (cut == npos) cut = csv_cut_at_or_after(buf, 0, 1, at_end);
    }
    if (cut == npos) continue;  // one row longer than the buffer: read more
    carry_.assign(buf, cut);
    buf.resize(cut);
    line = line_;
    line_ += count_lines(buf);
    return true;
  }
}

std::vector<std::string_view> split_csv_rows(std::string_view chunk, std::size_t pieces) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t k = 1; k < pieces; ++k) {
    const std::size_t want = chunk.size() * k / pieces;
    if (want <= start) continue;
    const std::size_t cut = csv_cut_at_or_after(chunk, start, want, true);
    if (cut >= chunk.size()) break;
    out.push_back(chunk.substr(start, cut - start));
    start = cut;
  }
  if (start < chunk.size()) out.push_back(chunk.substr(start));
  return out;
}

ReadResult parse_csv_rows(const CsvLayout& layout, std::string_view rows, std::int64_t first_line,
                          const Schema& schema, const ReadOptions& options) {
  // The header row above the piece: the reader binds the same columns and numbers the piece's
  // first row layout.first_line; the shift makes it the file's line.
  std::string text;
  text.reserve(layout.header.size() + 1 + rows.size());
  text.append(layout.header).append(1, '\n').append(rows);
  const std::string source = layout.path.string();
  const std::int64_t shift = first_line - layout.first_line;
  ReadResult read;
  try {
    read = parse_csv(text, source, schema, options);
  } catch (const InputError& e) {
    throw InputError(relined(e.what(), source, shift));
  }
  for (auto& line : read.frame.lines) line += shift;
  for (Reject& r : read.rejects) {
    r.line += shift;
    r.reason = relined(r.reason, source, shift);
  }
  return read;
}

}  // namespace loanrisk
