#pragma once
// One table per enum of the names its values have in files, stores and messages: the name of a
// value and the value of a name are both read from it, so each name is written once (instead of a
// switch for one direction and a chain of ifs or a loop for the other).
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loanrisk/core/error.hpp"

namespace loanrisk {

template <class E, std::size_t N>
class EnumNames {
 public:
  constexpr EnumNames(std::string_view what, const std::pair<E, std::string_view> (&entries)[N])
      : what_(what) {
    for (std::size_t i = 0; i < N; ++i) entries_[i] = entries[i];
  }

  /// The name of a value; InternalError for a value outside the table (a bad cast).
  std::string_view name(E value) const {
    for (const auto& [v, n] : entries_) {
      if (v == value) return n;
    }
    throw InternalError("unknown " + std::string(what_) + " value " +
                        std::to_string(static_cast<long long>(value)));
  }

  /// The value with that name, if there is one.
  std::optional<E> parse(std::string_view name) const {
    for (const auto& [v, n] : entries_) {
      if (n == name) return v;
    }
    return std::nullopt;
  }

  /// Every name, in the table's order (for messages that list the valid ones).
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : entries_) out.emplace_back(entry.second);
    return out;
  }

 private:
  std::string_view what_;
  std::array<std::pair<E, std::string_view>, N> entries_{};
};

/// The table of an enum's names: enum_names<Kind>("distribution kind", {{Kind::Int, "int"}, ...}).
template <class E, std::size_t N>
constexpr EnumNames<E, N> enum_names(std::string_view what,
                                     const std::pair<E, std::string_view> (&entries)[N]) {
  return EnumNames<E, N>(what, entries);
}

}  // namespace loanrisk
