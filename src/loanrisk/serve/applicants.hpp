#pragma once
// Applicants from JSON: every field checked against the bundle's schema (presence, type, integer,
// finite, valid range), every problem collected so a client fixes them all in one go.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/data/frame.hpp"
#include "loanrisk/data/schema.hpp"

namespace loanrisk {

/// One thing wrong with one applicant.
struct Problem {
  std::size_t row = 0;   ///< 0-based index of the applicant in the request.
  std::string field;     ///< the field at fault ("" for the applicant as a whole).
  nlohmann::json value;  ///< what was sent (null when missing).
  std::string rule;      ///< the rule it breaks, e.g. "must be between 300 and 850".
};

/// The problems as a JSON array of {row, field, value, rule}.
nlohmann::json problems_json(const std::vector<Problem>& problems);

/// A frame of valid applicants built from an array of JSON objects with the schema's feature
/// fields (the id is optional, the target ignored). Throws HttpError 422 listing every problem
/// (at most 100) when any applicant is invalid; 413 when there are more than max_rows.
Frame applicants_frame(const nlohmann::json& rows, const Schema& schema, std::size_t max_rows);

/// The same frame read straight from the body text when the body has the common shape: one object
/// or an array of objects, keys and strings without escapes or non-ASCII bytes, and every
/// applicant valid. nullopt for anything else (an error to report, a duplicate key, a numeric
/// customer id, ...), which the caller sends through nlohmann and applicants_frame, so every
/// error and edge case is answered by one code path. Spares a request the JSON document.
std::optional<Frame> read_flat_applicants(std::string_view body, const Schema& schema,
                                          std::size_t max_rows);
/// The same into `frame`, reusing its storage (false where the above gives nullopt; the frame is
/// then unspecified). The predict route keeps one frame per thread.
bool read_flat_applicants(std::string_view body, const Schema& schema, std::size_t max_rows,
                          Frame& frame);

/// Turns column names plus rows of values (MLflow dataframe_split) into an array of objects;
/// HttpError 422 when a row's width differs from the columns'.
nlohmann::json records_from_split(const nlohmann::json& columns, const nlohmann::json& data);

}  // namespace loanrisk
