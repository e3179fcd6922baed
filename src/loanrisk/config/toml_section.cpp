#include "loanrisk/config/toml_section.hpp"

#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

constexpr std::int64_t kMinInt = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxInt = std::numeric_limits<std::int64_t>::max();

/// A value as a message quotes it: "text", 42, 2.0, true, an array.
std::string describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "\"" + echo_text(node.as_string()->get(), 60) + "\"";
    case toml::node_type::integer:
      return std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point: {
      std::string s = format_double(node.as_floating_point()->get());
      if (s.find_first_of(".en") == std::string::npos) s += ".0";  // 2.0, not 2
      return s;
    }
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

/// Edit distance with adjacent transpositions ("trails" is 1 from "trials").
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

/// The known key an unknown one is most likely a typo of, if any is within two edits.
std::optional<std::string> closest(std::string_view key, const std::vector<std::string>& known) {
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  if (key.size() > 64) return best;  // not a typo; and keeps the table small
  for (const auto& k : known) {
    const std::size_t d = distance(key, k);
    if (d < best_distance && d < key.size()) {
      best = k;
      best_distance = d;
    }
  }
  return best;
}

std::string integer_requirement(std::int64_t min, std::int64_t max) {
  if (max == kMaxInt) {
    return min == kMinInt ? "an integer" : "an integer of at least " + std::to_string(min);
  }
  if (min == kMinInt) return "an integer of at most " + std::to_string(max);
  return "an integer >= " + std::to_string(min) + " and <= " + std::to_string(max);
}

}  // namespace

bool NumberRange::contains(double v) const {
  return (min_open ? v > min : v >= min) && (max_open ? v < max : v <= max);
}

std::string NumberRange::text() const {
  const bool low = std::isfinite(min), high = std::isfinite(max);
  if (low && high) {
    return std::string("in ") + (min_open ? "(" : "[") + format_double(min) + ", " +
           format_double(max) + (max_open ? ")" : "]");
  }
  if (low) return (min_open ? "> " : ">= ") + format_double(min);
  if (high) return (max_open ? "< " : "<= ") + format_double(max);
  return "";
}

std::string read_toml_file(const std::filesystem::path& file) {
  try {
    return read_file(file);
  } catch (const InputError& e) {
    throw UsageError(std::string("config: ") + e.what());
  }
}

toml::table parse_toml(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, std::string_view(source));
  } catch (const toml::parse_error& e) {
    throw UsageError(toml_location(source, e.source()) +
                     ": invalid TOML: " + std::string(e.description()));
  }
}

std::string toml_location(const std::string& source, const toml::source_region& region) {
  return source + ":" + std::to_string(region.begin.line) + ":" +
         std::to_string(region.begin.column);
}

TomlSection::TomlSection(std::string source, const toml::node& node, std::string path,
                         TomlStyle style, std::string name_prefix)
    : source_(std::move(source)),
      table_(node.as_table()),
      path_(std::move(path)),
      style_(style),
      name_prefix_(std::move(name_prefix)) {
  if (table_ != nullptr) return;
  if (style_ == TomlStyle::Sectioned) fail_at(node.source(), "[" + path_ + "] must be a table");
  const std::string name =
      name_prefix_.empty() ? path_ : name_prefix_.substr(0, name_prefix_.size() - 1);  // no '.'
  fail_at(node.source(), "'" + name + "' must be a table ([" + path_ + "])");
}

TomlSection TomlSection::document(const std::string& source, const toml::table& root) {
  return TomlSection(source, root, "", TomlStyle::Located, "");
}

void TomlSection::check_keys(const std::vector<std::string>& known) const {
  for (const auto& [key, node] : *table_) {
    static_cast<void>(node);
    const std::string_view k = key.str();
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    const std::string name = echo_text(k, 60);
    std::string message = style_ == TomlStyle::Sectioned
                              ? "unknown key [" + path_ + "] " + name
                              : "unknown key '" + name + "' in " +
                                    (path_.empty() ? "the top level" : "[" + path_ + "]");
    message += "; known keys: " + join(known);
    if (const auto guess = closest(k, known)) message += "; did you mean '" + *guess + "'?";
    fail_at(key.source(), message);
  }
}

std::optional<TomlSection> TomlSection::section(std::string_view key) const {
  const toml::node* node = get(key);
  if (node == nullptr) return std::nullopt;
  return section_of(*node, key);
}

TomlSection TomlSection::section_of(const toml::node& node, std::string_view key) const {
  const std::string k(key);
  return TomlSection(source_, node, path_.empty() ? k : path_ + "." + k, style_,
                     name_prefix_ + k + ".");
}

bool TomlSection::string(std::string_view key, std::string& out) const {
  const toml::node* node = get(key);
  if (node != nullptr) out = string_of(*node, key);
  return node != nullptr;
}

bool TomlSection::boolean(std::string_view key, bool& out) const {
  const toml::node* node = get(key);
  if (node != nullptr) out = boolean_of(*node, key);
  return node != nullptr;
}

bool TomlSection::number(std::string_view key, double& out, const NumberRange& range,
                         std::string_view hint) const {
  const toml::node* node = get(key);
  if (node != nullptr) out = number_of(*node, key, range, hint);
  return node != nullptr;
}

bool TomlSection::strings(std::string_view key, std::vector<std::string>& out) const {
  const toml::node* node = get(key);
  if (node != nullptr) out = strings_of(*node, key);
  return node != nullptr;
}

bool TomlSection::choice(std::string_view key, std::string& out,
                         const std::vector<std::string>& choices) const {
  const toml::node* node = get(key);
  if (node != nullptr) out = choice_of(*node, key, choices);
  return node != nullptr;
}

std::string TomlSection::string_of(const toml::node& node, std::string_view name) const {
  if (const auto* s = node.as_string()) return s->get();
  fail_value(node, name, "a string", "in double quotes");
}

bool TomlSection::boolean_of(const toml::node& node, std::string_view name) const {
  if (const auto* b = node.as_boolean()) return b->get();
  fail_value(node, name, "true or false");
}

double TomlSection::number_of(const toml::node& node, std::string_view name,
                              const NumberRange& range, std::string_view hint) const {
  const std::string bounds = range.text();
  const auto v = node.is_number() ? node.value<double>() : std::nullopt;
  if (!v) fail_value(node, name, bounds.empty() ? "a number" : "a number " + bounds, hint);
  if (!std::isfinite(*v)) {
    fail_value(node, name, bounds.empty() ? "a finite number" : "a finite number " + bounds, hint);
  }
  if (!range.contains(*v)) fail_value(node, name, bounds, hint);
  return *v;
}

std::int64_t TomlSection::integer_of(const toml::node& node, std::string_view name,
                                     std::int64_t min, std::int64_t max,
                                     std::string_view requirement) const {
  // A float is refused before any conversion: toml++'s value<int64_t>() converts 1e300 or 2.5
  // unchecked (undefined behaviour, or a silently different number).
  if (const auto* i = node.as_integer(); i != nullptr && i->get() >= min && i->get() <= max) {
    return i->get();
  }
  fail_value(node, name, requirement.empty() ? integer_requirement(min, max) : requirement,
             node.is_floating_point() ? "without a decimal point or exponent" : "");
}

std::vector<std::string> TomlSection::strings_of(const toml::node& node,
                                                 std::string_view name) const {
  const auto* array = node.as_array();
  if (array == nullptr) fail_value(node, name, "an array of strings", "e.g. [\"a\", \"b\"]");
  std::vector<std::string> out;
  for (const auto& item : *array) {
    const auto* s = item.as_string();
    if (s == nullptr) fail_value(item, name, "an array of strings", "each in double quotes");
    out.push_back(s->get());
  }
  return out;
}

std::string TomlSection::choice_of(const toml::node& node, std::string_view name,
                                   const std::vector<std::string>& choices) const {
  const auto* s = node.as_string();
  if (s == nullptr || std::find(choices.begin(), choices.end(), s->get()) == choices.end()) {
    fail_value(node, name, "one of: " + join(choices));
  }
  return s->get();
}

std::string TomlSection::where(const toml::node& node) const {
  return toml_location(source_, node.source());
}

std::string TomlSection::subject(std::string_view name) const {
  if (style_ == TomlStyle::Sectioned) return "[" + path_ + "] " + std::string(name);
  return "'" + name_prefix_ + std::string(name) + "'";
}

void TomlSection::fail(const toml::node& at, std::string_view name,
                       std::string_view problem) const {
  fail_at(at.source(), subject(name) + " " + std::string(problem));
}

void TomlSection::fail_at(const toml::source_region& at, std::string_view message) const {
  if (style_ == TomlStyle::Sectioned) {
    throw UsageError(source_ + ": " + std::string(message) + " (" + toml_location(source_, at) +
                     ")");
  }
  throw UsageError(toml_location(source_, at) + ": " + std::string(message));
}

void TomlSection::fail_value(const toml::node& at, std::string_view name,
                             std::string_view requirement, std::string_view hint) const {
  std::string problem = "must be " + std::string(requirement);
  if (!hint.empty()) problem += ", " + std::string(hint);
  fail(at, name, problem + "; got " + describe(at));
}

}  // namespace loanrisk
