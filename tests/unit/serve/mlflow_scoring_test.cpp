// MLflow's scoring protocol, piece by piece: how a Content-Type is read, the one-key rule, rows as
// lists of values and the error envelope.
#include "loanrisk/serve/mlflow_scoring.hpp"

#include <gtest/gtest.h>

#include "loanrisk/serve/http_error.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

using Kind = ScoringContentType::Kind;
using nlohmann::json;

TEST(MlflowScoring, ContentTypesAsMlflowReadsThem) {
  EXPECT_EQ(read_scoring_content_type("text/csv").kind, Kind::kCsv);
  EXPECT_EQ(read_scoring_content_type("application/json").kind, Kind::kJson);
  EXPECT_EQ(read_scoring_content_type(" application/json ; charset=UTF-8").kind, Kind::kJson);
  EXPECT_EQ(read_scoring_content_type("text/csv;charset=utf-8").kind, Kind::kCsv);
  for (const char* refused : {"", "text/plain", "TEXT/CSV", "application/json+x", "application/",
                              "application/json; charset=iso-8859-1", "text/csv; header=present",
                              "application/json; format=pandas-records", ";", "\xff"}) {
    const ScoringContentType t = read_scoring_content_type(refused);
    EXPECT_EQ(t.kind, Kind::kRefused) << refused;
    EXPECT_FALSE(t.refusal.empty()) << refused;
  }
  EXPECT_EQ(read_scoring_content_type("text/csv; header=present").refusal.substr(0, 45),
            "Unrecognized content type parameters: header.");
  EXPECT_EQ(read_scoring_content_type("\xff").refusal,
            "This predictor only supports the following content types: text/csv, "
            "application/json. Got '\xEF\xBF\xBD'.");
}

TEST(MlflowScoring, ExactlyOnePayloadKey) {
  EXPECT_EQ(scoring_payload_key(json{{"inputs", json::array()}, {"params", {{"a", 1}}}}), "inputs");
  EXPECT_EQ(scoring_payload_key(json{{"dataframe_split", json::object()}, {"other", 1}}),
            "dataframe_split");
  EXPECT_THROW_MSG(scoring_payload_key(json::object()), HttpError,
                   "Received dictionary with input fields: [].");
  EXPECT_THROW_MSG(scoring_payload_key(json{{"instances", 1}, {"inputs", 2}}), HttpError,
                   "Received dictionary with input fields: [inputs, instances].");
  EXPECT_THROW_MSG(scoring_payload_key(json::array()), HttpError, "Received a list.");
  EXPECT_THROW_MSG(scoring_payload_key(json("text")), HttpError, "Received a JSON string.");
  json many = json::object();
  for (int i = 0; i < 30; ++i) many["k" + std::to_string(i)] = i;
  EXPECT_THROW_MSG(scoring_payload_key(many), HttpError, ", ...].");
}

TEST(MlflowScoring, RowsOfValuesFollowTheSignatureOrder) {
  const std::vector<std::string> inputs = {"income", "fico_score"};
  EXPECT_EQ(records_from_value_rows(json::parse("[[1, 2], [3, 4]]"), inputs, 10),
            json::parse(R"([{"income": 1, "fico_score": 2}, {"income": 3, "fico_score": 4}])"));
  EXPECT_THROW_MSG(records_from_value_rows(json::parse("[[1, 2], [3]]"), inputs, 10), HttpError,
                   "Row 1 has 1 value; a row given as a list holds the model's 2 inputs in the "
                   "signature's order: income, fico_score");
  EXPECT_THROW_MSG(records_from_value_rows(json::parse("[[1, 2], {}]"), inputs, 10), HttpError,
                   "Row 1 is a JSON object, not a list");
  EXPECT_THROW_MSG(records_from_value_rows(json::parse("[[1, 2], [3, 4]]"), inputs, 1), HttpError,
                   "too many rows: 2, at most 1 per request");
}

TEST(MlflowScoring, TheEnvelopeUsesMlflowsCodesAndStatuses) {
  auto r = scoring_error_response(422, "bad \xff row", json{{"problems", json::array()}});
  EXPECT_EQ(r.status, 400);
  const json body = json::parse(r.body);
  EXPECT_EQ(body["error_code"], "BAD_REQUEST");
  EXPECT_EQ(body["message"], "bad \xEF\xBF\xBD row");
  EXPECT_TRUE(body.contains("problems"));
  EXPECT_EQ(scoring_error_response(413, "x", {}).status, 400);
  r = scoring_error_response(503, "no model", {});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["error_code"], "TEMPORARILY_UNAVAILABLE");
  EXPECT_EQ(scoring_error_code(404), "RESOURCE_DOES_NOT_EXIST");
}

}  // namespace
}  // namespace loanrisk::testing
