#include "loanrisk/serve/job_log.hpp"

#include <algorithm>
#include <fstream>
#include <string_view>

#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

bool continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

/// How many bytes at the end of t begin a UTF-8 sequence that is not complete yet (0 to 3).
std::size_t incomplete_tail(std::string_view t) {
  for (std::size_t back = 1; back <= 3 && back <= t.size(); ++back) {
    const auto c = static_cast<unsigned char>(t[t.size() - back]);
    if (continuation(static_cast<char>(c))) continue;
    const std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

}  // namespace

LogSlice read_log_slice(const std::filesystem::path& file, std::optional<std::uint64_t> offset,
                        std::size_t max_bytes, bool growing) {
  LogSlice s;
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(file, ec);
  s.size = ec ? 0 : size;
  const std::uint64_t asked = offset ? std::min(*offset, s.size) : 0;
  std::uint64_t begin = offset ? asked : 0;
  if (s.size - begin > max_bytes) begin = s.size - max_bytes;
  std::string raw(static_cast<std::size_t>(s.size - begin), '\0');
  if (!raw.empty()) {
    std::ifstream in(file, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(begin));
    in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
    raw.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  }
  std::size_t from = 0;
  if (begin > asked || (!offset && begin > 0)) {
    // Where to start was this function's choice: at a line when one starts in the slice.
    const auto nl = raw.find('\n');
    if (nl != std::string::npos) {
      from = nl + 1;
    } else {
      while (from < raw.size() && from < 3 && continuation(raw[from])) ++from;
    }
  }
  std::size_t to = raw.size();
  if (growing) to -= incomplete_tail(std::string_view(raw).substr(from));
  s.offset = begin + from;
  s.next_offset = begin + to;
  s.skipped = offset ? s.offset - asked : 0;
  s.text = to_valid_utf8(std::string_view(raw).substr(from, to - from));
  return s;
}

}  // namespace loanrisk
