#pragma once
// Text that leaves the process (JSON answers, error messages, logs) must be valid UTF-8 and
// printable whatever bytes a client or a file sent: nlohmann's dump() throws on invalid UTF-8,
// and a NUL cuts a C string (an exception's what()) short.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk {

/// True when s is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view s);

/// s with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD.
std::string to_valid_utf8(std::string_view s);

/// A value quoted back to a user in a message: valid UTF-8, control bytes (NUL, newline, ...)
/// written as \xNN so they neither cut nor break the message, and at most max_bytes of the value
/// (then "... (N more bytes)").
std::string echo_text(std::string_view s, std::size_t max_bytes = 120);

/// UsageError "<what> is not valid UTF-8 ..." unless s is: names, reasons and descriptions are
/// checked before they are stored, so every later reader (JSON answers, reports) can show them.
void require_utf8(std::string_view what, std::string_view s);

/// JSON text of j; invalid UTF-8 in any string becomes U+FFFD instead of an exception.
std::string dump_json(const nlohmann::json& j, int indent = -1);

/// A number for JSON: null when not finite (JSON has no NaN or infinity).
nlohmann::json number_or_null(double v);

/// Shortest decimal text that reads back to the same double ("0.1", "1e+20", "inf", "nan").
std::string format_double(double value);

/// Shortest round-trip text without an exponent (10000000, not 1e+07), for messages people read.
std::string format_fixed(double value);

/// The items with the separator between them ("a, b, c"); empty for no items.
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace loanrisk
