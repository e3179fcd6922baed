#pragma once
// The error a route raises to answer with a given HTTP status and JSON body; anything else a
// handler throws is mapped by kind (InputError 400, UsageError 400, the rest 500).
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "loanrisk/core/text.hpp"

namespace loanrisk {

/// An HTTP answer other than 200, with {"error": message, ...details}.
class HttpError : public std::runtime_error {
 public:
  /// details (an object) is merged into the body next to "error".
  HttpError(int status, const std::string& message,
            nlohmann::json details = nlohmann::json::object())
      : std::runtime_error(to_valid_utf8(message)), status_(status), details_(std::move(details)) {}
  int status() const { return status_; }
  /// The JSON body: {"error": what(), ...details}.
  nlohmann::json body() const {
    nlohmann::json b = details_;
    b["error"] = what();
    return b;
  }

 private:
  int status_;
  nlohmann::json details_;
};

}  // namespace loanrisk
