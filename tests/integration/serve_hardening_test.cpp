// `loanrisk serve` under hostile input, over real HTTP on 127.0.0.1: bytes that are not UTF-8,
// deep nesting, amplifying shapes, numbers out of range, over-limit uploads, descriptor
// exhaustion and job data paths. After each, the server must still answer.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/schema.hpp"
#include "serve_fixture.hpp"

namespace loanrisk::testing {
namespace {

using nlohmann::json;

class Hardening : public ServeFixture {
 protected:
  /// The answer's body parsed as JSON (which also checks it is valid UTF-8).
  static json body_of(const std::string& raw_reply) {
    const auto split = raw_reply.find("\r\n\r\n");
    EXPECT_NE(split, std::string::npos) << raw_reply;
    return json::parse(raw_reply.substr(split + 4));
  }
  static int status_of(const std::string& raw_reply) {
    return raw_reply.size() > 12 ? std::stoi(raw_reply.substr(9, 3)) : 0;
  }
  static void still_serving() { ASSERT_EQ(http_call(port, "GET", "/healthz").status, 200); }

  /// A request with the given raw target and headers, closed after the answer.
  static std::string raw(const std::string& method, const std::string& target,
                         const std::string& headers = "", const std::string& body = "") {
    return raw_exchange(port,
                        method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                            headers + "Content-Length: " + std::to_string(body.size()) +
                            "\r\n\r\n" + body,
                        5000);
  }

  /// A second server on the same store with a larger body limit, for bodies of 200 KB and more.
  static std::unique_ptr<ServerProcess> big_server() {
    write_text(*dir / "big.toml",
               "[serve]\nmax_batch = 50\nmax_body_bytes = 4194304\nthreads = 1\n");
    return std::make_unique<ServerProcess>(*dir, "--config big.toml --store '" + store_uri + "'");
  }
};

TEST_F(Hardening, BytesThatAreNotUtf8AreAnsweredNotFatal) {
  // Percent-encoded and raw in the path: echoed back in the error as U+FFFD.
  auto r = http_call(port, "GET", "/api/v1/studies/%ff");
  EXPECT_EQ(r.status, 404);
  EXPECT_NO_THROW(json::parse(r.body)) << r.body;
  EXPECT_NE(r.body.find("\xEF\xBF\xBD"), std::string::npos) << r.body;
  still_serving();
  std::string reply = raw("GET", "/api/v1/\xff\xfe");
  EXPECT_EQ(status_of(reply), 404) << reply;
  EXPECT_NO_THROW(body_of(reply));
  still_serving();
  // In the Content-Type header.
  reply = raw("POST", "/invocations", "Content-Type: text/\xff\r\n", "{}");
  EXPECT_EQ(status_of(reply), 415) << reply;  // MLflow's 415 is text
  EXPECT_NE(reply.find("Got 'text/\xEF\xBF\xBD'."), std::string::npos) << reply;
  still_serving();
  // A Latin-1 CSV header (a European spreadsheet export) where a required column is missing.
  const std::string latin1 =
      "customer_id,r\xe9gion,credit_lines_outstanding,loan_amt_outstanding,"
      "total_debt_outstanding,income,years_employed\n1,\xeele,1,1000,2000,50000,3\n";
  for (const char* route : {"/api/v1/score-csv", "/invocations"}) {
    r = http_call(port, "POST", route, latin1, "text/csv");
    const bool mlflow = std::string(route) == "/invocations";  // MLflow's envelope, 400
    EXPECT_EQ(r.status, mlflow ? 400 : 422) << route << " " << r.body;
    const std::string error = json::parse(r.body)[mlflow ? "message" : "error"];
    EXPECT_NE(error.find("required column 'fico_score' is missing (found: customer_id, "
                         "r\xEF\xBF\xBDgion, credit_lines_outstanding"),
              std::string::npos)
        << error;
    still_serving();
  }
  // A binary file renamed .csv.
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary.push_back(static_cast<char>((i * 131 + 7) % 256));
  for (const char* route : {"/api/v1/score-csv", "/invocations"}) {
    r = http_call(port, "POST", route, binary, "text/csv");
    EXPECT_GE(r.status, 400) << route;
    EXPECT_LT(r.status, 500) << route << " " << r.body;
    EXPECT_NO_THROW(json::parse(r.body)) << route;
    still_serving();
  }
  // A NUL in a value does not cut the message short.
  const std::string nul_csv =
      std::string(
          "customer_id,credit_lines_outstanding,loan_amt_outstanding,"
          "total_debt_outstanding,income,years_employed,fico_score\n1,1,1000,2000,5") +
      std::string(1, '\0') + "0,3,650\n";
  r = http_call(port, "POST", "/invocations", nul_csv, "text/csv");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(json::parse(r.body)["message"].get<std::string>().find(
                "value \"5\\x000\" is not a number. Fix:"),
            std::string::npos)
      << r.body;
}

TEST_F(Hardening, DeepNestingIsRefusedBeforeItRecurses) {
  const auto big = big_server();
  ASSERT_GT(big->port(), 0) << big->err();
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  for (const char* route : {"/api/v1/predict", "/api/v1/explain", "/invocations"}) {
    const auto r = http_call(big->port(), "POST", route, deep);
    EXPECT_EQ(r.status, 400) << route << " " << r.body.substr(0, 200);
    EXPECT_EQ(json::parse(r.body)[std::string(route) == "/invocations" ? "message" : "error"],
              "JSON nested deeper than 64 levels; an applicant is a flat object of numbers");
    ASSERT_EQ(http_call(big->port(), "GET", "/healthz").status, 200) << big->err();
  }
  // Nested values inside an applicant are named by kind, never echoed.
  json a = json::parse(kApplicant);
  a["income"] = json::array({json::array({1, 2}), 3});
  const auto r = http_call(big->port(), "POST", "/api/v1/predict", a.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json::parse(r.body)["problems"][0]["value"], "(an array of 2 values)");
}

TEST_F(Hardening, ColumnarInputsAreCheckedBeforeRowsAreBuilt) {
  const auto big = big_server();
  ASSERT_GT(big->port(), 0) << big->err();
  json inputs = json::object();
  inputs["fico_score"] = std::vector<int>(10000, 640);
  for (int k = 0; k < 1000; ++k) inputs["k" + std::to_string(k)] = json::array();
  auto r = http_call(big->port(), "POST", "/invocations", json{{"inputs", inputs}}.dump());
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 300);
  EXPECT_EQ(json::parse(r.body)["message"].get<std::string>().substr(0, 58),
            "columnar inputs: unknown columns 'k0', 'k1', 'k10', 'k100'");
  // Known columns of different lengths.
  json a = json::parse(kApplicant);
  json columnar = json::object();
  for (const auto& [k, v] : a.items()) columnar[k] = json::array({v, v});
  columnar["income"] = json::array({40000});
  r = http_call(big->port(), "POST", "/invocations", json{{"inputs", columnar}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(json::parse(r.body)["message"].get<std::string>().find(
                "every column needs the same number of values"),
            std::string::npos)
      << r.body;
  // More rows than max_batch (50): refused before the records exist (MLflow's 400).
  for (const auto& [k, v] : a.items()) columnar[k] = std::vector<json>(51, v);
  r = http_call(big->port(), "POST", "/invocations", json{{"inputs", columnar}}.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json::parse(r.body)["message"], "too many rows: 51, at most 50 per request");
  ASSERT_EQ(http_call(big->port(), "GET", "/healthz").status, 200);
}

TEST_F(Hardening, NumbersOutOfRangeAreClientErrors) {
  std::string body = kApplicant;
  body.replace(body.find("40000"), 5, "1e400");
  auto r = http_call(port, "POST", "/api/v1/predict", body);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find("JSON number out of range"),
            std::string::npos);
  body = kApplicant;
  body.replace(body.find("\"years_employed\":2"), 18, "\"years_employed\":-0");
  r = http_call(port, "POST", "/api/v1/predict", body);
  EXPECT_EQ(r.status, 200) << r.body;
  body.replace(body.find("-0"), 2, "NaN");
  EXPECT_EQ(http_call(port, "POST", "/api/v1/predict", body).status, 400);
  still_serving();
}

TEST_F(Hardening, QuotedIdsWithEscapedQuotesAreReadAndWrittenBack) {
  const std::string csv =
      "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
      "years_employed,fico_score,default\n"
      "\"A\"\"1\",1,1000,2000,50000,3,650,0\n"
      "\"x\"\"y\",1,1000,2000,50000,3,650,0\n";
  // Two quoted fields with "" in one row: the scanner kept a view into moved storage.
  const std::string two = "\"A\"\"1\",\"1\"\"\",1000,2000,50000,3,650,0\n";
  auto r = http_call(port, "POST", "/api/v1/score-csv", csv + two, "text/csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\n2,\"A\"\"1\","), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\n3,\"x\"\"y\","), std::string::npos) << r.body;
  still_serving();
}

TEST_F(Hardening, HeadAnswersGetRoutesWithoutABody) {
  std::string r = raw("HEAD", "/healthz");
  EXPECT_EQ(r.substr(0, 17), "HTTP/1.1 200 OK\r\n") << r;
  EXPECT_EQ(r.substr(r.size() - 4), "\r\n\r\n") << r;
  r = raw("HEAD", "/api/v1/predict");
  EXPECT_EQ(status_of(r), 405) << r;
  EXPECT_NE(r.find("Allow: POST\r\n"), std::string::npos) << r;
  r = raw("DELETE", "/healthz");
  EXPECT_NE(r.find("Allow: GET, HEAD\r\n"), std::string::npos) << r;
}

// The client sends a body over the limit in full, as curl does, and must read the 413 first.
TEST_F(Hardening, OverLimitUploadIsAnsweredBeforeTheClose) {
  namespace beast = boost::beast;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  const std::size_t size = 1 << 20;
  const std::string head =
      "POST /api/v1/score-csv HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n"
      "Content-Length: " +
      std::to_string(size) + "\r\n\r\n";
  boost::asio::write(stream.socket(), boost::asio::buffer(head));
  const std::string chunk(16384, 'x');
  beast::error_code ec;
  for (std::size_t sent = 0; sent < size && !ec; sent += chunk.size()) {
    boost::asio::write(stream.socket(), boost::asio::buffer(chunk), ec);
  }
  EXPECT_FALSE(ec) << "the server reset the upload: " << ec.message();
  std::string out;
  char buf[4096];
  stream.expires_after(std::chrono::seconds(5));
  for (;;) {
    const std::size_t n = stream.read_some(boost::asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  EXPECT_EQ(out.substr(0, 32), "HTTP/1.1 413 Payload Too Large\r\n") << out.substr(0, 200);
  still_serving();
}

TEST_F(Hardening, JobRoutesNeedTheTokenAndDataStaysInItsFolders) {
  EXPECT_EQ(http_call(port, "GET", "/api/v1/jobs").status, 401);
  EXPECT_EQ(http_call(port, "GET", "/api/v1/jobs/job-1").status, 401);
  EXPECT_EQ(http_call(port, "GET", "/api/v1/jobs", "", "", "Bearer t0ken").status, 200);
  // A file outside the allowed folders, existing or not: the same answer, nothing started.
  for (const char* path : {"/etc/shadow", "/etc/no-such-file", "../../etc/passwd"}) {
    const auto r = http_call(port, "POST", "/api/v1/admin/jobs",
                             json{{"family", "logistic_regression"}, {"data", path}}.dump(),
                             "application/json", "Bearer t0ken");
    ASSERT_EQ(r.status, 422) << path << " " << r.body;
    const json p = json::parse(r.body)["problems"];
    ASSERT_EQ(p.size(), 1u) << r.body;
    EXPECT_EQ(p[0]["rule"],
              "must be the served model's training data or a file inside a folder the server "
              "allows for jobs (none configured: set [serve] job_data_dirs)");
  }
  EXPECT_EQ(json::parse(http_call(port, "GET", "/api/v1/jobs", "", "", "Bearer t0ken").body)["jobs"]
                .size(),
            0u);
}

// Reasons tell a customer the truth: each quotes the applicant's own inputs (never a capped value)
// and says "low"/"high" only in the direction of the input; a decline always has one.
TEST_F(Hardening, ReasonsAreTrueForExtremeAndTypicalApplicants) {
  const ReadResult book = read_csv(*dir / "book.csv", Schema::loan_default(), {});
  const auto median = [&](const char* column) {
    std::vector<double> v = book.frame.column(column);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  json typical = json::object();
  for (const char* c : {"credit_lines_outstanding", "loan_amt_outstanding",
                        "total_debt_outstanding", "income", "years_employed", "fico_score"}) {
    typical[c] = std::round(median(c));
  }
  const auto grouped = [](double v) {
    std::string digits = std::to_string(static_cast<long long>(v)), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return out;
  };
  const auto reasons_of = [&](const json& applicant) {
    const auto r = http_call(port, "POST", "/api/v1/predict", applicant.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    const json p = json::parse(r.body)["predictions"][0];
    if (p["decision"] == "decline") {
      EXPECT_FALSE(p["reasons"].empty()) << p.dump();
    }
    std::vector<std::string> texts;
    for (const auto& reason : p["reasons"]) {
      const std::string text = reason["text"];
      // Every number quoted is one of the applicant's inputs.
      const auto open = text.find('(');
      if (open != std::string::npos) {
        std::string quoted = text.substr(open + 1, text.find(')') - open - 1);
        std::vector<std::string> given;  // longest first: "4,020" before "0"
        for (const auto& [k, v] : applicant.items()) given.push_back(grouped(v.get<double>()));
        std::sort(given.begin(), given.end(),
                  [](const std::string& x, const std::string& y) { return x.size() > y.size(); });
        for (const auto& g : given) {
          for (auto at = quoted.find(g); at != std::string::npos; at = quoted.find(g)) {
            quoted.replace(at, g.size(), "#");
          }
        }
        EXPECT_EQ(quoted.find_first_of("0123456789"), std::string::npos)
            << "'" << text << "' quotes a number the applicant did not give";
      }
      texts.push_back(text);
    }
    return texts;
  };
  const auto has = [](const std::vector<std::string>& texts, const std::string& want) {
    return std::find(texts.begin(), texts.end(), want) != texts.end();
  };
  const auto mentions = [](const std::vector<std::string>& texts, const std::string& part) {
    return std::any_of(texts.begin(), texts.end(),
                       [&](const std::string& t) { return t.find(part) != std::string::npos; });
  };
  json a = typical;
  a["fico_score"] = 300;
  auto texts = reasons_of(a);
  EXPECT_TRUE(has(texts, "FICO score is low (300)")) << json(texts).dump();
  a["fico_score"] = 850;
  texts = reasons_of(a);
  EXPECT_FALSE(mentions(texts, "FICO score is low")) << json(texts).dump();
  a = typical;
  a["income"] = 0;
  texts = reasons_of(a);
  EXPECT_FALSE(mentions(texts, "Income is high")) << json(texts).dump();
  EXPECT_TRUE(mentions(texts, "income 0)") || has(texts, "Income is low (0)"))
      << json(texts).dump();
  a["income"] = 150000;
  texts = reasons_of(a);
  EXPECT_FALSE(mentions(texts, "Income is low")) << json(texts).dump();
  reasons_of(typical);  // the median applicant: every number quoted is their own
}

// A version whose bundle cannot be loaded is refused before the alias moves.
TEST_F(Hardening, PromotingABrokenVersionLeavesTheAliasWhereItWas) {
  std::int64_t broken = 0;
  {
    auto store = open_store(store_uri);
    ModelRegistry reg(*store);
    broken = reg.register_version("loan-default", make_run(*store, *dir / "b2"), "third").version;
    write_text(reg.get_version("loan-default", broken).source / "pipeline.json", "{");
  }
  const auto r = http_call(port, "POST", "/api/v1/admin/promote",
                           json{{"model", "loan-default"},
                                {"version", broken},
                                {"alias", "champion"},
                                {"reason", "try it"}}
                               .dump(),
                           "application/json", "Bearer t0ken");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find(
                "version 3 of loan-default cannot be served, so champion was not moved: "),
            std::string::npos)
      << r.body;
  auto store = open_store(store_uri);
  EXPECT_EQ(ModelRegistry(*store).get_model("loan-default").aliases.at("champion"), 1);
  EXPECT_EQ(json::parse(http_call(port, "GET", "/api/v1/model").body)["version"], "1");
}

// With durability "sync" every answered decision is in the log even when the server is killed
// right after it answered (with "async" the lines still queued were lost).
TEST_F(Hardening, SyncPredictionLogLosesNoAnsweredDecisionOnAKill) {
  write_text(*dir / "sync.toml",
             "[serve]\nthreads = 2\n[serve.prediction_log]\ndir = \"synclog\"\n"
             "durability = \"sync\"\n");
  ServerProcess sync(*dir, "--config sync.toml --store '" + store_uri + "'");
  ASSERT_GT(sync.port(), 0) << sync.err();
  int answered = 0;
  for (int i = 0; i < 300; ++i) {
    answered += http_call(sync.port(), "POST", "/api/v1/predict", kApplicant).status == 200;
  }
  ASSERT_EQ(answered, 300);
  sync.kill_hard();
  std::size_t lines = 0;
  for (const auto& e : std::filesystem::directory_iterator(*dir / "synclog")) {
    lines += count_lines(e.path());
  }
  EXPECT_EQ(lines, 300u);
}

// Out of file descriptors, the accept loop waits instead of spinning a core.
TEST_F(Hardening, AcceptBacksOffWhenOutOfDescriptors) {
  write_text(*dir / "fd.toml", "[serve]\nthreads = 1\nrequest_timeout_seconds = 30\n");
  ServerProcess limited(*dir, "--config fd.toml --store '" + store_uri + "'", {}, "ulimit -n 64; ");
  ASSERT_GT(limited.port(), 0) << limited.err();
  // Clients that close first: UBSan checks a type on its first use through a pipe, which it
  // cannot open once descriptors run out, so the EOF path is taken once before they do.
  for (int i = 0; i < 3; ++i) ASSERT_EQ(http_call(limited.port(), "GET", "/healthz").status, 200);
  boost::asio::io_context io;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::socket>> held;
  for (int i = 0; i < 100; ++i) {
    auto s = std::make_unique<boost::asio::ip::tcp::socket>(io);
    boost::system::error_code ec;
    s->connect(
        {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(limited.port())},
        ec);
    if (!ec) held.push_back(std::move(s));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double before = limited.cpu_seconds();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double used = limited.cpu_seconds() - before;
  EXPECT_LT(used, 0.5) << "the server used " << used << " s of CPU in 2 s while out of descriptors";
  held.clear();  // descriptors come back: the server serves again
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  while (status != 200 && std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    try {
      status = http_call(limited.port(), "GET", "/healthz").status;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_EQ(status, 200);
}

}  // namespace
}  // namespace loanrisk::testing
