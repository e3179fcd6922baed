// `loanrisk serve` over TLS with a self-signed certificate this test makes (openssl): HTTPS with
// HSTS, TLS 1.2 or later only, plain HTTP and an untrusted client refused, and clear exit-2
// errors for a missing, unreadable or mismatched certificate or key. Also the safe default: no
// listening beyond loopback while nobody can be told apart.
#include <gtest/gtest.h>

#include "cli_runner.hpp"
#include "server_process.hpp"

namespace loanrisk::testing {
namespace {

class TlsServe : public ::testing::Test {
 protected:
  static inline std::unique_ptr<TempDir> dir;

  static void SetUpTestSuite() {
    dir = std::make_unique<TempDir>();
    ASSERT_EQ(run_cli(*dir, "synth --rows 1000 --seed 3 --out book.csv").code, 0);
    const RunResult t = run_cli(*dir, "train --no-track --data book.csv --seed 3 --out bundle");
    ASSERT_EQ(t.code, 0) << t.err;
    const RunResult cert = run_shell(
        *dir,
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 && "
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other-key.pem");
    ASSERT_EQ(cert.code, 0) << cert.err;
  }
  static void TearDownTestSuite() { dir.reset(); }

  static std::string store() { return "sqlite:///" + (*dir / "store/loanrisk.db").string(); }
  static RunResult serve(const std::string& args) {
    return run_cli(*dir, "serve --model bundle --port 0 --store '" + store() + "' " + args);
  }
};

TEST_F(TlsServe, AnswersHttpsWithHstsAndRefusesPlainHttpAndOldTls) {
  ServerProcess server(*dir, "--model bundle --store '" + store() +
                                 "' --tls-cert cert.pem --tls-key key.pem --log-level warn");
  const int port = server.port();
  ASSERT_GT(port, 0) << server.err();
  EXPECT_NE(slurp(*dir / "serve.out").find("at https://127.0.0.1:"), std::string::npos);
  const std::string url = "https://127.0.0.1:" + std::to_string(port);
  RunResult r = run_shell(*dir, "curl -sS --cacert cert.pem -D - " + url + "/healthz");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("HTTP/1.1 200"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Strict-Transport-Security: max-age=31536000"), std::string::npos) << r.out;
  r = run_shell(*dir,
                "curl -sS --cacert cert.pem -H 'Content-Type: application/json' -d "
                "'{\"credit_lines_outstanding\":2,\"loan_amt_outstanding\":4500,"
                "\"total_debt_outstanding\":12000,\"income\":55000,\"years_employed\":3,"
                "\"fico_score\":610}' " +
                    url + "/api/v1/predict");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"pd\":"), std::string::npos) << r.out;
  // Keep-alive over TLS: two requests on one connection.
  r = run_shell(
      *dir, "curl -sS --cacert cert.pem -o /dev/null -o /dev/null -w '%{num_connects} ' " + url +
                "/healthz " + url + "/readyz");
  EXPECT_EQ(r.out, "1 0 ") << "the second request reused the connection";
  // A client that does not trust the certificate stops at the handshake (real TLS, real checks).
  EXPECT_NE(run_shell(*dir, "curl -sS " + url + "/healthz").code, 0);
  // Plain HTTP to the TLS port gets no answer, and the server goes on.
  r = run_shell(*dir,
                "curl -sS --max-time 5 http://127.0.0.1:" + std::to_string(port) + "/healthz");
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.out.find("200"), std::string::npos);
  // TLS 1.1 is refused even by a client willing to use it; 1.2 and 1.3 are taken.
  const std::string connect = "openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                              " -CAfile cert.pem -servername 127.0.0.1 ";
  r = run_shell(*dir, connect + "-tls1_1 -cipher DEFAULT@SECLEVEL=0");
  EXPECT_NE(r.code, 0) << r.out;
  r = run_shell(*dir, connect + "-tls1_2");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("TLSv1.2"), std::string::npos) << r.out;
  r = run_shell(*dir, connect + "-tls1_3");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("TLSv1.3"), std::string::npos) << r.out;
  EXPECT_EQ(run_shell(*dir, "curl -sS --cacert cert.pem " + url + "/healthz").code, 0)
      << "still serving after the refusals";
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(TlsServe, BadCertificatesAndKeysExitTwoNamingTheFile) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--tls-cert cert.pem", "--tls-cert and --tls-key go together"},
      {"--tls-key key.pem", "--tls-cert and --tls-key go together"},
      {"--tls-cert missing.pem --tls-key key.pem",
       "--tls-cert missing.pem: cannot read a PEM certificate chain"},
      {"--tls-cert key.pem --tls-key key.pem",
       "--tls-cert key.pem: cannot read a PEM certificate chain"},
      {"--tls-cert cert.pem --tls-key book.csv", "--tls-key book.csv: cannot read a PEM private"},
      {"--tls-cert cert.pem --tls-key other-key.pem",
       "--tls-key other-key.pem is not the private key of --tls-cert cert.pem"},
  };
  for (const auto& [flags, message] : cases) {
    const RunResult r = serve(flags);
    EXPECT_EQ(r.code, 2) << flags << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << flags << ": " << r.err;
  }
}

TEST_F(TlsServe, BeyondLoopbackNobodyMeansNoStart) {
  // The check comes before anything listens: nothing is opened on 0.0.0.0 here.
  const RunResult r = serve("--host 0.0.0.0");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("serve --host 0.0.0.0 would be reachable from other machines, but this "
                       "server cannot tell people apart"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("loanrisk users add NAME --role admin"), std::string::npos) << r.err;
  EXPECT_EQ(serve("--host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem").code, 2)
      << "TLS alone does not say who is calling";
}

}  // namespace
}  // namespace loanrisk::testing
