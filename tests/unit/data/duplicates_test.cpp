// Customer ids on several rows: the report, and the reject / keep-last / group policies.
#include "loanrisk/data/duplicates.hpp"

#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

// ids a, b, a, c, b, a on file lines 2..7, with x = 1..6.
Frame with_duplicates() {
  Frame f;
  f.ids = {"a", "b", "a", "c", "b", "a"};
  f.lines = {2, 3, 4, 5, 6, 7};
  f.names = {"x"};
  f.columns = {{1, 2, 3, 4, 5, 6}};
  return f;
}

TEST(DuplicateIds, AreCountedAndShownWithTheirLines) {
  const DuplicateIds d = find_duplicate_ids(with_duplicates());
  EXPECT_EQ(d.ids, 2u);
  EXPECT_EQ(d.rows, 3u);
  EXPECT_EQ(d.summary(),
            "2 customer ids are on more than one row (3 extra rows): id a on lines 2, 4, 7; id b "
            "on lines 3, 6");
  EXPECT_EQ(find_duplicate_ids(with_duplicates(), 1).summary(),
            "2 customer ids are on more than one row (3 extra rows): id a on lines 2, 4, 7; ...");
  Frame unique = with_duplicates().take({0, 1, 3});
  EXPECT_EQ(find_duplicate_ids(unique).ids, 0u);
  EXPECT_EQ(find_duplicate_ids(unique).summary(), "");
}

TEST(DuplicateIds, PoliciesRejectKeepTheLastRowOrKeepEveryRow) {
  const Frame f = with_duplicates();
  const DuplicateIds d = find_duplicate_ids(f);
  EXPECT_THROW_MSG(apply_duplicate_policy(f, DuplicatePolicy::kReject, d, "book.csv"), InputError,
                   "book.csv: 2 customer ids are on more than one row (3 extra rows): id a on "
                   "lines 2, 4, 7; id b on lines 3, 6. Fix: remove the duplicates, or pass "
                   "--on-duplicate-id keep-last");
  const Frame last = apply_duplicate_policy(f, DuplicatePolicy::kKeepLast, d, "book.csv");
  EXPECT_EQ(last.ids, (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_EQ(last.columns[0], (std::vector<double>{4, 5, 6}));
  EXPECT_EQ(apply_duplicate_policy(f, DuplicatePolicy::kGroup, d, "book.csv").rows(), 6u);
  EXPECT_EQ(to_string(parse_duplicate_policy("keep-last", "x")), "keep-last");
  EXPECT_THROW_MSG(parse_duplicate_policy("first", "--on-duplicate-id"), UsageError,
                   "--on-duplicate-id: unknown duplicate-id policy 'first'; use reject, "
                   "keep-last or group");
}

}  // namespace
}  // namespace loanrisk
