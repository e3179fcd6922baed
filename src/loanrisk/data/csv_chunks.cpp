// CsvChunkReader: the file read in blocks, cut at row boundaries (a quoted field may hold line
// breaks, so rows are found by the reader's own scanner), each chunk parsed by parse_csv with the
// line number its first row has in the file.
#include "loanrisk/data/csv_chunks.hpp"

#include <algorithm>
#include <utility>

#include "loanrisk/core/error.hpp"
#include "loanrisk/data/csv_detail.hpp"

namespace loanrisk {
namespace {

constexpr std::size_t kBlockBytes = std::size_t{4} << 20;

bool all_space(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// A scanned row is whole when its line ending was in the buffer (else more of the file may
// belong to it).
bool whole(const char* begin, const char* next) {
  return next > begin && next[-1] == '\n';
}

}  // namespace

CsvChunkReader::CsvChunkReader(std::filesystem::path path, const Schema& schema,
                               ReadOptions options, std::size_t rows_per_chunk)
    : path_(std::move(path)),
      schema_(schema),
      options_(options),
      rows_per_chunk_(std::max<std::size_t>(rows_per_chunk, 1)) {
  in_.open(path_, std::ios::binary);
  if (!in_) {
    throw InputError(path_.string() +
                     ": cannot open the file. Fix: check the path and that it is readable");
  }
  fill();
  if (buf_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
  if (buf_.find('\n') == std::string::npos && buf_.find('\r') != std::string::npos) {
    throw InputError(path_.string() +
                     ": lines end in a lone CR (classic Mac); a streamed file needs LF or CRLF "
                     "line endings. Fix: convert the line endings (e.g. `tr '\\r' '\\n'`)");
  }
  csv_detail::ScannedRow row;
  for (;;) {
    const char* begin = buf_.data() + pos_;
    const char* end = buf_.data() + buf_.size();
    if (csv_detail::content_end(begin, end) == begin) {
      if (!eof_ && fill()) continue;
      throw InputError(path_.string() +
                       ": the file is empty. Fix: give a CSV with a header line and at least one "
                       "data row");
    }
    const char* next = csv_detail::scan_row(begin, end, row);
    if (!whole(begin, next) && !eof_) {
      fill();
      continue;
    }
    header_ = std::string(row.raw());
    first_data_line_ = 2 + row.embedded_newlines;
    pos_ += static_cast<std::size_t>(next - begin);
    break;
  }
  data_offset_ = static_cast<std::uint64_t>(in_.tellg()) - (buf_.size() - pos_);
  if (eof_) data_offset_ = std::filesystem::file_size(path_) - (buf_.size() - pos_);
  next_line_ = first_data_line_;
}

bool CsvChunkReader::fill() {
  if (eof_) return false;
  buf_.erase(0, pos_);
  pos_ = 0;
  const std::size_t old = buf_.size();
  buf_.resize(old + kBlockBytes);
  in_.read(buf_.data() + old, static_cast<std::streamsize>(kBlockBytes));
  const auto got = static_cast<std::size_t>(in_.gcount());
  buf_.resize(old + got);
  if (in_.bad()) {
    throw InputError(path_.string() + ": read error after " + std::to_string(next_line_) +
                     " lines. Fix: check the disk and that the file is not being changed");
  }
  if (got < kBlockBytes) eof_ = true;
  return got > 0;
}

void CsvChunkReader::rewind() {
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(data_offset_));
  if (!in_) throw InputError(path_.string() + ": cannot seek back to the first data row");
  buf_.clear();
  pos_ = 0;
  eof_ = false;
  next_line_ = first_data_line_;
}

bool CsvChunkReader::next(ReadResult& chunk) {
  std::string text = header_;
  text.push_back('\n');
  std::size_t rows = 0, filled = 0;
  std::int64_t lines = 0;
  bool last_blank = false;
  csv_detail::ScannedRow row;
  // A chunk never ends on a blank line unless the file does: parse_csv drops trailing blank
  // lines, which mid-file are rows to report as read_csv reports them.
  while (rows < rows_per_chunk_ || last_blank) {
    if (pos_ == buf_.size() && !fill()) break;
    const char* begin = buf_.data() + pos_;
    const char* end = buf_.data() + buf_.size();
    const char* next = csv_detail::scan_row(begin, end, row);
    if (!whole(begin, next) && !eof_) {
      fill();
      continue;
    }
    text.append(begin, next);
    pos_ += static_cast<std::size_t>(next - begin);
    ++rows;
    lines += 1 + row.embedded_newlines;
    last_blank = all_space(row.raw());
    if (!last_blank) ++filled;
  }
  if (filled == 0) {
    if (next_line_ == first_data_line_) {
      throw InputError(path_.string() +
                       ": the file has a header but no data rows. Fix: add at least one data "
                       "row below the header line");
    }
    return false;
  }
  ReadOptions options = options_;
  options.first_line = next_line_;
  chunk = parse_csv(text, path_.string(), schema_, options);
  if (next_line_ != first_data_line_) chunk.warnings.clear();
  next_line_ += lines;
  return true;
}

}  // namespace loanrisk
