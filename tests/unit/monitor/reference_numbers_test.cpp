// reference.json fields of the wrong kind are InputErrors naming the file, never undefined
// behaviour or a library exception.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/monitor/reference.hpp"
#include "support/test_support.hpp"

namespace loanrisk::monitor {
namespace {

nlohmann::json reference_json() {
  std::vector<double> values;
  for (int i = 0; i < 200; ++i) values.push_back(i);
  Frame frame;
  frame.names = {"income"};
  frame.columns = {values};
  frame.lines.assign(values.size(), 0);
  return build_reference(frame, {"income"}, std::vector<double>(values.size(), 0.1)).to_json();
}

// Found by fuzz_bundle_reference (tests/fuzz/regressions/bundle_reference/): a float row count
// such as 2e30 went through nlohmann's unchecked conversion to size_t (UBSan).
TEST(ReferenceNumbers, RowCountsMustBeWholeNumbers) {
  nlohmann::json j = reference_json();
  j["rows"] = 2.2e30;
  EXPECT_THROW_MSG(ModelReference::from_json(j, "r.json"), InputError,
                   "r.json rows must be a whole number >= 0");
  j = reference_json();
  j["features"][0]["count"] = -1;
  EXPECT_THROW_MSG(ModelReference::from_json(j, "r.json"), InputError, "count must be a whole");
  j = reference_json();
  j["format_version"] = "1";
  EXPECT_THROW_MSG(ModelReference::from_json(j, "r.json"), InputError, "format_version");
  EXPECT_EQ(ModelReference::from_json(reference_json(), "r.json").rows, 200u);
}

}  // namespace
}  // namespace loanrisk::monitor
