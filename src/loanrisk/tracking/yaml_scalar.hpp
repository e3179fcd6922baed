#pragma once
// One YAML scalar emitter for every string loanrisk writes into a YAML file (the MLflow export's
// meta.yaml and MLmodel files): a name, tag or path may hold newlines, control characters, '#',
// quotes, a leading '-' or ':' or '*', or read as a boolean, null or number in YAML 1.1
// ("yes", "null", "1e3"). A string is written plain only when no YAML 1.1 reader (PyYAML
// included) could read it as anything but that string; otherwise double-quoted with escapes.
#include <string>
#include <string_view>

namespace loanrisk {

/// The string as one YAML scalar that reads back as exactly that string: plain for a word of
/// letters, digits, '_', '-', '.' and '/' that starts with a letter or '_' and is not a YAML 1.1
/// boolean or null word; otherwise double-quoted, with '"' and '\' escaped, control characters
/// and line or paragraph separators as \n, \t, \r, \0, \xNN or \uNNNN, and everything else (UTF-8
/// included) as is. Bytes that are not UTF-8 become U+FFFD (YAML text is Unicode).
std::string yaml_scalar(std::string_view s);

}  // namespace loanrisk
