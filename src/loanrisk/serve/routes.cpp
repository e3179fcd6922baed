// Path templates matched segment by segment, checked once when the table is built.
#include "loanrisk/serve/routes.hpp"

#include <algorithm>

#include "loanrisk/core/error.hpp"

namespace loanrisk {
namespace {

[[noreturn]] void refuse(const std::string& what) {
  throw InternalError("route table: " + what);
}

bool is_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

/// The template's path with every parameter's name dropped: two templates with the same shape
/// match the same paths.
std::string shape_of(const std::string& label) {
  std::string out;
  bool in_name = false;
  for (char c : label) {
    if (c == '{') in_name = true;
    if (!in_name) out += c;
    if (c == '}') {
      in_name = false;
      out += "{}";
    }
  }
  return out;
}

}  // namespace

std::string route_label(std::string_view path_template) {
  std::string out(path_template);
  if (const auto dots = out.find("...}"); dots != std::string::npos) out.erase(dots, 3);
  return out;
}

RouteTable::RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Route& r = routes_[i];
    const std::string name = r.method + " " + r.path;
    if (r.method.empty() || !std::all_of(r.method.begin(), r.method.end(),
                                         [](char c) { return c >= 'A' && c <= 'Z'; })) {
      refuse("method of " + name + " must be upper-case letters");
    }
    if (!r.handler) refuse(name + " has no handler");
    if (r.summary.empty()) refuse(name + " has no summary (openapi.json shows it)");
    auto t = std::find_if(templates_.begin(), templates_.end(),
                          [&](const Template& x) { return x.path == r.path; });
    if (t == templates_.end()) {
      Template n;
      n.path = r.path;
      n.label = route_label(r.path);
      if (!r.path.starts_with("/")) refuse("template '" + r.path + "' must start with '/'");
      std::size_t params = 0;
      if (r.path != "/") {
        std::size_t pos = 1;
        while (true) {
          const auto slash = r.path.find('/', pos);
          const std::string seg =
              r.path.substr(pos, slash == std::string::npos ? slash : slash - pos);
          const bool last = slash == std::string::npos;
          if (seg.empty()) refuse("template '" + r.path + "' has an empty segment");
          if (seg.front() == '{' && seg.back() == '}') {
            std::string inner = seg.substr(1, seg.size() - 2);
            const bool rest = inner.ends_with("...");
            if (rest) inner.resize(inner.size() - 3);
            if (!is_name(inner)) {
              refuse("template '" + r.path +
                     "': a parameter's name is lower-case letters, "
                     "digits and '_'");
            }
            if (rest && !last) {
              refuse("template '" + r.path + "': {" + inner + "...} must be the last segment");
            }
            // A {name...} may follow the one {parameter}: its segments are the call's rest.
            if (!rest && ++params > 1) {
              refuse("template '" + r.path + "' has more than one parameter");
            }
            n.segments.push_back({rest ? Segment::Rest : Segment::Param, inner});
            n.rank += rest ? '0' : '1';
          } else if (seg.find_first_of("{}") != std::string::npos) {
            refuse("template '" + r.path + "': a parameter is a whole segment, {name}");
          } else {
            n.segments.push_back({Segment::Literal, seg});
            n.rank += '2';
          }
          if (last) break;
          pos = slash + 1;
        }
      }
      for (const Template& other : templates_) {
        if (shape_of(other.label) == shape_of(n.label)) {
          refuse(other.path + " and " + n.path + " match the same paths");
        }
      }
      templates_.push_back(std::move(n));
      t = templates_.end() - 1;
    }
    for (std::size_t j : t->routes) {
      if (routes_[j].method == r.method) refuse(name + " is listed twice");
    }
    t->routes.push_back(i);
  }
  for (Template& t : templates_) {
    bool get = false, head = false;
    for (std::size_t j : t.routes) {
      t.allow += (t.allow.empty() ? "" : ", ") + routes_[j].method;
      get = get || routes_[j].method == "GET";
      head = head || routes_[j].method == "HEAD";
    }
    // HEAD is GET without the body (RFC 9110 9.3.2); the transport drops the body.
    if (get && !head) t.allow += ", HEAD";
  }
  for (std::size_t i = 0; i < templates_.size(); ++i) {
    const auto& segments = templates_[i].segments;
    const bool literal = std::all_of(segments.begin(), segments.end(),
                                     [](const Segment& g) { return g.kind == Segment::Literal; });
    if (literal) {
      literal_.emplace(templates_[i].path, i);
    } else {
      patterned_.push_back(i);
    }
  }
}

bool RouteTable::matches(const Template& t, std::string_view path, std::string_view& param,
                         std::string_view& rest) {
  if (path.empty() || path.front() != '/') return false;
  std::string_view remaining = path.substr(1);
  if (t.segments.empty()) return remaining.empty();
  bool has_param = false;
  for (std::size_t i = 0; i < t.segments.size(); ++i) {
    const Segment& s = t.segments[i];
    if (s.kind == Segment::Rest) {
      if (remaining.empty() || remaining.front() == '/') return false;
      (has_param ? rest : param) = remaining;
      return true;
    }
    has_param = has_param || s.kind == Segment::Param;
    const auto slash = remaining.find('/');
    const std::string_view seg = remaining.substr(0, slash);
    if (s.kind == Segment::Literal ? seg != s.text : seg.empty()) return false;
    if (s.kind == Segment::Param) param = seg;
    if (i + 1 == t.segments.size()) return slash == std::string_view::npos;
    if (slash == std::string_view::npos) return false;
    remaining = remaining.substr(slash + 1);
  }
  return false;
}

RouteTable::Resolution RouteTable::resolve(std::string_view method, std::string_view path) const {
  const Template* best = nullptr;
  std::string_view best_param, best_rest;
  if (const auto exact = literal_.find(path); exact != literal_.end()) {
    best = &templates_[exact->second];
  } else {
    for (std::size_t i : patterned_) {
      const Template& t = templates_[i];
      std::string_view param, rest;
      if (matches(t, path, param, rest) && (!best || t.rank > best->rank)) {
        best = &t;
        best_param = param;
        best_rest = rest;
      }
    }
  }
  Resolution r;
  if (!best) return r;
  r.label = best->label;
  r.param = best_param;
  r.rest = best_rest;
  r.allow = best->allow;
  const Route* get = nullptr;
  for (std::size_t j : best->routes) {
    if (routes_[j].method == method) {
      r.route = &routes_[j];
      return r;
    }
    if (routes_[j].method == "GET") get = &routes_[j];
  }
  if (method == "HEAD") r.route = get;
  return r;
}

}  // namespace loanrisk
