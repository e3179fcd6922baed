#pragma once
// One reader for the sections of loanrisk.toml, shared by every layer that owns one ([data],
// [split], [features], [model], [store] here; [tuning]; [serve] and [serve.prediction_log]):
// typed getters that check a value before converting it (a float or a huge integer where an
// integer belongs is refused, not truncated or undefined behaviour), unknown keys refused with the
// known ones, and every error a UsageError naming file:line:column of the offending value, what
// it must be, what it was and, where one helps, an example.
#include <toml++/toml.h>

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loanrisk {

/// How messages name a value; both give file:line:column. Each keeps the wording that its
/// sections' users, scripts and tests have always seen.
enum class TomlStyle {
  /// `loanrisk.toml:3:9: 'split.train' must be a number; got "a lot"` (training sections, [tuning])
  Located,
  /// `loanrisk.toml: [serve] port must be an integer >= 0 and <= 65535; got 1e+81
  /// (loanrisk.toml:3:8)` ([serve] and its sub-tables)
  Sectioned,
};

/// The numbers a setting accepts; an open end excludes its bound. Default: every finite number.
struct NumberRange {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false;
  bool max_open = false;

  bool contains(double v) const;
  /// "in (0, 1]", "> 0", ">= 0", "<= 5"; empty for no bound.
  std::string text() const;
};

/// Parses TOML text; UsageError "source:line:column: invalid TOML: ..." when it is not TOML.
toml::table parse_toml(std::string_view text, const std::string& source);

/// The text of a config file; UsageError "config: ..." when it cannot be read.
std::string read_toml_file(const std::filesystem::path& file);

/// "source:line:column" of a place in the text.
std::string toml_location(const std::string& source, const toml::source_region& region);

/// A table of a TOML document (a section, a sub-table, an inline table) and the checked reading
/// of its values. Getters named after a key read that key when present (returning whether it
/// was) and leave `out` alone otherwise; the *_of getters read a given node (an array element,
/// the value of a key only known at run time) named `name` in messages.
class TomlSection {
 public:
  /// The table `node`; UsageError when it is not a table. `path` is its dotted name
  /// ("serve.prediction_log"; empty for the document itself, called "the top level"), and
  /// `name_prefix` what TomlStyle::Located puts before a key to name it ("split." names 'seed'
  /// 'split.seed').
  TomlSection(std::string source, const toml::node& node, std::string path, TomlStyle style,
              std::string name_prefix);

  /// The whole document: Located style, keys named as they are.
  static TomlSection document(const std::string& source, const toml::table& root);

  const toml::table& table() const { return *table_; }
  const std::string& path() const { return path_; }
  const toml::node* get(std::string_view key) const { return table_->get(key); }

  /// UsageError at the first key not in `known`, listing them (and the closest when there is
  /// one): "unknown key 'seeed' in [split]; known keys: ...; did you mean 'seed'?".
  void check_keys(const std::vector<std::string>& known) const;

  /// The sub-table at `key` (its path extends this one's; Located names go on with
  /// "<prefix><key>."), when present; UsageError when the value is not a table.
  std::optional<TomlSection> section(std::string_view key) const;
  /// The same for a node of this table (the value of a key only known at run time).
  TomlSection section_of(const toml::node& node, std::string_view key) const;

  bool string(std::string_view key, std::string& out) const;
  bool boolean(std::string_view key, bool& out) const;
  /// A finite number (a TOML integer or float) within `range`; `hint` follows the requirement
  /// ("e.g. 0.9").
  bool number(std::string_view key, double& out, const NumberRange& range = {},
              std::string_view hint = {}) const;
  /// A TOML integer (not a float, not even 2.0) from min to max, checked before it is converted
  /// to T. The message says "an integer >= min and <= max" ("an integer of at least min" without
  /// an upper bound) unless `requirement` words it ("a positive integer (rows), e.g. 10000").
  template <std::integral T>
  requires(!std::same_as<T, bool>) bool integer(
      std::string_view key, T& out, std::int64_t min = reach(std::numeric_limits<T>::min()),
      std::int64_t max = reach(std::numeric_limits<T>::max()),
      std::string_view requirement = {}) const {
    const toml::node* node = get(key);
    if (node == nullptr) return false;
    out = static_cast<T>(integer_of(*node, key, std::max(min, reach(std::numeric_limits<T>::min())),
                                    std::min(max, reach(std::numeric_limits<T>::max())),
                                    requirement));
    return true;
  }
  /// An array of strings (possibly empty).
  bool strings(std::string_view key, std::vector<std::string>& out) const;
  /// A string that is one of `choices`.
  bool choice(std::string_view key, std::string& out,
              const std::vector<std::string>& choices) const;

  std::string string_of(const toml::node& node, std::string_view name) const;
  bool boolean_of(const toml::node& node, std::string_view name) const;
  double number_of(const toml::node& node, std::string_view name, const NumberRange& range = {},
                   std::string_view hint = {}) const;
  std::int64_t integer_of(const toml::node& node, std::string_view name, std::int64_t min,
                          std::int64_t max, std::string_view requirement = {}) const;
  std::vector<std::string> strings_of(const toml::node& node, std::string_view name) const;
  std::string choice_of(const toml::node& node, std::string_view name,
                        const std::vector<std::string>& choices) const;

  /// "source:line:column" of a node.
  std::string where(const toml::node& node) const;
  /// How messages name the value `name` of this table: 'split.seed' or [serve] port.
  std::string subject(std::string_view name) const;
  /// UsageError "<subject(name)> <problem>" at the node.
  [[noreturn]] void fail(const toml::node& at, std::string_view name,
                         std::string_view problem) const;
  /// UsageError with the message at the node (its location added as the style places it).
  [[noreturn]] void fail_at(const toml::source_region& at, std::string_view message) const;

 private:
  /// A bound of an integer type as far as a TOML integer (an int64) reaches.
  template <std::integral T>
  static constexpr std::int64_t reach(T bound) {
    using L = std::numeric_limits<std::int64_t>;
    if (std::cmp_less(bound, L::min())) return L::min();
    if (std::cmp_greater(bound, L::max())) return L::max();
    return static_cast<std::int64_t>(bound);
  }
  /// "must be <requirement>[, <hint>]; got <value>" at the node.
  [[noreturn]] void fail_value(const toml::node& at, std::string_view name,
                               std::string_view requirement, std::string_view hint = {}) const;

  std::string source_;
  const toml::table* table_;
  std::string path_;
  TomlStyle style_;
  std::string name_prefix_;
};

}  // namespace loanrisk
