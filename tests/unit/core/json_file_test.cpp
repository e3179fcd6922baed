// JSON files read back (bundle files, the registry's copies): every malformed file is an
// InputError naming it, never a library exception that ends the command as an internal error.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::TempDir;

// Found while writing the bundle fuzz targets (regression input in
// tests/fuzz/regressions/bundle_metrics/): nlohmann reports a number no double holds as
// out_of_range, not as a parse error, and read_json_file let it through.
TEST(JsonFile, NumberBeyondDoubleIsBadJson) {
  TempDir dir;
  testing::write_text(dir / "manifest.json", R"({"threshold": 1e400})");
  EXPECT_THROW_MSG(read_json_file(dir / "manifest.json"), InputError,
                   "manifest.json' is not valid");
  EXPECT_THROW_MSG(parse_json_text("[-1e999]", "metrics.json"), InputError,
                   "'metrics.json' is not valid JSON");
}

TEST(JsonFile, SyntaxErrorNamesTheSource) {
  EXPECT_THROW_MSG(parse_json_text("{\"a\": }", "pipeline.json"), InputError,
                   "'pipeline.json' is not valid JSON");
  EXPECT_EQ(parse_json_text("{\"a\": 1e300}", "x")["a"].get<double>(), 1e300);
}

}  // namespace
}  // namespace loanrisk
