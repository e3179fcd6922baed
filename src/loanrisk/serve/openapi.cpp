// The OpenAPI 3 document served at /openapi.json, written once here next to nothing else so the
// route code stays small.
#include <nlohmann/json.hpp>

#include "loanrisk/core/build_info.hpp"
#include "loanrisk/serve/api.hpp"

namespace loanrisk {
namespace {

using nlohmann::json;

json ref(const std::string& name) {
  return {{"$ref", "#/components/schemas/" + name}};
}

json op(const std::string& summary, const json& request, const json& ok,
        const std::vector<int>& errors, bool secured) {
  json o = {{"summary", summary}};
  if (!request.is_null()) o["requestBody"] = {{"required", true}, {"content", request}};
  o["responses"]["200"] = {{"description", "OK"}, {"content", ok}};
  for (int e : errors) {
    o["responses"][std::to_string(e)] = {
        {"description", "error"}, {"content", {{"application/json", {{"schema", ref("Error")}}}}}};
  }
  if (secured) o["security"] = json::array({{{"bearer", json::array()}}});
  return o;
}

json json_of(const std::string& schema) {
  return {{"application/json", {{"schema", ref(schema)}}}};
}
json text_of(const std::string& type) {
  return {{type, {{"schema", {{"type", "string"}}}}}};
}

/// GET /api/v1/monitoring: the shape the web app's Monitoring page reads.
json monitoring_schema() {
  const json number = {{"type", "number"}};
  const json bins = {
      {"type", "array"},
      {"items",
       {{"type", "object"},
        {"properties",
         {{"lo", number}, {"hi", number}, {"reference", number}, {"live", number}}}}}};
  const json drift = {
      {"type", "object"},
      {"properties",
       {{"psi", {{"type", "number"}, {"nullable", true}}},
        {"status", {{"type", "string"}, {"enum", {"green", "amber", "red", "insufficient"}}}},
        {"bins", bins}}}};
  json feature = drift;
  feature["properties"]["name"] = {{"type", "string"}};
  return {
      {"type", "object"},
      {"properties",
       {{"window_size", {{"type", "integer"}}},
        {"count", {{"type", "integer"}}},
        {"thresholds", {{"type", "object"}, {"properties", {{"amber", number}, {"red", number}}}}},
        {"score", drift},
        {"features", {{"type", "array"}, {"items", feature}}}}}};
}

}  // namespace

const json& openapi_document() {
  static const json doc = [] {
    const json num = {{"type", "number"}};
    const json applicant = {
        {"type", "object"},
        {"required",
         {"credit_lines_outstanding", "loan_amt_outstanding", "total_debt_outstanding", "income",
          "years_employed", "fico_score"}},
        {"properties",
         {{"customer_id", {{"type", "string"}}},
          {"credit_lines_outstanding", {{"type", "integer"}, {"minimum", 0}, {"maximum", 100}}},
          {"loan_amt_outstanding", {{"type", "number"}, {"minimum", 0}}},
          {"total_debt_outstanding", {{"type", "number"}, {"minimum", 0}}},
          {"income", {{"type", "number"}, {"minimum", 0}}},
          {"years_employed", {{"type", "integer"}, {"minimum", 0}, {"maximum", 80}}},
          {"fico_score", {{"type", "integer"}, {"minimum", 300}, {"maximum", 850}}}}}};
    const json applicants = {
        {"oneOf", {ref("Applicant"), {{"type", "array"}, {"items", ref("Applicant")}}}}};
    json d;
    d["openapi"] = "3.0.3";
    d["info"] = {{"title", "loanrisk scoring API"}, {"version", version()}};
    d["components"]["securitySchemes"]["bearer"] = {{"type", "http"}, {"scheme", "bearer"}};
    d["components"]["schemas"] = {
        {"Applicant", applicant},
        {"Applicants", applicants},
        {"Error",
         {{"type", "object"},
          {"properties",
           {{"error", {{"type", "string"}}},
            {"problems",
             {{"type", "array"},
              {"items",
               {{"type", "object"},
                {"properties",
                 {{"row", {{"type", "integer"}}},
                  {"field", {{"type", "string"}}},
                  {"value", json::object()},
                  {"rule", {{"type", "string"}}}}}}}}}}}}},
        {"Predictions",
         {{"type", "object"},
          {"description",
           "model, threshold, predictions[]: "
           "customer_id, pd, grade, decision, "
           "expected_loss, reasons[]"}}},
        {"Explanations",
         {{"type", "object"},
          {"description",
           "explanations[]: base_value, margin, "
           "contributions per feature"}}},
        {"MlflowInput",
         {{"type", "object"},
          {"description",
           "one of dataframe_split, "
           "dataframe_records, instances, "
           "inputs"}}},
        {"MlflowOutput",
         {{"type", "object"},
          {"properties", {{"predictions", {{"type", "array"}, {"items", num}}}}}}},
        {"Object", {{"type", "object"}}}};
    auto& p = d["paths"];
    const std::vector<int> scoring = {400, 401, 413, 415, 422, 503};
    p["/api/v1/predict"]["post"] =
        op("PD, grade, decision, expected loss and reason codes per applicant",
           json_of("Applicants"), json_of("Predictions"), scoring, true);
    p["/api/v1/explain"]["post"] =
        op("SHAP contributions per feature (log-odds)", json_of("Applicants"),
           json_of("Explanations"), scoring, true);
    json mlflow_in = json_of("MlflowInput");
    mlflow_in["text/csv"] = {{"schema", {{"type", "string"}}}};
    p["/invocations"]["post"] =
        op("MLflow scoring protocol", mlflow_in, json_of("MlflowOutput"), scoring, true);
    p["/api/v1/score-csv"]["post"] = op("CSV in, scored CSV out (rejected lines reported)",
                                        text_of("text/csv"), text_of("text/csv"), scoring, true);
    p["/api/v1/model"]["get"] = op("The model serving: version, schema, metrics, lineage, grades",
                                   nullptr, json_of("Object"), {503}, false);
    d["components"]["schemas"]["Monitoring"] = monitoring_schema();
    p["/api/v1/monitoring"]["get"] =
        op("Live drift: PSI of the score and of each input over the last window_size scored rows "
           "against the training reference (docs/monitoring.md)",
           nullptr, json_of("Monitoring"), {409, 503}, false);
    p["/api/v1/admin/reload"]["post"] =
        op("Re-resolve the model URI and swap in the new bundle now", nullptr, json_of("Object"),
           {401, 403, 409}, true);
    p["/healthz"]["get"] = op("Liveness", nullptr, json_of("Object"), {}, false);
    p["/readyz"]["get"] =
        op("Readiness: a model is loaded", nullptr, json_of("Object"), {503}, false);
    p["/metrics"]["get"] = op("Prometheus metrics", nullptr, text_of("text/plain"), {}, false);
    p["/openapi.json"]["get"] = op("This document", nullptr, json_of("Object"), {}, false);
    p["/ping"]["get"] = op("MLflow liveness", nullptr, text_of("text/plain"), {}, false);
    p["/health"]["get"] = op("MLflow health", nullptr, json_of("Object"), {}, false);
    p["/version"]["get"] = op("Server version", nullptr, text_of("text/plain"), {}, false);
    // The web app's files and routes (app_api.cpp).
    p["/"]["get"] =
        op("The web app (embedded in the binary)", nullptr, text_of("text/html"), {}, false);
    p["/app/{file}"]["get"] = op("The web app's scripts, styles and echarts", nullptr,
                                 text_of("text/javascript"), {404}, false);
    p["/api/v1/models"]["get"] =
        op("Registered models: versions with metrics, aliases, history; the model serving", nullptr,
           json_of("Object"), {}, false);
    p["/api/v1/admin/promote"]["post"] =
        op("Point an alias (default champion) at a version {model, version, alias, reason} and "
           "reload",
           json_of("Object"), json_of("Object"), {400, 401, 403, 422}, true);
    p["/api/v1/runs"]["get"] =
        op("Tracked runs (newest 300) with params, metrics and tags; "
           "?experiment=NAME",
           nullptr, json_of("Object"), {400}, false);
    p["/api/v1/runs/{id}"]["get"] =
        op("One run with the history of every metric", nullptr, json_of("Object"), {404}, false);
    p["/api/v1/studies"]["get"] = op("Tuning studies with trial counts and best value", nullptr,
                                     json_of("Object"), {}, false);
    p["/api/v1/studies/{name}"]["get"] =
        op("Study analysis: history, importances, slice, parallel coordinates", nullptr,
           json_of("Object"), {404}, false);
    p["/api/v1/admin/jobs"]["post"] =
        op("Start a background train or tune run {family, features, tune, trials, experiment, "
           "data}",
           json_of("Object"), json_of("Object"), {400, 401, 403, 422, 429}, true);
    p["/api/v1/jobs"]["get"] = op("Background jobs, families and features a job may use", nullptr,
                                  json_of("Object"), {401, 403}, true);
    p["/api/v1/jobs/{id}"]["get"] = op("A job's state, trials done / total, exit code, stderr tail",
                                       nullptr, json_of("Object"), {401, 403, 404}, true);
    p["/api/v1/data"]["get"] = op("EDA of the served model's training data (else its schema)",
                                  nullptr, json_of("Object"), {503}, false);
    p["/api/v1/model/card"]["get"] =
        op("The served model's card (Markdown)", nullptr, json_of("Object"), {503}, false);
    for (const char* path :
         {"/app/{file}", "/api/v1/runs/{id}", "/api/v1/studies/{name}", "/api/v1/jobs/{id}"}) {
      const std::string s = path;
      const std::string name = s.substr(s.find('{') + 1, s.find('}') - s.find('{') - 1);
      p[path]["get"]["parameters"] = json::array(
          {{{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}}});
    }
    return d;
  }();
  return doc;
}

}  // namespace loanrisk
