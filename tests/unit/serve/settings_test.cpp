#include "loanrisk/serve/settings.hpp"

#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

TEST(ServeSettings, DefaultsAreValidWithTenMonotoneGrades) {
  ServeSettings s;
  EXPECT_NO_THROW(s.validate());
  ASSERT_EQ(s.grades.size(), 10u);
  EXPECT_EQ(s.model, "models:/loan-default@champion");
  EXPECT_EQ(s.challenger, "");  // no shadow unless asked for
  EXPECT_EQ(s.port, 8080);
  EXPECT_EQ(grade_of(s.grades, 0.0).name, "1");
  EXPECT_EQ(grade_of(s.grades, 0.005).name, "1");
  EXPECT_EQ(grade_of(s.grades, 0.0051).name, "2");
  EXPECT_EQ(grade_of(s.grades, 0.35).name, "9");
  EXPECT_EQ(grade_of(s.grades, 1.0).name, "10");
}

TEST(ServeSettings, TomlSectionOverridesDefaults) {
  ServeSettings s;
  apply_serve_toml_text(
      s,
      "[model]\nfamily = \"xgboost\"\n[serve]\nport = 9000\nlgd = 0.45\n"
      "challenger = \"models:/loan-default@challenger\"\n"
      "max_batch = 50\nrequire_token_for_predict = true\nlog_level = \"debug\"\n"
      "grades = [{ name = \"A\", max_pd = 0.1 }, { name = \"B\", max_pd = 1.0 }]\n",
      "loanrisk.toml");
  EXPECT_EQ(s.port, 9000);
  EXPECT_EQ(s.challenger, "models:/loan-default@challenger");
  EXPECT_DOUBLE_EQ(s.lgd, 0.45);
  EXPECT_EQ(s.max_batch, 50u);
  EXPECT_TRUE(s.require_token_for_predict);
  EXPECT_EQ(s.log_level, "debug");
  ASSERT_EQ(s.grades.size(), 2u);
  EXPECT_EQ(grade_of(s.grades, 0.2).name, "B");
}

TEST(ServeSettings, UnknownKeyListsTheKnownOnes) {
  ServeSettings s;
  EXPECT_THROW_MSG(
      apply_serve_toml_text(s, "[serve]\nprot = 1\n", "loanrisk.toml"), UsageError,
      "loanrisk.toml: unknown key [serve] prot; known keys: host, port, model, challenger, "
      "store, threads, max_batch, max_body_bytes, request_timeout_seconds, poll_seconds, "
      "lgd, grades, require_token_for_predict, log_level");
}

// A float where an integer belongs, far outside any integer's range: toml++ converted it without
// a check (undefined behaviour, found by fuzz_serve_settings and fuzz_prediction_log_settings).
TEST(ServeSettings, FloatsBeyondIntegersAreRefused) {
  ServeSettings s;
  EXPECT_THROW_MSG(apply_serve_toml_text(s, "[serve]\nport = -8e81\n", "c.toml"), UsageError,
                   "c.toml: [serve] port must be an integer");
  EXPECT_THROW_MSG(apply_serve_toml_text(s, "[serve]\nthreads = 2.0\n", "c.toml"), UsageError,
                   "c.toml: [serve] threads must be an integer");
  EXPECT_THROW_MSG(
      apply_serve_toml_text(s, "[serve.prediction_log]\nqueue_capacity = -9.2e40\n", "c.toml"),
      UsageError, "[serve.prediction_log] queue_capacity must be an integer of at least 1");
}

TEST(ServeSettings, BadValuesSayWhatToDo) {
  ServeSettings s;
  const auto fresh = [&s] { s = ServeSettings{}; };
  EXPECT_THROW_MSG(apply_serve_toml_text(s, "[serve]\nport = \"x\"\n", "c.toml"), UsageError,
                   "c.toml: [serve] port must be an integer");
  EXPECT_THROW_MSG(apply_serve_toml_text(s, "[serve]\nlgd = 1.5\n", "c.toml"), UsageError,
                   "c.toml: [serve] lgd must be in (0, 1], e.g. 0.9");
  fresh();
  EXPECT_THROW_MSG(
      apply_serve_toml_text(
          s, "[serve]\ngrades = [{ name = \"A\", max_pd = 0.5 }, { name = \"B\", max_pd = 0.2 }]\n",
          "c.toml"),
      UsageError,
      "grades must have strictly increasing max_pd in (0, 1]; grade 'B' has max_pd 0.2");
  fresh();
  EXPECT_THROW_MSG(
      apply_serve_toml_text(s, "[serve]\ngrades = [{ name = \"A\", max_pd = 0.5 }]\n", "c.toml"),
      UsageError, "the last grade must have max_pd = 1.0");
  EXPECT_THROW_MSG(apply_serve_toml_text(s, "[serve]\ngrades = [{ name = \"A\" }]\n", "c.toml"),
                   UsageError,
                   "c.toml: [serve] grades entry 1 must be { name = \"...\", max_pd = 0.01 }");
  EXPECT_THROW_MSG(apply_serve_toml_text(s, "[serve\n", "c.toml"), UsageError, "c.toml:1:");
  ServeSettings t;
  t.log_level = "loud";
  EXPECT_THROW_MSG(t.validate(), UsageError,
                   "log_level 'loud' is not one of: trace, debug, info, warn, off");
  t = ServeSettings{};
  t.threads = 0;  // the process's thread budget
  EXPECT_NO_THROW(t.validate());
  t.threads = -1;
  EXPECT_THROW_MSG(t.validate(), UsageError, "threads -1 is out of range: use 1-256, or 0");
  t.threads = 257;
  EXPECT_THROW_MSG(t.validate(), UsageError, "threads 257 is out of range: use 1-256, or 0");
}

TEST(ServeSettings, EnvironmentSuppliesTokensAndPort) {
  ::setenv("LOANRISK_ADMIN_TOKEN", "s3cret", 1);
  ::setenv("LOANRISK_SERVE_PORT", "9100", 1);
  ServeSettings s;
  apply_serve_env(s);
  EXPECT_EQ(s.admin_token, "s3cret");
  EXPECT_EQ(s.port, 9100);
  ::setenv("LOANRISK_SERVE_PORT", "http", 1);
  EXPECT_THROW_MSG(apply_serve_env(s), UsageError,
                   "LOANRISK_SERVE_PORT='http' is not a port (0-65535)");
  ::unsetenv("LOANRISK_SERVE_PORT");
  ::unsetenv("LOANRISK_ADMIN_TOKEN");
}

}  // namespace
}  // namespace loanrisk
