#include "loanrisk/serve/mlflow_scoring.hpp"

#include <algorithm>
#include <cctype>

#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/api.hpp"
#include "loanrisk/serve/http_error.hpp"

namespace loanrisk {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

constexpr std::string_view kKeys[] = {"dataframe_split", "dataframe_records", "instances",
                                      "inputs"};
const char* kRequired =
    "The input must be a JSON dictionary with exactly one of the input fields "
    "dataframe_split, dataframe_records, instances, inputs";

}  // namespace

ScoringContentType read_scoring_content_type(std::string_view header) {
  ScoringContentType out;
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t semi = header.find(';', start);
    parts.push_back(trim(header.substr(start, semi - start)));
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  std::string charset = "utf-8";
  std::vector<std::string> unexpected;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::size_t eq = parts[i].find('=');
    const std::string_view key = parts[i].substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : parts[i].substr(eq + 1);
    if (key == "charset") {
      charset = lower(value);
    } else {
      unexpected.push_back(echo_text(key, 60));
    }
  }
  if (charset != "utf-8") {
    out.refusal = "The scoring server only supports UTF-8 (the request says charset=" +
                  echo_text(charset, 60) + "): send the body as UTF-8";
    return out;
  }
  if (!unexpected.empty()) {
    std::string names;
    for (const auto& u : unexpected) names += (names.empty() ? "" : ", ") + u;
    out.refusal = "Unrecognized content type parameters: " + names +
                  ". MLflow 2.0 and later take only charset; a format= parameter belongs to the "
                  "MLflow 1.x protocol: send application/json with one of the keys "
                  "dataframe_split, dataframe_records, instances, inputs";
    return out;
  }
  if (parts[0] == "text/csv") {
    out.kind = ScoringContentType::Kind::kCsv;
  } else if (parts[0] == "application/json") {
    out.kind = ScoringContentType::Kind::kJson;
  } else {
    out.refusal =
        "This predictor only supports the following content types: text/csv, "
        "application/json. Got '" +
        echo_text(header, 200) + "'.";
  }
  return out;
}

std::string scoring_payload_key(const nlohmann::json& body) {
  if (!body.is_object()) {
    throw HttpError(
        400, std::string("Invalid input. ") + kRequired + ". Received " +
                 (body.is_array() ? "a list" : std::string("a JSON ") + body.type_name()) + ".");
  }
  std::vector<std::string> found;
  for (std::string_view key : kKeys) {
    if (body.contains(key)) found.emplace_back(key);
  }
  if (found.size() == 1) return found.front();
  std::string received;
  std::size_t n = 0;
  for (const auto& [key, value] : body.items()) {
    if (++n > 20) {
      received += ", ...";
      break;
    }
    received += (received.empty() ? "" : ", ") + echo_text(key, 60);
  }
  throw HttpError(400, std::string("Invalid input. ") + kRequired +
                           ". Received dictionary with input fields: [" + received + "].");
}

nlohmann::json records_from_value_rows(const nlohmann::json& rows,
                                       const std::vector<std::string>& inputs,
                                       std::size_t max_rows) {
  if (rows.size() > max_rows) {
    throw HttpError(413, "too many rows: " + std::to_string(rows.size()) + ", at most " +
                             std::to_string(max_rows) + " per request");
  }
  std::string order;
  for (const auto& name : inputs) order += (order.empty() ? "" : ", ") + name;
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (!row.is_array() || row.size() != inputs.size()) {
      const std::string what = !row.is_array()
                                   ? std::string("is a JSON ") + row.type_name() + ", not a list"
                               : row.size() == 1 ? std::string("has 1 value")
                                                 : "has " + std::to_string(row.size()) + " values";
      throw HttpError(400, "Invalid input. Row " + std::to_string(i) + " " + what +
                               "; a row given as a list holds the model's " +
                               std::to_string(inputs.size()) +
                               " inputs in the signature's order: " + order);
    }
    nlohmann::json record = nlohmann::json::object();
    for (std::size_t j = 0; j < inputs.size(); ++j) record[inputs[j]] = row[j];
    out.push_back(std::move(record));
  }
  return out;
}

std::string_view scoring_error_code(int status) {
  switch (status) {
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "RESOURCE_DOES_NOT_EXIST";
    case 429:
      return "REQUEST_LIMIT_EXCEEDED";
    case 503:
      return "TEMPORARILY_UNAVAILABLE";
    default:
      return status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST";
  }
}

HttpResponse scoring_error_response(int status, const std::string& message,
                                    const nlohmann::json& details) {
  // MLflow knows no 413 or 422: bad or too many rows are BAD_REQUEST, 400.
  if (status == 413 || status == 422) status = 400;
  nlohmann::json body = details.is_object() ? details : nlohmann::json::object();
  body["error_code"] = scoring_error_code(status);
  body["message"] = to_valid_utf8(message);
  return json_response(body, status);
}

}  // namespace loanrisk
