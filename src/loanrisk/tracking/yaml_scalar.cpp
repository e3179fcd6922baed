#include "loanrisk/tracking/yaml_scalar.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

// Words YAML 1.1 resolves to booleans or null whatever their case (PyYAML reads yes/no/on/off
// and null; other readers also read y/n), so a plain one would not come back as a string.
bool is_keyword(std::string_view s) {
  static constexpr std::array<std::string_view, 9> kWords = {"y",  "n",   "yes",   "no",  "true",
                                                             "on", "off", "false", "null"};
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kWords.begin(), kWords.end(), lower) != kWords.end();
}

bool plain_safe(std::string_view s) {
  if (s.empty() || is_keyword(s)) return false;
  const auto first = static_cast<unsigned char>(s.front());
  if (!std::isalpha(first) && first != '_') return false;  // digits, signs, '.', indicators
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '/';
  });
}

// Decodes one code point of valid UTF-8 at s[i] and advances i.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  const int extra = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
  std::uint32_t cp = extra == 0   ? b
                     : extra == 1 ? (b & 0x1Fu)
                     : extra == 2 ? (b & 0x0Fu)
                                  : (b & 0x07u);
  for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

// The escape YAML's double-quoted style needs for a code point, or "" to write it as is:
// everything outside YAML's printable set, and the line breaks a reader would fold.
std::string escape_of(std::uint32_t cp) {
  switch (cp) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case 0x00:
      return "\\0";
    case '\t':
      return "\\t";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    default:
      break;
  }
  char buf[12];
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
    std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(cp));
    return buf;
  }
  if (cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF) {
    std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
    return buf;
  }
  return "";
}

}  // namespace

std::string yaml_scalar(std::string_view raw) {
  if (plain_safe(raw)) return std::string(raw);
  const std::string s = to_valid_utf8(raw);
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const std::string escape = escape_of(next_code_point(s, i));
    if (escape.empty()) {
      out.append(s, start, i - start);
    } else {
      out += escape;
    }
  }
  return out + "\"";
}

}  // namespace loanrisk
