// `loanrisk split` writes the same partition that `train` uses: the same row counts per split and
// every row exactly once.
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "integration/cli_runner.hpp"
#include "support/cli_checks.hpp"

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

  expect_cli_error(dir, "split --data book.csv --out parts", 2,
                   "already exists: choose another --out or pass --force");
  EXPECT_EQ(run_cli(dir, "split --data book.csv --out parts --force --seed 9").code, 0);
  r = run_cli(dir, "split --data missing.csv --out other");
  EXPECT_EQ(r.code, 3) << r.err;
}

// book.csv with every 10th customer on a second row (the same line again at the end).
void write_duplicated_book(const TempDir& dir) {
  std::istringstream in(slurp(dir / "book.csv"));
  std::string line, text, extra;
  for (std::size_t n = 0; std::getline(in, line); ++n) {
    text += line + "\n";
    if (n > 0 && n % 10 == 0) extra += line + "\n";
  }
  write_text(dir / "dup.csv", text + extra);
}

// customer id -> the split files it appears in.
std::map<std::string, std::set<std::string>> splits_of_ids(const TempDir& dir) {
  std::map<std::string, std::set<std::string>> out;
  for (const char* part : {"train", "validation", "test"}) {
    std::istringstream lines(slurp(dir / "parts" / (std::string(part) + ".csv")));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("customer_id", 0) != 0) out[line.substr(0, line.find(','))].insert(part);
    }
  }
  return out;
}

TEST(SplitCli, DuplicateCustomerIdsAreReportedAndNeverSplitAcross) {
  TempDir dir;
  ASSERT_EQ(run_cli(dir, "synth --rows 1000 --seed 5 --out book.csv").code, 0);
  write_duplicated_book(dir);
  auto r = run_cli(dir, "split --data dup.csv --out parts");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("warning: 100 customer ids are on more than one row (100 extra rows): id "),
            std::string::npos)
      << r.out;
  const auto splits = splits_of_ids(dir);
  EXPECT_EQ(splits.size(), 1000u);
  for (const auto& [id, parts] : splits) EXPECT_EQ(parts.size(), 1u) << "customer " << id;

  r = run_cli(dir,
              "tune --data dup.csv --trials 1 --no-refit --quiet --pruner none --store "
              "'sqlite:///" +
                  (dir / "s.db").string() + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("warning: 100 customer ids are on more than one row"), std::string::npos)
      << r.out;

  r = expect_cli_error(dir, "train --data dup.csv --out b --no-track --on-duplicate-id reject", 3,
                       "dup.csv: 100 customer ids are on more than one row (100 extra rows)");
  EXPECT_NE(r.err.find("Fix: remove the duplicates, or pass --on-duplicate-id keep-last"),
            std::string::npos)
      << r.err;

  r = run_cli(dir, "train --data dup.csv --out b --no-track --json --on-duplicate-id keep-last");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out)["rows"];
  EXPECT_EQ(rows["duplicate_ids"]["dropped"], 100) << rows;
  EXPECT_EQ(rows["duplicate_ids"]["policy"], "keep-last") << rows;
  EXPECT_EQ(rows["train"].get<std::size_t>() + rows["dropped_as_outliers"].get<std::size_t>() +
                rows["validation"].get<std::size_t>() + rows["test"].get<std::size_t>(),
            1000u)
      << rows;

  expect_cli_error(dir, "train --data dup.csv --out c --no-track --on-duplicate-id first", 2,
                   "unknown duplicate-id policy 'first'; use reject, keep-last or group");
  write_text(dir / "bad.toml", "[data]\non_duplicate_id = \"drop\"\n");
  expect_cli_error(dir, "split --data dup.csv --out other --config bad.toml", 2,
                   "bad.toml:2:19: 'data.on_duplicate_id': unknown duplicate-id policy 'drop'; "
                   "use reject, keep-last or group");
}

}  // namespace
}  // namespace loanrisk::testing
