#pragma once
// The HttpError a handler or runner throws, as {status, message}, for the serve layer's tests.
#include <string>
#include <utility>

#include "loanrisk/serve/http_error.hpp"

namespace loanrisk {

/// The status and message of the HttpError f throws; {0, "(accepted)"} when it throws none.
template <class F>
std::pair<int, std::string> refusal(F f) {
  try {
    f();
  } catch (const HttpError& e) {
    return {e.status(), e.what()};
  }
  return {0, "(accepted)"};
}

}  // namespace loanrisk
