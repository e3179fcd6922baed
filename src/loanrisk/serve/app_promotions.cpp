// Promotion from the web app and the API. Moving a protected alias (champion by default) once the
// store has users takes two people: one requests, a validator who neither trained, registered
// nor requested the version approves. Without users (single-user mode on loopback) an alias moves
// at once, as the page states. Either way a protected alias moves only to a version with a
// validation report without red gates, or with an override and its reason (ModelRegistry).
#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/registry/registry_json.hpp"
#include "loanrisk/serve/app_api.hpp"
#include "loanrisk/serve/http_error.hpp"

namespace loanrisk {
namespace {

bool is_person(const Identity& who) {
  return who.source == "user" || who.source == "oidc";
}

std::string required_reason(const nlohmann::json& body) {
  const nlohmann::json reason = body.is_object() ? body.value("reason", nlohmann::json()) : nullptr;
  if (!reason.is_string() ||
      reason.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
    throw HttpError(422, "invalid decision: fix each listed field and resend",
                    {{"problems",
                      {{{"field", "reason"},
                        {"value", reason},
                        {"rule", "must say why (it is recorded in the registry's history)"}}}}});
  }
  return reason.get<std::string>();
}

std::int64_t request_id(std::string_view param) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(param.data(), param.data() + param.size(), id);
  if (ec != std::errc() || end != param.data() + param.size() || id < 1) {
    throw HttpError(404, "no promotion request " + echo_text(param) +
                             ": request ids are positive integers (see GET /api/v1/models)");
  }
  return id;
}

/// The bundle is checked before an alias moves: a version that cannot be loaded must not become
/// what every reader of the alias (this server, batch jobs, other servers) gets.
void check_loadable(const ModelVersion& v, const std::string& alias) {
  try {
    (void)Bundle::load(v.source);
  } catch (const std::exception& e) {
    throw HttpError(409, "version " + std::to_string(v.version) + " of " + v.name +
                             " cannot be served, so " + alias + " was not moved: " + e.what());
  }
}

}  // namespace

HttpResponse AppRoutes::promote(const RouteCall& call) const {
  const nlohmann::json body = parse_json_body(call.request.body);
  if (!body.is_object()) {
    throw HttpError(422,
                    "expected {\"model\": NAME, \"version\": N, \"alias\": \"champion\", "
                    "\"reason\": \"why\", \"report_sha256\": optional, \"override\": false}");
  }
  nlohmann::json problems = nlohmann::json::array();
  const auto field = [&](const char* name) { return body.value(name, nlohmann::json()); };
  const nlohmann::json model = field("model"), version = field("version"),
                       alias = body.value("alias", nlohmann::json("champion")),
                       reason = field("reason"),
                       report = body.value("report_sha256", nlohmann::json("")),
                       override_gate = body.value("override", nlohmann::json(false));
  if (!model.is_string() || model.get<std::string>().empty()) {
    problems.push_back({{"field", "model"}, {"value", model}, {"rule", "must be a model name"}});
  }
  if (!version.is_number_integer() || version.get<long long>() < 1) {
    problems.push_back(
        {{"field", "version"}, {"value", version}, {"rule", "must be a version number >= 1"}});
  }
  if (!alias.is_string() || alias.get<std::string>().empty()) {
    problems.push_back({{"field", "alias"}, {"value", alias}, {"rule", "must be an alias name"}});
  }
  if (!reason.is_string() ||
      reason.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
    problems.push_back({{"field", "reason"},
                        {"value", reason},
                        {"rule", "must say why (it is recorded in the registry's history)"}});
  }
  if (!report.is_string()) {
    problems.push_back({{"field", "report_sha256"},
                        {"value", report},
                        {"rule", "must be the sha256 of the validation report (64 hex digits)"}});
  }
  if (!override_gate.is_boolean()) {
    problems.push_back({{"field", "override"},
                        {"value", override_gate},
                        {"rule",
                         "must be true (move despite a missing or red validation report, "
                         "the reason says why) or false"}});
  }
  if (!problems.empty()) {
    throw HttpError(422, "invalid promotion: fix each listed field and resend",
                    {{"problems", problems}});
  }
  const std::string name = model.get<std::string>(), alias_name = alias.get<std::string>();
  const std::int64_t number = version.get<std::int64_t>();
  const auto& guarded = settings_.protected_aliases;
  const bool four_eyes = std::find(guarded.begin(), guarded.end(), alias_name) != guarded.end() &&
                         (is_person(call.who) || identities_.has_users());
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store, call.who.name);
  registry.set_gated_aliases(guarded);  // the validation gate: GateError (409) without evidence
  const ModelVersion target = registry.get_version(name, number);  // UsageError naming what exists
  check_loadable(target, alias_name);
  if (four_eyes) {
    if (!is_person(call.who)) {
      throw HttpError(403, "@" + alias_name +
                               " is protected and this store has users: a shared token cannot "
                               "ask for its move; sign in as a user (analyst or validator) and "
                               "have a second validator approve");
    }
    const AliasRequest r =
        registry.request_alias(name, alias_name, number, reason.get<std::string>(),
                               report.get<std::string>(), override_gate.get<bool>());
    HttpResponse out = json_response({{"moved", false}, {"request", request_to_json(r)}}, 202);
    out.audit_note = "requested " + name + "@" + alias_name + " -> version " +
                     std::to_string(number) + " (request " + std::to_string(r.id) + ")";
    return out;
  }
  const bool moved = registry.set_alias(name, alias_name, number, reason.get<std::string>(),
                                        report.get<std::string>(), override_gate.get<bool>());
  store.reset();
  // The server follows an alias: reload now rather than at the next poll.
  const ReloadResult reloaded = holder_.reload(false);
  nlohmann::json j = {{"moved", moved}, {"reloaded", reloaded.changed}};
  if (reloaded.model) {
    j["serving"] = {{"name", reloaded.model->name}, {"version", reloaded.model->version}};
  }
  if (!reloaded.error.empty()) j["reload_error"] = reloaded.error;
  HttpResponse out = json_response(j);
  out.audit_note = (moved ? "moved " : "already at ") + name + "@" + alias_name + " -> version " +
                   std::to_string(number);
  return out;
}

HttpResponse AppRoutes::approve(const RouteCall& call) const {
  const std::int64_t id = request_id(call.param);
  const std::string reason = required_reason(parse_json_body(call.request.body));
  if (!is_person(call.who)) {
    throw HttpError(403,
                    "an approval needs a person: sign in as a validator (a shared token cannot "
                    "be the second pair of eyes)");
  }
  AliasRequest r;
  {
    auto store = open_app_store(settings_);
    ModelRegistry registry(*store, call.who.name);
    registry.set_gated_aliases(settings_.protected_aliases);
    const AliasRequest pending = registry.get_request(id);
    check_loadable(registry.get_version(pending.name, pending.version), pending.alias);
    r = registry.approve_request(id, reason);  // RefusedError (403) under the four-eyes rule
  }
  const ReloadResult reloaded = holder_.reload(false);
  nlohmann::json j = {{"request", request_to_json(r)}, {"reloaded", reloaded.changed}};
  if (reloaded.model) {
    j["serving"] = {{"name", reloaded.model->name}, {"version", reloaded.model->version}};
  }
  if (!reloaded.error.empty()) j["reload_error"] = reloaded.error;
  HttpResponse out = json_response(j);
  out.audit_note = "approved request " + std::to_string(id) + ": " + r.name + "@" + r.alias +
                   " -> version " + std::to_string(r.version);
  return out;
}

HttpResponse AppRoutes::reject(const RouteCall& call) const {
  const std::int64_t id = request_id(call.param);
  const std::string reason = required_reason(parse_json_body(call.request.body));
  if (!is_person(call.who)) {
    throw HttpError(403, "a decision on a request needs a person: sign in as a user");
  }
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store, call.who.name);
  const AliasRequest pending = registry.get_request(id);
  const bool validator = call.who.has(Role::kValidator) || call.who.has(Role::kAdmin);
  if (pending.requested_by != call.who.name && !validator) {
    throw HttpError(403, "only a validator (or the requester, to withdraw it) can reject request " +
                             std::to_string(id));
  }
  const AliasRequest r = registry.reject_request(id, reason);
  HttpResponse out = json_response({{"request", request_to_json(r)}});
  out.audit_note = r.state + " request " + std::to_string(id) + ": " + r.name + "@" + r.alias +
                   " -> version " + std::to_string(r.version);
  return out;
}

}  // namespace loanrisk
