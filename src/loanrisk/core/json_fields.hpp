#pragma once
// Checked reads of a JSON document this program wrote and reads back from disk (a bundle's
// pipeline.json, scorecard.json): a missing key, a wrong type or a non-finite number becomes an
// InputError naming the document and the field's path, instead of nlohmann's type_error.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk {

class JsonFields {
 public:
  /// `document` starts every message ("pipeline JSON", "scorecard binning").
  explicit JsonFields(std::string document) : document_(std::move(document)) {}

  /// Throws InputError "<document>: <what>".
  [[noreturn]] void fail(const std::string& what) const;

  // `path` is the dotted prefix of `key` in messages ("" or "fits.income."); obj must be an object.
  const nlohmann::json& field(const nlohmann::json& obj, const std::string& key,
                              const std::string& path) const;
  double finite(const nlohmann::json& obj, const std::string& key, const std::string& path) const;
  /// An integer >= 0.
  std::size_t count(const nlohmann::json& obj, const std::string& key,
                    const std::string& path) const;
  const nlohmann::json& object(const nlohmann::json& obj, const std::string& key,
                               const std::string& path) const;
  const nlohmann::json& array(const nlohmann::json& obj, const std::string& key,
                              const std::string& path) const;
  const std::string& string(const nlohmann::json& obj, const std::string& key,
                            const std::string& path) const;
  /// Every key of obj must be one of `known`.
  void reject_unknown(const nlohmann::json& obj, const std::vector<std::string>& known,
                      const std::string& path) const;
  /// `value` itself must be an object; `where` names it ("the document", "bins[3]").
  void expect_object(const nlohmann::json& value, const std::string& where) const;

 private:
  std::string document_;
};

}  // namespace loanrisk
