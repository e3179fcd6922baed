#include "loanrisk/tracking/mlflow_search.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

constexpr const char* kExample =
    "example: metrics.auc_roc > 0.9 and params.max_depth = '4' and tags.team LIKE 'risk%' and "
    "attributes.status IN ('FINISHED', 'RUNNING')";

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// The entity a prefix names, "" when it names none.
std::string entity_of(const std::string& word) {
  const std::string w = lower(word);
  if (w == "metric" || w == "metrics") return "metrics";
  if (w == "param" || w == "params" || w == "parameter" || w == "parameters") return "params";
  if (w == "tag" || w == "tags") return "tags";
  if (w == "attribute" || w == "attributes" || w == "attr" || w == "run") return "attributes";
  return "";
}

bool key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '/' || c == ':';
}

class Parser {
 public:
  explicit Parser(const std::string& text) : s_(text) {}

  std::vector<MlflowClause> filter() {
    std::vector<MlflowClause> out;
    skip_space();
    if (pos_ == s_.size()) return out;
    for (;;) {
      out.push_back(clause());
      skip_space();
      if (pos_ == s_.size()) return out;
      const std::size_t at = pos_;
      if (upper(word()) != "AND") {
        pos_ = at;
        fail("expected AND or the end of the filter (MLflow has no OR)");
      }
    }
  }

  /// One order_by item: the identifier and whether it is ascending.
  MlflowClause order_item(bool& ascending) {
    skip_space();
    MlflowClause c;
    identifier(c);
    skip_space();
    ascending = true;
    if (pos_ < s_.size()) {
      const std::size_t at = pos_;
      const std::string dir = upper(word());
      if (dir == "DESC") {
        ascending = false;
      } else if (dir != "ASC") {
        pos_ = at;
        fail("expected ASC or DESC after the key");
      }
    }
    skip_space();
    if (pos_ != s_.size()) fail("expected the end of the order_by item");
    return c;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw UsageError("bad search expression '" + echo_text(s_, 200) + "' at character " +
                     std::to_string(pos_ + 1) + ": " + what + "; " + kExample);
  }

  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }

  std::string word() {
    skip_space();
    const std::size_t start = pos_;
    while (pos_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  std::string quoted(const char* what) {
    const char q = s_[pos_];
    const std::size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) fail(std::string("unterminated quoted ") + what);
    std::string out = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return out;
  }

  std::string bare_key() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && key_char(s_[pos_])) ++pos_;
    if (start == pos_) fail("expected a key");
    return s_.substr(start, pos_ - start);
  }

  void identifier(MlflowClause& c) {
    skip_space();
    if (pos_ >= s_.size()) fail("expected a key such as metrics.auc or params.max_depth");
    if (s_[pos_] == '"' || s_[pos_] == '`') {
      c.key = quoted("key");
      return;
    }
    const std::size_t start = pos_;
    while (pos_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    const std::string first = s_.substr(start, pos_ - start);
    const std::string entity = entity_of(first);
    if (!entity.empty() && pos_ < s_.size() && s_[pos_] == '.') {
      c.entity = entity;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '`')) {
        c.key = quoted("key");
      } else {
        c.key = bare_key();
      }
      return;
    }
    pos_ = start;
    c.key = bare_key();
  }

  std::string op() {
    skip_space();
    for (const char* candidate : {"!=", "<=", ">=", "=", "<", ">"}) {
      const std::string o(candidate);
      if (s_.compare(pos_, o.size(), o) == 0) {
        pos_ += o.size();
        return o;
      }
    }
    const std::size_t at = pos_;
    const std::string w = upper(word());
    if (w == "LIKE" || w == "ILIKE" || w == "IN") return w;
    if (w == "NOT" && upper(word()) == "IN") return "NOT IN";
    pos_ = at;
    fail("expected one of = != < <= > >= LIKE ILIKE IN, NOT IN");
  }

  MlflowClause clause() {
    MlflowClause c;
    identifier(c);
    c.op = op();
    skip_space();
    if (pos_ >= s_.size()) fail("expected a value");
    if (c.op == "IN" || c.op == "NOT IN") {
      if (s_[pos_] != '(')
        fail("expected a list in parentheses after " + c.op + ", e.g. ('a', 'b')");
      ++pos_;
      for (;;) {
        skip_space();
        if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) {
          fail("expected a quoted string in the list");
        }
        c.values.push_back(quoted("string"));
        skip_space();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == ')') {
          ++pos_;
          return c;
        }
        fail("expected ',' or ')' in the list");
      }
    }
    if (s_[pos_] == '\'' || s_[pos_] == '"') {
      c.values.push_back(quoted("string"));
      return c;
    }
    const std::size_t start = pos_;
    while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    const std::string text = s_.substr(start, pos_ - start);
    char* end = nullptr;
    c.numeric = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(c.numeric)) {
      pos_ = start;
      fail("expected a number or a quoted string");
    }
    c.number = true;
    c.values.push_back(text);
    return c;
  }

  const std::string& s_;
  std::size_t pos_ = 0;
};

bool numeric_attribute(const std::string& key) {
  return key == "start_time" || key == "end_time" || key == "created" || key == "Created";
}

bool string_attribute(const std::string& key) {
  return key == "run_id" || key == "run_name" || key == "status" || key == "user_id" ||
         key == "artifact_uri" || key == "lifecycle_stage";
}

bool compare(double a, const std::string& op, double b) {
  if (op == "=") return a == b;
  if (op == "!=") return a != b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  return a >= b;
}

bool numeric_op(const std::string& op) {
  return op == "=" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=";
}

std::optional<double> numeric_value(const MlflowSearchRun& r, const MlflowClause& c) {
  if (c.entity == "metrics") {
    const auto it = r.record.metrics.find(c.key);
    if (it == r.record.metrics.end() || std::isnan(it->second)) return std::nullopt;
    return it->second;
  }
  if (c.key == "end_time") {
    if (!r.record.run.end_ms) return std::nullopt;
    return static_cast<double>(*r.record.run.end_ms);
  }
  return static_cast<double>(r.record.run.start_ms);
}

std::optional<std::string> string_value(const MlflowSearchRun& r, const MlflowClause& c) {
  if (c.entity == "params" || c.entity == "tags") {
    const auto& m = c.entity == "params" ? r.record.params : r.record.tags;
    const auto it = m.find(c.key);
    if (it == m.end()) return std::nullopt;
    return it->second;
  }
  const Run& run = r.record.run;
  if (c.key == "run_id") return run.id;
  if (c.key == "run_name") return run.name;
  if (c.key == "status") return to_string(run.status);
  if (c.key == "user_id") return run.user;
  if (c.key == "lifecycle_stage") return std::string(r.deleted ? "deleted" : "active");
  return r.artifact_uri;
}

bool is_numeric_clause(const MlflowClause& c) {
  return c.entity == "metrics" || (c.entity == "attributes" && numeric_attribute(c.key));
}

}  // namespace

std::vector<MlflowClause> parse_mlflow_filter(const std::string& text) {
  require_utf8("the search filter", text);
  return Parser(text).filter();
}

void check_mlflow_run_filter(const std::vector<MlflowClause>& clauses) {
  for (const MlflowClause& c : clauses) {
    const std::string name = (c.entity.empty() ? "" : c.entity + ".") + c.key;
    if (c.entity.empty()) {
      throw UsageError("bad search key '" + echo_text(c.key) +
                       "': name what it is, metrics.<key>, params.<key>, tags.<key> or "
                       "attributes.<name>");
    }
    if (c.entity == "attributes" && !numeric_attribute(c.key) && !string_attribute(c.key)) {
      throw UsageError("unknown attribute '" + echo_text(c.key) +
                       "': use run_id, run_name, status, user_id, artifact_uri, start_time or "
                       "end_time");
    }
    if (is_numeric_clause(c)) {
      if (!numeric_op(c.op) || !c.number) {
        throw UsageError(name + " compares with = != < <= > >= against a number");
      }
    } else if (numeric_op(c.op) && c.op != "=" && c.op != "!=") {
      throw UsageError(name + " is text: compare it with = != LIKE ILIKE IN or NOT IN");
    } else if (c.number) {
      throw UsageError(name + " is text: quote the value ('" + c.values.at(0) + "')");
    }
  }
}

bool sql_like(const std::string& text, const std::string& pattern, bool case_insensitive) {
  const auto fold = [&](char c) {
    return case_insensitive ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
  };
  // Iterative matching with one backtrack point for the last '%'.
  std::size_t t = 0, p = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '_' || fold(pattern[p]) == fold(text[t]))) {
      ++t;
      ++p;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      mark = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

bool mlflow_string_matches(const MlflowClause& c, const std::string& actual) {
  if (c.op == "=") return actual == c.values.at(0);
  if (c.op == "!=") return actual != c.values.at(0);
  if (c.op == "LIKE") return sql_like(actual, c.values.at(0), false);
  if (c.op == "ILIKE") return sql_like(actual, c.values.at(0), true);
  const bool in = std::find(c.values.begin(), c.values.end(), actual) != c.values.end();
  return c.op == "IN" ? in : !in;
}

bool mlflow_run_matches(const std::vector<MlflowClause>& clauses, const MlflowSearchRun& run) {
  for (const MlflowClause& c : clauses) {
    if (is_numeric_clause(c)) {
      const auto v = numeric_value(run, c);
      if (!v || !compare(*v, c.op, c.numeric)) return false;
    } else {
      const auto v = string_value(run, c);
      if (!v || !mlflow_string_matches(c, *v)) return false;
    }
  }
  return true;
}

void sort_mlflow_runs(std::vector<MlflowSearchRun>& runs,
                      const std::vector<std::string>& order_by) {
  struct Key {
    MlflowClause id;
    bool ascending = true;
  };
  std::vector<Key> keys;
  for (const std::string& item : order_by) {
    require_utf8("an order_by item", item);
    Key k;
    k.id = Parser(item).order_item(k.ascending);
    if (k.id.entity.empty()) k.id.entity = "attributes";
    if (k.id.entity == "attributes" && !numeric_attribute(k.id.key) &&
        !string_attribute(k.id.key)) {
      throw UsageError("cannot order by attribute '" + echo_text(k.id.key) +
                       "': use start_time, end_time, run_name, run_id, status, user_id");
    }
    keys.push_back(k);
  }
  const auto cmp = [&](const MlflowSearchRun& a, const MlflowSearchRun& b) {
    for (const Key& k : keys) {
      if (is_numeric_clause(k.id)) {
        const auto va = numeric_value(a, k.id), vb = numeric_value(b, k.id);
        if (!va || !vb) {
          if (va.has_value() != vb.has_value()) return va.has_value();  // missing last
          continue;
        }
        if (*va != *vb) return k.ascending ? *va < *vb : *va > *vb;
      } else {
        const auto va = string_value(a, k.id), vb = string_value(b, k.id);
        if (!va || !vb) {
          if (va.has_value() != vb.has_value()) return va.has_value();
          continue;
        }
        if (*va != *vb) return k.ascending ? *va < *vb : *va > *vb;
      }
    }
    if (a.record.run.start_ms != b.record.run.start_ms) {
      return a.record.run.start_ms > b.record.run.start_ms;
    }
    return a.record.run.id < b.record.run.id;
  };
  std::stable_sort(runs.begin(), runs.end(), cmp);
}

std::size_t parse_mlflow_page_token(const std::string& token) {
  if (token.empty()) return 0;
  if (token.size() > 12 || !token.starts_with("o") ||
      token.find_first_not_of("0123456789", 1) != std::string::npos || token.size() == 1) {
    throw UsageError("invalid page_token '" + echo_text(token, 40) +
                     "': send the next_page_token of the previous answer");
  }
  return static_cast<std::size_t>(std::stoull(token.substr(1)));
}

std::string mlflow_page_token(std::size_t offset) {
  return "o" + std::to_string(offset);
}

}  // namespace loanrisk
