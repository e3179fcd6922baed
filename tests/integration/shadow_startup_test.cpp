// `loanrisk serve --challenger`: how the shadow starts and where its model comes from: a bundle
// that does not load stops startup, an alias set later is picked up, the flag wins over the config.
#include "shadow_fixture.hpp"

namespace loanrisk::testing {
namespace {

TEST_F(Shadow, AChallengerBundleThatDoesNotLoadStopsStartup) {
  const auto r =
      run_shell(*dir, "timeout 60 '" + std::string(LOANRISK_BINARY) + "' serve --port 0 --store '" +
                          store_uri + "' --challenger nowhere/bundle");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot load challenger 'nowhere/bundle': "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("or drop --challenger"), std::string::npos) << r.err;
}

TEST_F(Shadow, AnAliasNotSetYetIsShadowedOnceItIs) {
  // The config's key, a server started before the alias exists: it serves, says why it does not
  // shadow, and starts shadowing when the alias appears.
  TempDir other;
  write_text(other / "loanrisk.toml",
             std::string(kToml) + "challenger = \"models:/loan-default@later\"\n");
  ServerProcess server(other, "--store '" + store_uri + "'");
  ASSERT_GT(server.port(), 0) << server.err();
  EXPECT_NE(server.err().find("challenger 'models:/loan-default@later' is not loaded, serving "
                              "without shadow until it is"),
            std::string::npos)
      << server.err();
  EXPECT_EQ(http_call(server.port(), "POST", "/api/v1/predict", kApplicant).status, 200);
  json c = json::parse(http_call(server.port(), "GET", "/api/v1/model").body)["challenger"];
  EXPECT_EQ(c["loaded"], false);
  EXPECT_NE(c.value("error", "").find("later"), std::string::npos) << c.dump();
  {
    auto store = open_store(store_uri);
    ModelRegistry(*store).set_alias("loan-default", "later", 3, "now");
  }
  const auto start = Clock::now();
  while (!c["loaded"].get<bool>()) {
    ASSERT_LT(Clock::now() - start, std::chrono::seconds(10)) << c.dump();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    c = json::parse(http_call(server.port(), "GET", "/api/v1/model").body)["challenger"];
  }
  EXPECT_EQ(c["version"], "3");
  EXPECT_FALSE(c.contains("error"));
  EXPECT_EQ(http_call(server.port(), "POST", "/api/v1/predict", kApplicant).status, 200);
  const auto begin = Clock::now();
  while (metric(scrape(server.port()), "loanrisk_shadow_rows_total") < 1) {
    ASSERT_LT(Clock::now() - begin, std::chrono::seconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // The warning was said once, not at every poll.
  const std::string err = server.err();
  std::size_t warnings = 0;
  for (auto at = err.find("challenger reload refused"); at != std::string::npos;
       at = err.find("challenger reload refused", at + 1)) {
    ++warnings;
  }
  EXPECT_LE(warnings, 1u) << err;
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(Shadow, TheFlagWinsOverTheConfigAndSyncLinesAreCompleteBeforeTheAnswer) {
  TempDir other;
  write_text(other / "loanrisk.toml",
             std::string(kToml) +
                 "challenger = \"models:/loan-default@nope\"\n"
                 "[serve.prediction_log]\ndir = \"log\"\ndurability = \"sync\"\n");
  ServerProcess server(other,
                       "--store '" + store_uri + "' --challenger models:/loan-default@challenger");
  ASSERT_GT(server.port(), 0) << server.err();
  const json c = json::parse(http_call(server.port(), "GET", "/api/v1/model").body)["challenger"];
  EXPECT_EQ(c["uri"], "models:/loan-default@challenger");
  EXPECT_EQ(c["version"], "2");
  json a = json::parse(kApplicant);
  a["customer_id"] = "sync-1";
  const HttpReply r = http_call(server.port(), "POST", "/api/v1/predict", a.dump());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, http_call(plain_port, "POST", "/api/v1/predict", a.dump()).body);
  // On disk before the answer, with the challenger's verdict: no waiting.
  std::string text;
  for (const auto& f : std::filesystem::directory_iterator(other / "log")) text += slurp(f.path());
  ASSERT_NE(text.find("\"customer_id\":\"sync-1\""), std::string::npos) << text;
  const json line = json::parse(text.substr(0, text.find('\n')));
  EXPECT_EQ(line["challenger"]["version"], "2");
  EXPECT_TRUE(line["challenger"].contains("decision"));
  EXPECT_EQ(metric(scrape(server.port()), "loanrisk_shadow_rows_total"), 1);
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace loanrisk::testing
