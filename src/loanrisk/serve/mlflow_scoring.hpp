#pragma once
// MLflow's scoring protocol (mlflow/pyfunc/scoring_server), as /invocations answers it: the
// Content-Type checks, the one-payload-key rule, `instances`/`inputs` as rows of values, and the
// error envelope {"error_code", "message"} with MLflow's status for each code.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/serve/routes.hpp"

namespace loanrisk {

/// How MLflow reads a request's Content-Type: CSV, JSON, or refused with its 415 text.
struct ScoringContentType {
  enum class Kind { kCsv, kJson, kRefused };
  Kind kind = Kind::kRefused;
  std::string refusal;  ///< the 415 text/plain answer when refused.
};

/// The media type must be exactly text/csv or application/json; the only parameter allowed is
/// charset, and it must be utf-8 (any case).
ScoringContentType read_scoring_content_type(std::string_view header);

/// The payload key of a JSON body, as MLflow checks it: an object holding exactly one of
/// dataframe_split, dataframe_records, instances, inputs (other keys, such as params, are
/// ignored). HttpError 400 saying what was received otherwise.
std::string scoring_payload_key(const nlohmann::json& body);

/// Rows given as arrays of values (`instances` or `inputs` as a list of lists) into records keyed
/// by the model's input names, in the signature's order. HttpError 400 naming the order when a
/// row has another width; 413 beyond max_rows.
nlohmann::json records_from_value_rows(const nlohmann::json& rows,
                                       const std::vector<std::string>& inputs,
                                       std::size_t max_rows);

/// MLflow's error code for an HTTP status this route answers (400 BAD_REQUEST, 503
/// TEMPORARILY_UNAVAILABLE, ...).
std::string_view scoring_error_code(int status);

/// The error answer of /invocations: MLflow's envelope with details (e.g. "problems") kept
/// beside it; a row-count refusal (413 elsewhere) is MLflow's 400 BAD_REQUEST.
HttpResponse scoring_error_response(int status, const std::string& message,
                                    const nlohmann::json& details);

}  // namespace loanrisk
