#include "loanrisk/core/json_fields.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"

namespace loanrisk {

using nlohmann::json;

namespace {

// A value in a message, cut short: the document may be hostile and arbitrarily large.
std::string shown(const json& v) {
  std::string text = v.dump(-1, ' ', true, json::error_handler_t::replace);
  constexpr std::size_t kMax = 80;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

}  // namespace

void JsonFields::fail(const std::string& what) const {
  throw InputError(document_ + ": " + what);
}

const json& JsonFields::field(const json& obj, const std::string& key,
                              const std::string& path) const {
  const auto it = obj.find(key);
  if (it == obj.end()) fail("missing field '" + path + key + "'");
  return *it;
}

double JsonFields::finite(const json& obj, const std::string& key, const std::string& path) const {
  const json& v = field(obj, key, path);
  if (!v.is_number() || !std::isfinite(v.get<double>())) {
    fail("field '" + path + key + "' must be a finite number, got " + shown(v));
  }
  return v.get<double>();
}

std::size_t JsonFields::count(const json& obj, const std::string& key,
                              const std::string& path) const {
  const json& v = field(obj, key, path);
  if (!v.is_number_unsigned()) {
    fail("field '" + path + key + "' must be a count (an integer >= 0), got " + shown(v));
  }
  return v.get<std::size_t>();
}

const json& JsonFields::object(const json& obj, const std::string& key,
                               const std::string& path) const {
  const json& v = field(obj, key, path);
  if (!v.is_object()) fail("field '" + path + key + "' must be an object, got " + shown(v));
  return v;
}

const json& JsonFields::array(const json& obj, const std::string& key,
                              const std::string& path) const {
  const json& v = field(obj, key, path);
  if (!v.is_array()) fail("field '" + path + key + "' must be an array, got " + shown(v));
  return v;
}

const std::string& JsonFields::string(const json& obj, const std::string& key,
                                      const std::string& path) const {
  const json& v = field(obj, key, path);
  if (!v.is_string()) fail("field '" + path + key + "' must be a string, got " + shown(v));
  return v.get_ref<const std::string&>();
}

void JsonFields::reject_unknown(const json& obj, const std::vector<std::string>& known,
                                const std::string& path) const {
  for (const auto& [key, value] : obj.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      fail("unknown field '" + path + key + "'");
    }
  }
}

void JsonFields::expect_object(const json& value, const std::string& where) const {
  if (!value.is_object()) fail(where + " must be an object, got " + shown(value));
}

}  // namespace loanrisk
