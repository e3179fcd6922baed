#pragma once
// Appends JSON text straight into a string, for hot paths (the predict route's answer, the
// prediction log's lines): building an nlohmann document (a std::map per object) cost more than
// the request's TreeSHAP. Numbers are written as their shortest round-trip text, non-finite ones
// as null (as nlohmann's dump does).
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace loanrisk {

namespace detail {
// Which bytes need an escape, one table per mode: a lookup per byte instead of four tests (the
// predict answer's reason sentences are most of its text).
constexpr std::array<bool, 256> escape_table(bool non_ascii) {
  std::array<bool, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) {
    t[c] = c < 0x20 || c == '"' || c == '\\' || (non_ascii && c >= 0x80);
  }
  return t;
}
inline constexpr std::array<bool, 256> kEscaped = escape_table(false);
inline constexpr std::array<bool, 256> kEscapedAscii = escape_table(true);

}  // namespace detail

/// The first byte of [p, end) that JSON text needs escaped (a control byte, a quote, a backslash,
/// and with escape_non_ascii any byte above 127), or end. Eight bytes at a time while none of
/// them does: most strings are escape-free, and a byte-by-byte loop cost more than the predict
/// answer's TreeSHAP. The word tests are exact about whether a word holds such a byte, so the
/// byte loop that follows stops within the first word that does.
inline const char* first_json_escape(const char* p, const char* end, bool escape_non_ascii) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  const auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  while (end - p >= 8) {
    std::uint64_t x;
    std::memcpy(&x, p, sizeof x);
    std::uint64_t hit = ((x - kOnes * 0x20) & ~x & kHighs)  // a byte below 0x20
                        | has_zero(x ^ (kOnes * '"')) | has_zero(x ^ (kOnes * '\\'));
    if (escape_non_ascii) hit |= x & kHighs;
    if (hit) break;
    p += 8;
  }
  const bool* escaped = escape_non_ascii ? detail::kEscapedAscii.data() : detail::kEscaped.data();
  while (p < end && !escaped[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

class JsonWriter {
 public:
  /// Text is written as UTF-8 as it is. With escape_non_ascii, every byte above 127 is written as
  /// the code point of that value (\u00XX), so the output is valid JSON even when the text is not
  /// valid UTF-8 (raw input kept in a log).
  explicit JsonWriter(std::string& out, bool escape_non_ascii = false)
      : out_(out), escape_non_ascii_(escape_non_ascii) {}

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  /// An object member's name; the value written next belongs to it.
  JsonWriter& key(std::string_view name) {
    if (!short_plain(name, true)) {
      separate();
      quoted(name);
      out_ += ':';
    }
    after_key_ = true;
    return *this;
  }

  JsonWriter& value(std::string_view text) {
    if (!short_plain(text, false)) {
      separate();
      quoted(text);
    }
    return *this;
  }
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }

  JsonWriter& value(double number) {
    separate();
    if (!std::isfinite(number)) {
      out_ += "null";
      return *this;
    }
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, number);
    out_.append(buf, r.ptr);
    return *this;
  }
  JsonWriter& null() {
    separate();
    out_ += "null";
    return *this;
  }
  JsonWriter& value(bool flag) {
    separate();
    out_ += flag ? "true" : "false";
    return *this;
  }
  JsonWriter& value(int number) { return value(static_cast<long long>(number)); }
  JsonWriter& value(long long number) {
    separate();
    out_ += std::to_string(number);
    return *this;
  }

 private:
  JsonWriter& open(char c) {
    separate();
    out_ += c;
    first_ = true;
    return *this;
  }
  JsonWriter& close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  // A comma before every element but the first of its container and a key's value.
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }
  // A short string that needs no escape goes out with its separator, quotes and (for a key) colon
  // in one append: most keys and values of an answer are such, and four appends each cost more
  // than the scan. False (nothing written) for any other string.
  bool short_plain(std::string_view text, bool is_key) {
    constexpr std::size_t kMax = 60;
    if (text.size() > kMax) return false;
    const char* end = text.data() + text.size();
    if (first_json_escape(text.data(), end, escape_non_ascii_) != end) return false;
    char buf[kMax + 4];
    std::size_t n = 0;
    if (after_key_) {
      after_key_ = false;
    } else {
      if (!first_) buf[n++] = ',';
      first_ = false;
    }
    buf[n++] = '"';
    if (!text.empty()) std::memcpy(buf + n, text.data(), text.size());
    n += text.size();
    buf[n++] = '"';
    if (is_key) buf[n++] = ':';
    out_.append(buf, n);
    return true;
  }
  void quoted(std::string_view text) {
    out_ += '"';
    const char* p = text.data();
    const char* const end = p + text.size();
    for (;;) {
      const char* e = first_json_escape(p, end, escape_non_ascii_);
      out_.append(p, static_cast<std::size_t>(e - p));
      if (e == end) break;
      escape(static_cast<unsigned char>(*e));
      p = e + 1;
    }
    out_ += '"';
  }
  void escape(unsigned char c) {
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out_.append(u, sizeof u);
      }
    }
  }

  std::string& out_;
  bool escape_non_ascii_ = false;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace loanrisk
