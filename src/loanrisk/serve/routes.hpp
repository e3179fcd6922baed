#pragma once
// What a route is given and what it answers, and the server's one table of routes: each entry's
// method, path template, access, handler and summary. Dispatch, the token check, the metrics
// label and openapi.json all read the table (the table itself: serve/route_table.cpp).
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "loanrisk/tracking/users.hpp"

namespace loanrisk {

/// What the transport parsed.
struct HttpRequest {
  std::string method;         ///< "GET", "POST", ...
  std::string target;         ///< path and query, as sent.
  std::string content_type;   ///< the Content-Type header ("" when absent).
  std::string authorization;  ///< the Authorization header ("" when absent).
  std::string body;
  std::string if_none_match = {};    ///< the If-None-Match header ("" when absent).
  std::string client = {};           ///< the peer's address:port, for the audit trail.
  std::string cookie = {};           ///< the Cookie header ("" when absent).
  std::string csrf_token = {};       ///< the X-CSRF-Token header ("" when absent).
  std::string accept_encoding = {};  ///< the Accept-Encoding header ("" when absent).
};

/// What the transport sends back.
struct HttpResponse {
  int status = 200;
  /// Always a string literal (or other static text): the transport reads it after the handler
  /// returns, and a view spares the allocation "application/json" would cost as a std::string.
  std::string_view content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers.
  /// What a state-changing route did, in words, for the audit trail's detail ("" for nothing).
  std::string audit_note = {};
};

/// Who may call a route. The environment's tokens: LOANRISK_API_TOKEN for Predict (when
/// require_token_for_predict is set), LOANRISK_ADMIN_TOKEN for the others. A local user's token
/// (`loanrisk users add`) for any route its role allows (docs/security.md).
enum class Access {
  Open,       ///< anyone.
  Predict,    ///< anyone unless require_token_for_predict; then officer, analyst, validator, admin.
  Analyst,    ///< training and tuning jobs: analyst or admin.
  Promote,    ///< asking for a promotion: analyst, validator or admin.
  Artifacts,  ///< a run's files and model bundle: analyst, validator or admin (audited).
  Validator,  ///< approving promotions: validator or admin.
  Admin,      ///< the server itself (reload): admin.
  Signed,     ///< any identity the server knows, whatever its roles: signing in and out.
};

/// What a handler is given.
struct RouteCall {
  const HttpRequest& request;
  const std::string& path;   ///< the path as sent, without the query.
  const std::string& query;  ///< what follows '?' ("" when nothing does).
  std::string_view param;    ///< the template's {parameter} as sent (not decoded); "" for none.
  const Identity& who;       ///< who the access check found (anonymous on open routes).
  /// The {name...} segments of a template that has a {parameter} before them, as sent; "" else.
  std::string_view rest = {};
};

using RouteHandler = std::function<HttpResponse(const RouteCall&)>;

/// One method on one path template.
struct Route {
  std::string method;  ///< "GET", "POST", ...; a GET route also answers HEAD.
  /// "/api/v1/runs/{id}": literal segments and at most one {parameter}, a whole segment that
  /// matches any non-empty segment; {name...} as the last segment takes the rest of the path
  /// (one or more segments): the call's param when it is the only parameter, its rest after a
  /// {parameter} ("/api/v1/runs/{id}/artifacts/{path...}"). As route_label() shows it, also the
  /// metrics label and the path in openapi.json.
  std::string path;
  Access access = Access::Open;
  RouteHandler handler;
  std::string summary;  ///< one line, the operation's summary in openapi.json.
};

/// A path template as metrics labels and openapi.json show it: {name...} becomes {name}.
std::string route_label(std::string_view path_template);

/// The routes, matched segment by segment; read-only after construction, so safe to share
/// between threads.
class RouteTable {
 public:
  /// InternalError for a malformed template, a method listed twice on a template, two templates
  /// that match the same paths, or an entry without handler or summary.
  explicit RouteTable(std::vector<Route> routes);

  const std::vector<Route>& routes() const { return routes_; }

  /// What a method and path lead to.
  struct Resolution {
    const Route* route = nullptr;  ///< the route to call; null: 404 (label empty) or 405.
    std::string_view label;        ///< the template that matched as labels show it; "" for none.
    std::string_view param;        ///< the path's segment(s) in the template's {parameter}.
    std::string_view rest;         ///< the {name...} segments after a {parameter}, else "".
    std::string_view allow;        ///< the template's methods for an Allow header (with HEAD).
  };
  /// The route for method and path (without query). A literal segment is preferred to a
  /// parameter, a {parameter} to a {parameter...}; HEAD finds the GET route.
  Resolution resolve(std::string_view method, std::string_view path) const;

 private:
  struct Segment {
    enum Kind { Literal, Param, Rest } kind;
    std::string text;  ///< a literal's text, a parameter's name.
  };
  struct Template {
    std::string path;  ///< as the routes write it.
    std::string label;
    std::vector<Segment> segments;  ///< none for "/".
    std::string rank;               ///< one character per segment; greater is more specific.
    std::vector<std::size_t> routes;
    std::string allow;
  };
  static bool matches(const Template& t, std::string_view path, std::string_view& param,
                      std::string_view& rest);

  struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::vector<Route> routes_;
  std::vector<Template> templates_;
  // A template of literal segments only matches one path, and outranks every template with a
  // parameter that also matches it: those are found by hash, only the others by a scan (the scan
  // over every template was more of a predict request's time than its SHAP values).
  std::unordered_map<std::string, std::size_t, PathHash, std::equal_to<>> literal_;
  std::vector<std::size_t> patterned_;
};

}  // namespace loanrisk
