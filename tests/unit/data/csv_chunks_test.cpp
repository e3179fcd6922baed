// CsvChunkReader gives the rows, lines, rejects and messages read_csv gives, chunk by chunk.
#include <gtest/gtest.h>

#include <string>

#include "loanrisk/core/error.hpp"
#include "loanrisk/data/csv_chunks.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::TempDir;
using testing::write_text;

const std::string kHeader =
    "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
    "years_employed,fico_score,default";

// Rows of every kind the reader meets: plain, CRLF, a quoted id holding a line break and a quote,
// (blank) a blank line and (bad_every > 0) an out-of-range FICO score now and then.
std::string book(std::size_t rows, std::size_t bad_every, bool blank = false) {
  std::string text = "\xEF\xBB\xBF" + kHeader + "\n";
  for (std::size_t i = 0; i < rows; ++i) {
    const std::string fico = bad_every > 0 && i % bad_every == bad_every - 1 ? "990" : "612";
    const std::string id =
        i % 997 == 5 ? "\"id\n" + std::to_string(i) + "\"\"x\"" : std::to_string(i);
    text += id + ",1,5221.5," + std::to_string(1000 + i) + ",78039.4,5," + fico + "," +
            std::to_string(i % 3 == 0 ? 1 : 0) + (i % 2 == 0 ? "\r\n" : "\n");
    if (blank && i == rows / 2) text += "\n";
  }
  return text;
}

// Every chunk of the file, appended into one result.
ReadResult read_chunked(const std::filesystem::path& path, const ReadOptions& options,
                        std::size_t chunk_rows, std::size_t* chunks = nullptr) {
  const Schema schema = Schema::loan_default();
  CsvChunkReader reader(path, schema, options, chunk_rows);
  ReadResult all;
  ReadResult chunk;
  std::size_t n = 0;
  while (reader.next(chunk)) {
    ++n;
    EXPECT_LE(chunk.rows_read, chunk_rows + 1) << "a chunk holds at most its rows and one blank";
    if (n == 1) {
      all.frame.names = chunk.frame.names;
      all.frame.columns.resize(chunk.frame.names.size());
    }
    for (std::size_t c = 0; c < chunk.frame.columns.size(); ++c) {
      all.frame.columns[c].insert(all.frame.columns[c].end(), chunk.frame.columns[c].begin(),
                                  chunk.frame.columns[c].end());
    }
    all.frame.ids.insert(all.frame.ids.end(), chunk.frame.ids.begin(), chunk.frame.ids.end());
    all.frame.lines.insert(all.frame.lines.end(), chunk.frame.lines.begin(),
                           chunk.frame.lines.end());
    all.rejects.insert(all.rejects.end(), chunk.rejects.begin(), chunk.rejects.end());
    all.rows_read += chunk.rows_read;
  }
  if (chunks != nullptr) *chunks = n;
  return all;
}

void expect_same(const ReadResult& chunked, const ReadResult& whole) {
  EXPECT_EQ(chunked.rows_read, whole.rows_read);
  EXPECT_EQ(chunked.frame.ids, whole.frame.ids);
  EXPECT_EQ(chunked.frame.lines, whole.frame.lines);
  EXPECT_EQ(chunked.frame.columns, whole.frame.columns);
  ASSERT_EQ(chunked.rejects.size(), whole.rejects.size());
  for (std::size_t i = 0; i < whole.rejects.size(); ++i) {
    EXPECT_EQ(chunked.rejects[i].line, whole.rejects[i].line);
    EXPECT_EQ(chunked.rejects[i].reason, whole.rejects[i].reason);
    EXPECT_EQ(chunked.rejects[i].raw, whole.rejects[i].raw);
  }
}

TEST(CsvChunks, SameRowsLinesAndRejectsAsReadCsvAcrossBlocks) {
  TempDir dir;
  // Over 4 MiB, so rows (and a quoted line break) straddle the reader's blocks.
  write_text(dir / "book.csv", book(120'000, 5'003, true));
  ReadOptions options;
  options.collect_rejects = true;
  const ReadResult whole = read_csv(dir / "book.csv", Schema::loan_default(), options);
  ASSERT_GT(std::filesystem::file_size(dir / "book.csv"), std::size_t{4} << 20);
  ASSERT_GT(whole.rejects.size(), 10u);
  for (std::size_t chunk_rows : {1'000u, 65'536u, 200'000u}) {
    SCOPED_TRACE(chunk_rows);
    std::size_t chunks = 0;
    expect_same(read_chunked(dir / "book.csv", options, chunk_rows, &chunks), whole);
    EXPECT_EQ(chunks, (120'001 + chunk_rows - 1) / chunk_rows);  // the blank line is a row
  }
}

TEST(CsvChunks, RewindReadsTheFileAgain) {
  TempDir dir;
  write_text(dir / "book.csv", book(2'500, 0));
  const Schema schema = Schema::loan_default();
  CsvChunkReader reader(dir / "book.csv", schema, {}, 1'000);
  ReadResult chunk;
  ASSERT_TRUE(reader.next(chunk));
  const std::vector<std::string> first = chunk.frame.ids;
  while (reader.next(chunk)) {
  }
  reader.rewind();
  ASSERT_TRUE(reader.next(chunk));
  EXPECT_EQ(chunk.frame.ids, first);
  EXPECT_EQ(chunk.frame.lines.front(), 2);
}

TEST(CsvChunks, StrictModeNamesTheFileLineOfABadRowDeepInTheFile) {
  TempDir dir;
  write_text(dir / "book.csv", book(3'000, 2'500));
  const Schema schema = Schema::loan_default();
  std::string whole_message;
  try {
    read_csv(dir / "book.csv", schema);
  } catch (const InputError& e) {
    whole_message = e.what();
  }
  ASSERT_NE(whole_message.find("fico_score"), std::string::npos) << whole_message;
  CsvChunkReader reader(dir / "book.csv", schema, {}, 700);
  ReadResult chunk;
  try {
    while (reader.next(chunk)) {
    }
    ADD_FAILURE() << "the bad row was not reported";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), whole_message);
  }
}

TEST(CsvChunks, FileProblemsAreInputErrors) {
  TempDir dir;
  const Schema schema = Schema::loan_default();
  EXPECT_THROW_MSG(CsvChunkReader(dir / "missing.csv", schema, {}, 10), InputError,
                   "cannot open the file");
  write_text(dir / "empty.csv", "\n  \n");
  EXPECT_THROW_MSG(CsvChunkReader(dir / "empty.csv", schema, {}, 10), InputError,
                   "the file is empty");
  write_text(dir / "header.csv", kHeader + "\n\n");
  CsvChunkReader header_only(dir / "header.csv", schema, {}, 10);
  ReadResult chunk;
  EXPECT_THROW_MSG(header_only.next(chunk), InputError, "header but no data rows");
  write_text(dir / "mac.csv", kHeader + "\r1,1,1,1,1,1,600,0\r");
  EXPECT_THROW_MSG(CsvChunkReader(dir / "mac.csv", schema, {}, 10), InputError, "lone CR");
  write_text(dir / "columns.csv", "customer_id,income\n1,2\n");
  CsvChunkReader missing_column(dir / "columns.csv", schema, {}, 10);
  EXPECT_THROW_MSG(missing_column.next(chunk), InputError, "required column");
}

}  // namespace
}  // namespace loanrisk
