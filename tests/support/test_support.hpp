#pragma once
// Helpers shared by every test suite.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace loanrisk::testing {

/// Asserts that `statement` throws `ExceptionType` whose message contains `substring`.
#define EXPECT_THROW_MSG(statement, ExceptionType, substring)                         \
  do {                                                                                \
    try {                                                                             \
      statement;                                                                      \
      ADD_FAILURE() << "expected " #ExceptionType " containing: " << (substring);     \
    } catch (const ExceptionType& e) {                                                \
      EXPECT_NE(std::string(e.what()).find(substring), std::string::npos)             \
          << "message was: " << e.what() << "\nexpected to contain: " << (substring); \
    }                                                                                 \
  } while (0)

/// The environment variable's value, "" when unset.
inline std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

/// What a shell command prints, without its final newlines; throws std::runtime_error when it
/// cannot start or exits non-zero (a token or key command of a test's identity provider).
inline std::string command_output(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int rc = pclose(p);
  if (rc != 0) throw std::runtime_error(command + " exited " + std::to_string(rc));
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

/// An input that must be refused, and a part of the message it must be refused with.
struct Refusal {
  std::string input;
  std::string message;
};

/// EXPECT_THROW_MSG(parse(input), ExceptionType, message) for each case, so a list of bad inputs
/// reads as a table; the failing input is named.
template <class ExceptionType, class Parse>
void expect_refusals(Parse parse, const std::vector<Refusal>& cases) {
  for (const Refusal& c : cases) {
    SCOPED_TRACE("input: " + c.input);
    EXPECT_THROW_MSG(static_cast<void>(parse(c.input)), ExceptionType, c.message);
  }
}

/// EXPECT_DOUBLE_EQ (equal to 4 ULPs) on each pair of values; the failing position is named.
inline void expect_doubles_eq(const std::vector<double>& actual,
                              const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    EXPECT_DOUBLE_EQ(actual[i], expected[i]) << "value " << i;
  }
}

/// A fresh folder removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("loanrisk-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Writes text to a file.
inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

/// The real 10,000-row loan file beside the checkout, when present.
inline std::optional<std::filesystem::path> real_data() {
  std::filesystem::path p = LOANRISK_REAL_DATA;
  if (std::filesystem::exists(p)) return p;
  return std::nullopt;
}

}  // namespace loanrisk::testing
