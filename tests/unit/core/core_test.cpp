#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/rng.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/core/xgb_check.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::TempDir;

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileMatchesBytesAndMissingFileIsInputError) {
  TempDir dir;
  testing::write_text(dir / "f.txt", "abc");
  EXPECT_EQ(sha256_file(dir / "f.txt"), sha256_hex("abc"));
  EXPECT_THROW_MSG(sha256_file(dir / "nope.txt"), InputError, "nope.txt");
}

TEST(Sha256, TreeHashFollowsContentAndNamesNotLocation) {
  TempDir a, b;
  for (const auto* root : {&a, &b}) {
    std::filesystem::create_directories(root->path() / "model");
    testing::write_text(*root / "manifest.json", "{}");
    testing::write_text(*root / "model" / "m.json", "trees");
  }
  EXPECT_EQ(sha256_tree(a.path()), sha256_tree(b.path()));
  // The same bytes under other names, or one changed byte, hash differently.
  const std::string before = sha256_tree(a.path());
  std::filesystem::rename(a / "model" / "m.json", a / "model" / "n.json");
  EXPECT_NE(sha256_tree(a.path()), before);
  testing::write_text(b / "model" / "m.json", "treeS");
  EXPECT_NE(sha256_tree(b.path()), before);
  EXPECT_THROW_MSG(sha256_tree(a / "missing"), InputError, "not a folder");
}

TEST(Rng, SameSeedSameSequenceAndBounds) {
  Rng a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= x != c.next();
  }
  EXPECT_TRUE(differs);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto v = a.below(5);
    ASSERT_LT(v, 5u);
    seen.insert(v);
    const double u = a.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
  EXPECT_EQ(seen.size(), 5u);
}

TEST(Rng, NormalHasUnitMoments) {
  Rng r(1);
  double s = 0, s2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = r.normal();
    s += x;
    s2 += x * x;
  }
  EXPECT_NEAR(s / n, 0.0, 0.01);
  EXPECT_NEAR(s2 / n, 1.0, 0.01);
}

TEST(Files, AtomicWriteAndJsonRoundTrip) {
  TempDir dir;
  nlohmann::json j = {{"a", 0.1}, {"b", {1, 2, 3}}};
  write_json_file(dir / "x.json", j);
  EXPECT_EQ(read_json_file(dir / "x.json"), j);
  testing::write_text(dir / "bad.json", "{\"a\": ");
  EXPECT_THROW_MSG(read_json_file(dir / "bad.json"), InputError, "bad.json' is not valid JSON");
  EXPECT_THROW_MSG(read_file(dir / "missing.json"), InputError, "cannot open");
  EXPECT_THROW_MSG(read_file(dir.path()), InputError, "is a directory");
}

TEST(XgbCheck, FailureNamesTheCallAndXgboostError) {
  EXPECT_NO_THROW(LOANRISK_XGB_CHECK(0));
  EXPECT_THROW_MSG(LOANRISK_XGB_CHECK(-1), InternalError, "XGBoost call failed: -1");
}

}  // namespace
}  // namespace loanrisk
