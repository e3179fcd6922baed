// Secrets stay secret: a real `loanrisk serve` with every kind of secret the platform holds (the
// environment's admin and API tokens, local users' tokens, the session cookie and its CSRF token,
// the prediction log's salt) is driven through sign-in, scoring, refusals, a background job and
// the CLI, with right, wrong and nearly-right secrets; then no secret may appear in the server's
// log, in any answer that is not the one meant to carry it, in the audit trail, in a run's params
// or tags, in the prediction log, or anywhere in the store's files.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "http_client.hpp"
#include "loanrisk/tracking/audit.hpp"
#include "loanrisk/tracking/store.hpp"
#include "server_process.hpp"

namespace loanrisk::testing {
namespace {

using nlohmann::json;

const char* kApplicantBody =
    R"({"customer_id":"cust-77","credit_lines_outstanding":3,"loan_amt_outstanding":5200,)"
    R"("total_debt_outstanding":21000,"income":40000,"years_employed":2,"fico_score":590})";

/// Every file under dir, read whole (the SQLite database and its artifacts included).
std::string every_byte_under(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
    if (f.is_regular_file()) all += slurp(f.path()) + "\n";
  }
  return all;
}

TEST(Secrets, NeverInLogsAnswersAuditRunsOrTheStore) {
  TempDir dir;
  ASSERT_EQ(run_cli(dir, "synth --rows 2000 --seed 3 --out book.csv").code, 0);
  const std::string store = "sqlite:///" + (dir / "store/loanrisk.db").string();
  const std::string on_store = " --store '" + store + "'";
  auto r = run_cli(dir,
                   "train --data book.csv --out bundle --register loan-default --alias champion "
                   "--override --reason test" +
                       on_store);
  ASSERT_EQ(r.code, 0) << r.err;

  // The secrets, each distinctive enough that finding it anywhere means it leaked.
  const std::string admin = "adm1n-S3CRET-4b1f9e0c7d", api = "ap1-S3CRET-77c2e41a90",
                    salt = "sa1t-S3CRET-0f0e0d0c0b";
  const auto add_user = [&](const char* name, const char* role) {
    const auto u =
        run_cli(dir, std::string("users add ") + name + " --role " + role + " --json" + on_store);
    EXPECT_EQ(u.code, 0) << u.err;
    return json::parse(u.out)["token"].get<std::string>();
  };
  const std::string ana = add_user("ana", "analyst"), gone = add_user("gone", "officer");
  ASSERT_EQ(run_cli(dir, "users revoke gone" + on_store).code, 0);
  // A user token is lr_<id>_<secret>: the secret is the part after the second underscore.
  const auto secret_of = [](const std::string& token) { return token.substr(20); };

  write_text(dir / "loanrisk.toml",
             "[serve]\nlog_level = \"trace\"\npoll_seconds = 0.3\nwrong_token_limit = 1000\n"
             "[serve.prediction_log]\ndir = \"" +
                 (dir / "predictions").string() +
                 "\"\nhash_customer_id = true\ndurability = \"sync\"\n");
  ServerProcess server(dir, "--store '" + store + "'",
                       {{"LOANRISK_ADMIN_TOKEN", admin},
                        {"LOANRISK_API_TOKEN", api},
                        {"LOANRISK_PREDICTION_LOG_SALT", salt}});
  const int port = server.port();
  ASSERT_GT(port, 0) << slurp(dir / "serve.err");

  std::string answers;  // every answer that should carry no secret, headers included
  const auto call = [&](const std::string& method, const std::string& target,
                        const std::string& body, const std::string& auth,
                        const std::map<std::string, std::string>& headers = {}) {
    HttpReply reply = http_call(port, method, target, body, "application/json", auth, headers);
    answers += std::to_string(reply.status) + " " + reply.body + "\n";
    for (const auto& [k, v] : reply.headers) {
      if (k != "set-cookie") answers += k + ": " + v + "\n";
    }
    return reply;
  };
  // Right, wrong and nearly right secrets on every kind of route.
  for (const std::string& auth :
       {"Bearer " + admin + "x", "Bearer " + admin.substr(0, admin.size() - 1),
        "Bearer " + api + "x", "Bearer " + ana + "x", "Bearer " + gone, "Basic " + admin, admin,
        "Bearer  " + admin}) {
    EXPECT_EQ(call("POST", "/api/v1/admin/reload", "", auth).status, 401) << auth;
    EXPECT_EQ(call("POST", "/api/v1/session", "", auth).status, 401) << auth;
    EXPECT_GE(
        call("POST", "/api/v1/admin/jobs", R"({"family":"logistic_regression"})", auth).status,
        401);
  }
  EXPECT_EQ(call("POST", "/api/v1/predict", kApplicantBody, "Bearer " + api).status, 200);
  EXPECT_EQ(call("POST", "/api/v1/admin/reload", "", "Bearer " + admin).status, 200);
  // A secret in a query string and on a route it does not open.
  call("GET", "/api/v1/audit?who=" + salt, "", "Bearer " + api);
  call("GET", "/api/v1/jobs?token=" + admin, "", "");

  // A browser session: the cookie and the CSRF token are secrets of their own.
  const HttpReply signed_in = http_call(port, "POST", "/api/v1/session", "", "", "Bearer " + ana);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string set_cookie = signed_in.headers.at("set-cookie");
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  const std::string session = cookie.substr(cookie.find('=') + 1);
  const std::string csrf = json::parse(signed_in.body)["csrf_token"];
  ASSERT_GE(session.size(), 40u);
  EXPECT_EQ(call("POST", "/api/v1/admin/jobs", R"({"family":"logistic_regression"})", "",
                 {{"Cookie", cookie}, {"X-CSRF-Token", csrf + "x"}})
                .status,
            403);
  const HttpReply job = call("POST", "/api/v1/admin/jobs",
                             R"({"family":"logistic_regression","experiment":"secret-check"})", "",
                             {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  ASSERT_EQ(job.status, 202) << job.body;
  const std::string id = json::parse(job.body)["id"];
  json state;
  const auto start = std::chrono::steady_clock::now();
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    state = json::parse(call("GET", "/api/v1/jobs/" + id, "", "Bearer " + ana).body);
    ASSERT_LT(std::chrono::steady_clock::now() - start, std::chrono::minutes(5));
  } while (state["state"] == "queued" || state["state"] == "running");
  EXPECT_EQ(state["state"], "succeeded") << state.dump();
  // (This answer carries the CSRF token by design: not one of the answers checked.)
  EXPECT_EQ(http_call(port, "GET", "/api/v1/session", "", "", "", {{"Cookie", cookie}}).status,
            200);
  call("DELETE", "/api/v1/session", "", "", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(server.stop(), 0);

  // The CLI with a wrong token: refused, and the message does not quote it.
  const RunResult cli =
      run_shell(dir, "LOANRISK_TOKEN='" + ana + "x' '" + std::string(LOANRISK_BINARY) +
                         "' models alias loan-default challenger 1 --reason r" + on_store);
  EXPECT_EQ(cli.code, 2) << cli.out << cli.err;
  const RunResult listed = run_cli(dir, "users list --json" + on_store);
  const RunResult exported = run_cli(dir, "audit export" + on_store);
  ASSERT_EQ(exported.code, 0) << exported.err;

  std::string runs;
  {
    auto s = open_store(store);
    for (const loanrisk::Run& run : s->list_runs(std::nullopt)) {
      const RunRecord rec = s->get_run_record(run.id);
      for (const auto& [k, v] : rec.params) runs += k + "=" + v + "\n";
      for (const auto& [k, v] : rec.tags) runs += k + "=" + v + "\n";
      runs += rec.run.user + " " + rec.run.name + "\n";
    }
  }
  ASSERT_NE(runs.find("loanrisk.family=logistic_regression"), std::string::npos);  // the job's
  const std::map<std::string, std::string> places = {
      {"the server's log", slurp(dir / "serve.out") + slurp(dir / "serve.err")},
      {"the answers", answers},
      {"the CLI's refusal", cli.out + cli.err},
      {"users list", listed.out + listed.err},
      {"the audit export", exported.out},
      {"the runs' params, tags and names", runs},
      {"the prediction log", every_byte_under(dir / "predictions")},
      {"the store's files", every_byte_under(dir / "store")}};
  const std::map<std::string, std::string> secrets = {{"the admin token", admin},
                                                      {"the API token", api},
                                                      {"the salt", salt},
                                                      {"ana's token", secret_of(ana)},
                                                      {"a revoked token", secret_of(gone)},
                                                      {"the session cookie", session},
                                                      {"the CSRF token", csrf}};
  for (const auto& [where, text] : places) {
    ASSERT_FALSE(text.empty()) << where;
    for (const auto& [what, secret] : secrets) {
      EXPECT_EQ(text.find(secret), std::string::npos) << what << " is in " << where;
    }
  }
  // The trail has the refusals and the job, by name.
  EXPECT_NE(exported.out.find("\"refused\""), std::string::npos);
  EXPECT_NE(exported.out.find("\"job end\""), std::string::npos);
  // The customer id went to the prediction log hashed.
  EXPECT_EQ(every_byte_under(dir / "predictions").find("cust-77"), std::string::npos);
}

}  // namespace
}  // namespace loanrisk::testing
