// The OpenAPI 3 document served at /openapi.json: every route of the table (route_table.cpp) with
// its summary, and here the detailed request and response schemas of the routes that have them,
// keyed by the table's method and path, so the route code stays small.
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "loanrisk/core/build_info.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/data/schema.hpp"
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

/// What openapi.json says of a route beyond its summary.
struct Operation {
  json request;             ///< the request body's content; null: none.
  json ok;                  ///< the 200 answer's content.
  std::vector<int> errors;  ///< the other statuses the route answers, each with an Error body.
};

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

/// An applicant as the loan schema defines it (what /api/v1/predict validates against): its id,
/// then every feature with its type, valid range, unit and description.
json applicant_schema(const Schema& schema) {
  json required = json::array(), properties = json::object();
  if (const ColumnSpec* id = schema.id()) properties[id->name] = {{"type", "string"}};
  for (const ColumnSpec& c : schema.columns) {
    if (c.role != ColumnRole::Feature) continue;
    json p = {{"type", c.type == ColumnType::Integer ? "integer" : "number"}};
    if (std::isfinite(c.min)) p["minimum"] = c.min;
    if (std::isfinite(c.max)) p["maximum"] = c.max;
    std::string description = c.description;
    if (!c.unit.empty()) description += (description.empty() ? "" : " ") + ("(" + c.unit + ")");
    if (!description.empty()) p["description"] = description;
    properties[c.name] = p;
    if (c.required) required.push_back(c.name);
  }
  return {{"type", "object"}, {"required", required}, {"properties", properties}};
}

}  // namespace

json openapi_document(const RouteTable& routes) {
  const json num = {{"type", "number"}};
  const json applicant = applicant_schema(Schema::loan_default());
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
         "expected_loss, reasons[]; a points scorecard adds score (integer points) and "
         "points_reasons[] (feature, code, points, max_points, points_lost, text)"}}},
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
      {"Object", {{"type", "object"}}},
      {"JobLog",
       {{"type", "object"},
        {"description",
         "text: the log from offset to next_offset (at most 64 KiB, valid UTF-8); size: the "
         "log's bytes now; skipped: bytes after the offset asked for that were left out"},
        {"properties",
         {{"id", {{"type", "string"}}},
          {"state", {{"type", "string"}}},
          {"offset", {{"type", "integer"}}},
          {"next_offset", {{"type", "integer"}}},
          {"size", {{"type", "integer"}}},
          {"skipped", {{"type", "integer"}}},
          {"text", {{"type", "string"}}}}}}},
      {"StopRequest",
       {{"type", "object"},
        {"required", {"reason"}},
        {"properties", {{"reason", {{"type", "string"}}}}}}},
      {"Monitoring", monitoring_schema()}};

  // The routes' details by "METHOD path" as the route table writes them (with {name...} shown as
  // {name}). A route not listed answers a JSON object, with 401 and 403 when it takes a token.
  const std::vector<int> scoring = {400, 401, 413, 415, 422, 503};
  json mlflow_in = json_of("MlflowInput");
  mlflow_in["text/csv"] = {{"schema", {{"type", "string"}}}};
  std::map<std::string, Operation> details = {
      {"POST /api/v1/predict", {json_of("Applicants"), json_of("Predictions"), scoring}},
      {"POST /api/v1/explain", {json_of("Applicants"), json_of("Explanations"), scoring}},
      {"POST /invocations", {mlflow_in, json_of("MlflowOutput"), scoring}},
      {"POST /api/v1/score-csv", {text_of("text/csv"), text_of("text/csv"), scoring}},
      {"GET /api/v1/model", {nullptr, json_of("Object"), {503}}},
      {"GET /api/v1/monitoring", {nullptr, json_of("Monitoring"), {409, 503}}},
      {"POST /api/v1/admin/reload", {nullptr, json_of("Object"), {401, 403, 409}}},
      {"GET /healthz", {nullptr, json_of("Object"), {}}},
      {"GET /readyz", {nullptr, json_of("Object"), {503}}},
      {"GET /metrics", {nullptr, text_of("text/plain"), {}}},
      {"GET /ping", {nullptr, text_of("text/plain"), {}}},
      {"GET /version", {nullptr, text_of("text/plain"), {}}},
      {"GET /", {nullptr, text_of("text/html"), {}}},
      {"GET /app/{file}", {nullptr, text_of("text/javascript"), {404}}},
      {"POST /api/v1/admin/promote", {json_of("Object"), json_of("Object"), {400, 401, 403, 422}}},
      {"GET /api/v1/runs", {nullptr, json_of("Object"), {400}}},
      {"GET /api/v1/runs/{id}", {nullptr, json_of("Object"), {404}}},
      {"GET /api/v1/runs/{id}/artifacts", {nullptr, json_of("Object"), {404}}},
      {"GET /api/v1/runs/{id}/artifacts/{path}",
       {nullptr, text_of("application/octet-stream"), {400, 401, 403, 404, 413}}},
      {"GET /api/v1/runs/{id}/report", {nullptr, text_of("text/html"), {404}}},
      {"GET /api/v1/runs/{id}/bundle",
       {nullptr, text_of("application/x-tar"), {401, 403, 404, 413}}},
      {"POST /api/v1/admin/register",
       {json_of("Object"), json_of("Object"), {400, 401, 403, 404, 409, 422}}},
      {"GET /api/v1/studies/{name}", {nullptr, json_of("Object"), {404}}},
      {"POST /api/v1/admin/jobs",
       {json_of("Object"), json_of("Object"), {400, 401, 403, 422, 429}}},
      {"GET /api/v1/jobs/{id}", {nullptr, json_of("Object"), {401, 403, 404}}},
      {"GET /api/v1/jobs/{id}/log", {nullptr, json_of("JobLog"), {401, 403, 404, 422}}},
      {"POST /api/v1/admin/jobs/{id}/stop",
       {json_of("StopRequest"), json_of("Object"), {400, 401, 403, 404, 409, 422}}},
      {"GET /api/v1/data", {nullptr, json_of("Object"), {503}}},
      {"GET /api/v1/model/card", {nullptr, json_of("Object"), {503}}},
      {"GET /api/v1/audit", {nullptr, json_of("Object"), {401, 403, 422}}},
  };

  auto& p = d["paths"];
  for (const Route& r : routes.routes()) {
    const std::string path = route_label(r.path);
    const std::string key = r.method + " " + path;
    const bool secured = r.access != Access::Open;
    Operation o{nullptr, json_of("Object"), {}};
    if (const auto it = details.find(key); it != details.end()) {
      o = std::move(it->second);
      details.erase(it);
    } else if (secured) {
      o.errors = {401, 403};
    }
    json operation = op(r.summary, o.request, o.ok, o.errors, secured);
    for (auto open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
      const std::string name = path.substr(open + 1, path.find('}', open) - open - 1);
      operation["parameters"].push_back(
          {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(c - 'A' + 'a');
    p[path][method] = std::move(operation);
  }
  if (!details.empty()) {
    throw InternalError("openapi.cpp describes " + details.begin()->first +
                        ", which is not in the route table (serve/route_table.cpp)");
  }
  return d;
}

}  // namespace loanrisk
