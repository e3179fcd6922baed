// `loanrisk split` writes the same partition that `train` uses: the same row counts per split and
// every row exactly once.
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "integration/cli_runner.hpp"

namespace loanrisk::testing {
namespace {

TEST(SplitCli, WritesTheTrainingPartitionOnce) {
  TempDir dir;
  ASSERT_EQ(run_cli(dir, "synth --rows 1000 --seed 5 --out book.csv").code, 0);
  auto r = run_cli(dir, "split --data book.csv --out parts");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("parts/train.csv"), std::string::npos) << r.out;
  const std::size_t train = count_lines(dir / "parts/train.csv") - 1;
  const std::size_t validation = count_lines(dir / "parts/validation.csv") - 1;
  const std::size_t test = count_lines(dir / "parts/test.csv") - 1;
  EXPECT_EQ(train + validation + test, 1000u);
  EXPECT_NEAR(static_cast<double>(train), 600, 2);

  r = run_cli(dir, "train --data book.csv --out bundle --no-track --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out)["rows"];
  EXPECT_EQ(rows["train"].get<std::size_t>() + rows["dropped_as_outliers"].get<std::size_t>(),
            train)
      << rows;
  EXPECT_EQ(rows["validation"].get<std::size_t>(), validation);
  EXPECT_EQ(rows["test"].get<std::size_t>(), test);

  // Each customer lands in exactly one split.
  std::string all = slurp(dir / "parts/train.csv") + slurp(dir / "parts/validation.csv") +
                    slurp(dir / "parts/test.csv");
  std::set<std::string> ids;
  std::istringstream lines(all);
  std::string line;
  std::size_t data_rows = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("customer_id", 0) == 0) continue;
    ++data_rows;
    ids.insert(line.substr(0, line.find(',')));
  }
  EXPECT_EQ(data_rows, 1000u);
  EXPECT_EQ(ids.size(), 1000u);

  r = run_cli(dir, "split --data book.csv --out parts");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("already exists: choose another --out or pass --force"), std::string::npos)
      << r.err;
  EXPECT_EQ(run_cli(dir, "split --data book.csv --out parts --force --seed 9").code, 0);
  r = run_cli(dir, "split --data missing.csv --out other");
  EXPECT_EQ(r.code, 3) << r.err;
}

}  // namespace
}  // namespace loanrisk::testing
