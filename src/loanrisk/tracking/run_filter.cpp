#include "loanrisk/tracking/run_filter.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace loanrisk {
namespace {

constexpr const char* kExample =
    "example: metric.auc_roc > 0.99 and params.max_depth = '4' and attributes.status = 'FINISHED'";

class Parser {
 public:
  explicit Parser(const std::string& text) : s_(text) {}

  RunFilter parse() {
    RunFilter f;
    skip_space();
    if (pos_ == s_.size()) return f;
    for (;;) {
      f.clauses.push_back(clause());
      skip_space();
      if (pos_ == s_.size()) return f;
      const std::string word = identifier();
      std::string lower = word;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower != "and") fail("expected 'and' or the end of the filter");
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw UsageError("bad filter '" + s_ + "' at character " + std::to_string(pos_ + 1) + ": " +
                     what + "; " + kExample);
  }

  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }

  std::string identifier() {
    skip_space();
    const std::size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
            s_[pos_] == '-' || s_[pos_] == '/' || s_[pos_] == ':')) {
      ++pos_;
    }
    if (start == pos_) fail("expected a name");
    return s_.substr(start, pos_ - start);
  }

  RunFilterClause clause() {
    RunFilterClause c;
    const std::size_t start = pos_;
    const std::string prefix = identifier();
    if (prefix == "metric" || prefix == "metrics") {
      c.kind = RunFilterClause::Kind::kMetric;
    } else if (prefix == "param" || prefix == "params") {
      c.kind = RunFilterClause::Kind::kParam;
    } else if (prefix == "tag" || prefix == "tags") {
      c.kind = RunFilterClause::Kind::kTag;
    } else if (prefix == "attribute" || prefix == "attributes" || prefix == "attr") {
      c.kind = RunFilterClause::Kind::kAttribute;
    } else {
      pos_ = start;
      fail("expected metric.<key>, params.<key>, tags.<key> or attributes.<name>, got '" + prefix +
           "'");
    }
    if (pos_ >= s_.size() || s_[pos_] != '.') fail("expected '.' after '" + prefix + "'");
    ++pos_;
    c.key = key();
    c.op = op();
    c.value = literal(c);
    return c;
  }

  std::string key() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
            s_[pos_] == '-' || s_[pos_] == '.' || s_[pos_] == '/' || s_[pos_] == ':')) {
      ++pos_;
    }
    if (start == pos_) fail("expected a key after '.'");
    return s_.substr(start, pos_ - start);
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
    fail("expected one of = != < <= > >=");
  }

  std::string literal(RunFilterClause& c) {
    skip_space();
    if (pos_ >= s_.size()) fail("expected a value");
    const std::size_t value_start = pos_;
    const char q = s_[pos_];
    std::string value;
    bool quoted = false;
    if (q == '\'' || q == '"') {
      const std::size_t end = s_.find(q, pos_ + 1);
      if (end == std::string::npos) fail("unterminated quoted value");
      value = s_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      quoted = true;
    } else {
      const std::size_t start = pos_;
      while (pos_ < s_.size() && !std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      value = s_.substr(start, pos_ - start);
    }
    if (c.kind == RunFilterClause::Kind::kMetric) {
      char* end = nullptr;
      c.number = std::strtod(value.c_str(), &end);
      if (quoted || value.empty() || *end != '\0') {
        pos_ = value_start;
        fail("metric." + c.key + " needs a number");
      }
    } else if (c.op != "=" && c.op != "!=") {
      fail("params, tags and attributes compare with = or != only");
    } else if (c.kind == RunFilterClause::Kind::kAttribute &&
               !(c.key == "status" || c.key == "name" || c.key == "run_name" || c.key == "user" ||
                 c.key == "experiment" || c.key == "run_id")) {
      fail("unknown attribute '" + c.key + "': use status, name, user, experiment or run_id");
    }
    return value;
  }

  const std::string& s_;
  std::size_t pos_ = 0;
};

bool compare(double a, const std::string& op, double b) {
  if (op == "=") return a == b;
  if (op == "!=") return a != b;
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  return a >= b;
}

std::string attribute(const RunRecord& r, const std::string& key) {
  if (key == "status") return to_string(r.run.status);
  if (key == "name" || key == "run_name") return r.run.name;
  if (key == "user") return r.run.user;
  if (key == "experiment") return r.run.experiment_name;
  return r.run.id;
}

}  // namespace

bool RunFilter::matches(const RunRecord& run) const {
  for (const RunFilterClause& c : clauses) {
    if (c.kind == RunFilterClause::Kind::kMetric) {
      auto it = run.metrics.find(c.key);
      if (it == run.metrics.end() || std::isnan(it->second)) return false;
      if (!compare(it->second, c.op, c.number)) return false;
      continue;
    }
    std::string actual;
    if (c.kind == RunFilterClause::Kind::kAttribute) {
      actual = attribute(run, c.key);
    } else {
      const auto& m = c.kind == RunFilterClause::Kind::kParam ? run.params : run.tags;
      auto it = m.find(c.key);
      if (it == m.end()) return false;
      actual = it->second;
    }
    if ((actual == c.value) != (c.op == "=")) return false;
  }
  return true;
}

RunFilter parse_run_filter(const std::string& text) {
  return Parser(text).parse();
}

void sort_runs_by_metric(std::vector<RunRecord>& runs, const std::string& metric, bool ascending) {
  const auto value = [&](const RunRecord& r) -> std::optional<double> {
    auto it = r.metrics.find(metric);
    if (it == r.metrics.end() || std::isnan(it->second)) return std::nullopt;
    return it->second;
  };
  std::stable_sort(runs.begin(), runs.end(), [&](const RunRecord& a, const RunRecord& b) {
    const auto va = value(a), vb = value(b);
    if (!va || !vb) return va.has_value() && !vb.has_value();
    return ascending ? *va < *vb : *va > *vb;
  });
}

}  // namespace loanrisk
