// A background job's log as the web page reads it (serve/job_log.cpp): the input's first four bytes
// choose the offset asked for, the slice size and whether the job still runs; the rest is what the
// job wrote, any bytes at all. Contract: nothing throws. Properties: the text is valid UTF-8; the
// slice lies inside the file and is at most the size asked; read from an offset, it starts there
// unless it says how many bytes it skipped; and a page that follows the log from offset 0 reads
// every byte once, in order, up to at most an unfinished character at the end while the job runs.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fuzz_support.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/job_log.hpp"

using namespace loanrisk;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  fs::path dir, file;
  Fixture() {
    std::string pattern = (fs::temp_directory_path() / "loanrisk-fuzz-job-log-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) fuzz::finding("cannot make a temporary folder");
    dir = pattern;
    file = dir / "job.log";
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

void check(const LogSlice& s, std::size_t max_bytes, const std::string& what) {
  if (!is_valid_utf8(s.text)) fuzz::finding(what + ": text is not valid UTF-8");
  if (s.offset > s.next_offset || s.next_offset > s.size) {
    fuzz::finding(what + ": slice [" + std::to_string(s.offset) + ", " +
                  std::to_string(s.next_offset) + ") of a " + std::to_string(s.size) +
                  "-byte file");
  }
  if (s.next_offset - s.offset > max_bytes) fuzz::finding(what + ": slice longer than asked");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  if (size < 4) return 0;
  const std::uint64_t offset = data[0] | (data[1] << 8);
  const std::size_t max_bytes = 4 + data[2];  // a whole character always fits
  const bool growing = data[3] & 1;
  const std::string bytes(fuzz::text_of(data + 4, size - 4));
  std::ofstream(fixture.file, std::ios::binary | std::ios::trunc) << bytes;

  const LogSlice tail = read_log_slice(fixture.file, std::nullopt, max_bytes, growing);
  check(tail, max_bytes, "tail");
  const LogSlice from = read_log_slice(fixture.file, offset, max_bytes, growing);
  check(from, max_bytes, "from " + std::to_string(offset));
  const std::uint64_t asked = std::min<std::uint64_t>(offset, bytes.size());
  if (from.offset != asked + from.skipped) fuzz::finding("an offset's slice starts elsewhere");

  // Followed from 0 in slices big enough for the whole file: every byte once, in order.
  const LogSlice all = read_log_slice(fixture.file, 0, bytes.size() + 4, growing);
  check(all, bytes.size() + 4, "all");
  if (all.offset != 0 || all.skipped != 0) fuzz::finding("the whole file skipped bytes");
  if (bytes.size() - all.next_offset > (growing ? 3u : 0u)) {
    fuzz::finding("the whole file stopped " + std::to_string(bytes.size() - all.next_offset) +
                  " bytes before its end");
  }
  if (all.text != to_valid_utf8(std::string_view(bytes).substr(0, all.next_offset))) {
    fuzz::finding("the whole file's text is not its bytes");
  }
  const LogSlice rest = read_log_slice(fixture.file, all.next_offset, max_bytes, false);
  check(rest, max_bytes, "rest");
  if (rest.next_offset != bytes.size() && bytes.size() - all.next_offset <= max_bytes) {
    fuzz::finding("what was left for the next slice was not read");
  }
  return 0;
}
