#pragma once
// Shared by the fuzz targets: how an input's outcome is judged. A parser's documented errors are
// answers; any other exception, a broken property or a sanitizer report is a finding, which
// libFuzzer records as a crash (abort) with the input that caused it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

namespace loanrisk::fuzz {

/// The input as text.
inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Stops the run on a broken property, saying which.
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "FUZZ FINDING: %s\n", what.c_str());
  std::abort();
}

/// Runs parse(); an exception of one of the Allowed types is the parser's documented refusal (the
/// call returns false), any other exception is a finding. True when parse() returned.
template <typename... Allowed, typename Parse>
bool within_contract(const char* what, Parse&& parse) {
  try {
    parse();
    return true;
  } catch (const std::exception& e) {
    if ((... || (dynamic_cast<const Allowed*>(&e) != nullptr))) return false;
    finding(std::string(what) + " threw " + typeid(e).name() +
            " outside its contract: " + e.what());
  } catch (...) {
    finding(std::string(what) + " threw a non-standard exception");
  }
}

}  // namespace loanrisk::fuzz
