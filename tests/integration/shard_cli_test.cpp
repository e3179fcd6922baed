// `predict --shard I/N` as a Kubernetes Indexed Job runs it: N processes at once on one file, each
// writing its part and manifest; the parts in order are the unsharded output, `predict verify`
// passes on them and names a missing, edited or tampered part; bad --shard values are usage
// errors. A large file (streamed in chunks) scores the same as a small one would.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_runner.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::run_cli;
using testing::run_shell;
using testing::slurp;
using testing::TempDir;

std::string part(std::size_t i, const char* ext) {
  return "parts/part-0000" + std::to_string(i) + "-of-00004." + ext;
}

class ShardCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    ASSERT_EQ(run_cli(*dir_, "synth --rows 3000 --seed 3 --out train.csv").code, 0);
    ASSERT_EQ(run_cli(*dir_, "train --data train.csv --out bundle --no-track").code, 0);
    // Larger than one 8 MiB chunk, so the unsharded run streams too.
    ASSERT_EQ(run_cli(*dir_, "synth --rows 250000 --seed 4 --out book.csv").code, 0);
    // Four processes at once, as the Indexed Job's pods.
    const auto r = run_shell(
        *dir_, "for i in 0 1 2 3; do '" + std::string(LOANRISK_BINARY) +
                   "' predict --model bundle --data book.csv --out parts --shard $i/4 & done; "
                   "wait");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static TempDir* dir_;
};
TempDir* ShardCli::dir_ = nullptr;

TEST_F(ShardCli, PartsInOrderAreTheUnshardedOutputAndVerify) {
  const TempDir& dir = *dir_;
  const auto whole = run_cli(dir, "predict --model bundle --data book.csv --out whole.csv");
  ASSERT_EQ(whole.code, 0) << whole.err;
  std::string joined;
  for (std::size_t i = 0; i < 4; ++i) joined += slurp(dir / part(i, "csv"));
  EXPECT_EQ(joined, slurp(dir / "whole.csv"));
  const auto verified = run_cli(dir, "predict verify --out parts --data book.csv");
  EXPECT_EQ(verified.code, 0) << verified.err;
  EXPECT_NE(verified.out.find("4 parts verified: 250000 rows read, 250000 scored, 0 rejected"),
            std::string::npos)
      << verified.out;
}

TEST_F(ShardCli, VerifyNamesAMissingEditedOrTamperedPart) {
  TempDir dir;
  std::filesystem::copy(dir_->path() / "parts", dir / "parts");
  std::filesystem::remove(dir / part(2, "json"));
  auto r = run_cli(dir, "predict verify --out parts");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("part 2 of 4 is missing (part-00002-of-00004.json). Fix: rerun that shard "
                       "(--shard 2/4)"),
            std::string::npos)
      << r.err;

  std::filesystem::copy(dir_->path() / part(2, "json"), dir / part(2, "json"));
  ASSERT_EQ(run_shell(dir, "sed -i '5s/$/0/' " + part(1, "csv")).code, 0);
  r = run_cli(dir, "predict verify --out parts");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("part 1 of 4 is corrupt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("does not match its manifest"), std::string::npos) << r.err;

  std::filesystem::copy(dir_->path() / part(1, "csv"), dir / part(1, "csv"),
                        std::filesystem::copy_options::overwrite_existing);
  testing::write_text(dir / part(3, "json"), "{\"shard\": \xff");
  r = run_cli(dir, "predict verify --out parts");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("part 3 of 4 is corrupt"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\xff'), std::string::npos) << "the message quotes the bytes as UTF-8";

  r = run_cli(dir, "predict verify --out nowhere");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("nowhere: no such folder"), std::string::npos) << r.err;
}

TEST_F(ShardCli, BadShardValuesAreUsageErrors) {
  const TempDir& dir = *dir_;
  for (const char* shard : {"5/4", "x", "1/0", "/4"}) {
    SCOPED_TRACE(shard);
    const auto r = run_cli(dir, std::string("predict --model bundle --data book.csv --out p ") +
                                    "--shard '" + shard + "'");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find(std::string("--shard '") + shard + "'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Fix: give --shard I/N"), std::string::npos) << r.err;
  }
  const auto r = run_cli(dir, "predict --data book.csv --out p");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--model is required"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace loanrisk
