// A run's artifact folder read from a URL: every refused path with its message, confinement (links
// out, folders), the listing, the types and file names answers carry, the bundle's tar archive
// (read back by the system's tar) and its size bound.
#include "loanrisk/serve/run_artifacts.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "http_refusal.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

namespace fs = std::filesystem;

std::string refused_path(const std::string& raw) {
  const auto [status, message] = refusal([&] { artifact_relative_path(raw); });
  EXPECT_EQ(status, 400) << raw;
  return message;
}

TEST(ArtifactPath, DecodesAndKeepsWhatIsFine) {
  EXPECT_EQ(artifact_relative_path("bundle/manifest.json"), "bundle/manifest.json");
  EXPECT_EQ(artifact_relative_path("bundle/report/report.html"), "bundle/report/report.html");
  EXPECT_EQ(artifact_relative_path("my%20file+v2.txt"), "my file+v2.txt");  // '+' is a '+'
  EXPECT_EQ(artifact_relative_path("caf%C3%A9.md"), "café.md");
  EXPECT_EQ(artifact_relative_path("..hidden/a..b"), "..hidden/a..b");  // not a ".." segment
}

TEST(ArtifactPath, EveryRefusalSaysWhy) {
  const std::string tail = "; ask for a path the run's artifact list shows";
  EXPECT_EQ(refused_path("../etc/passwd"),
            "bad artifact path '../etc/passwd': '.' and '..' segments are refused: a path stays "
            "inside the run's folder" +
                tail);
  for (const char* dots : {"bundle/../../x", "%2e%2e/x", "a/%2E%2E", "./a", "a/./b", ".."}) {
    EXPECT_NE(refused_path(dots).find("'.' and '..' segments are refused"), std::string::npos)
        << dots;
  }
  EXPECT_EQ(refused_path("%2Fetc%2Fpasswd"),
            "bad artifact path '%2Fetc%2Fpasswd': an absolute path is never served" + tail);
  EXPECT_EQ(refused_path("/etc/passwd"),
            "bad artifact path '/etc/passwd': an absolute path is never served" + tail);
  EXPECT_EQ(refused_path("a%00b"), "bad artifact path 'a%00b': it holds a NUL byte" + tail);
  EXPECT_EQ(refused_path("a%0Ab"),
            "bad artifact path 'a%0Ab': it holds a control character" + tail);
  EXPECT_EQ(refused_path("a%FFb"), "bad artifact path 'a%FFb': it is not valid UTF-8" + tail);
  EXPECT_EQ(refused_path("a%C0%AFb"), "bad artifact path 'a%C0%AFb': it is not valid UTF-8" + tail);
  EXPECT_EQ(refused_path(std::string("a\xff", 2)),
            "bad artifact path 'a\xef\xbf\xbd': it is not valid UTF-8" + tail);
  EXPECT_EQ(refused_path("a%5Cb"),
            "bad artifact path 'a%5Cb': '\\' is not a folder separator here" + tail);
  EXPECT_EQ(refused_path("a//b"),
            "bad artifact path 'a//b': it has an empty segment ('//' or a trailing '/')" + tail);
  EXPECT_NE(refused_path("a/").find("empty segment"), std::string::npos);
  EXPECT_EQ(refused_path(""), "bad artifact path '': the path is empty" + tail);
  for (const char* bad : {"a%", "a%2", "a%G0", "%%20"}) {
    EXPECT_NE(refused_path(bad).find("'%' must start an escape of two hex digits"),
              std::string::npos)
        << bad;
  }
}

class ArtifactFolder : public ::testing::Test {
 protected:
  testing::TempDir dir;
  fs::path root;
  void SetUp() override {
    root = dir / "run" / "artifacts";
    fs::create_directories(root / "bundle" / "report");
    testing::write_text(root / "bundle" / "manifest.json", R"({"family":"xgboost"})");
    testing::write_text(root / "bundle" / "report" / "report.html", "<html>report</html>");
    testing::write_text(root / "notes.txt", "hello");
    testing::write_text(dir / "secret.txt", "outside");
    fs::create_symlink(dir / "secret.txt", root / "leak.txt");
    fs::create_symlink(dir.path(), root / "up");
    fs::create_symlink(root / "notes.txt", root / "alias.txt");  // a link that stays inside
  }
};

TEST_F(ArtifactFolder, ConfinedToTheRunsFolder) {
  EXPECT_EQ(confined_artifact(root, "bundle/manifest.json"),
            fs::canonical(root / "bundle" / "manifest.json"));
  EXPECT_EQ(confined_artifact(root, "alias.txt"), fs::canonical(root / "notes.txt"));
  const auto out = refusal([&] { confined_artifact(root, "leak.txt"); });
  EXPECT_EQ(out.first, 404);
  EXPECT_EQ(out.second,
            "artifact 'leak.txt' leads out of the run's artifact folder (a symbolic link): it is "
            "not served");
  EXPECT_EQ(refusal([&] { confined_artifact(root, "up/secret.txt"); }).second,
            "artifact 'up/secret.txt' leads out of the run's artifact folder (a symbolic link): it "
            "is not served");
  EXPECT_EQ(refusal([&] { confined_artifact(root, "bundle"); }),
            std::make_pair(404, std::string("artifact 'bundle' is a folder: the run's artifact "
                                            "list shows its files (and the bundle downloads as "
                                            "one archive)")));
  EXPECT_EQ(refusal([&] { confined_artifact(root, "nope.json"); }),
            std::make_pair(404, std::string("no artifact 'nope.json' in this run; its artifact "
                                            "list shows them")));
  EXPECT_EQ(refusal([&] { confined_artifact(dir / "gone", "a.txt"); }),
            std::make_pair(404, std::string("no artifact 'a.txt': this run's artifact folder is "
                                            "missing on the server")));
}

TEST_F(ArtifactFolder, ListsRegularFilesAndLinksThatStayInside) {
  bool truncated = true;
  const auto files = list_artifacts(root, 100, truncated);
  EXPECT_FALSE(truncated);
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"alias.txt", "bundle/manifest.json",
                                             "bundle/report/report.html", "notes.txt"}));
  EXPECT_EQ(files[3].bytes, 5u);
  const auto two = list_artifacts(root, 2, truncated);
  EXPECT_EQ(two.size(), 2u);
  EXPECT_TRUE(truncated);
  EXPECT_TRUE(list_artifacts(dir / "none", 10, truncated).empty());
  EXPECT_FALSE(truncated);
}

TEST_F(ArtifactFolder, TarArchiveReadsBackWithTheSystemsTar) {
  const std::string tar = tar_folder(root / "bundle", "bundle", 1u << 20);
  EXPECT_EQ(tar.size() % 512, 0u);
  EXPECT_EQ(tar.substr(257, 5), "ustar");
  write_file_atomic(dir / "b.tar", tar);
  fs::create_directories(dir / "x");
  const std::string cmd =
      "tar -xf '" + (dir / "b.tar").string() + "' -C '" + (dir / "x").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(read_file(dir / "x" / "bundle" / "manifest.json"), R"({"family":"xgboost"})");
  EXPECT_EQ(read_file(dir / "x" / "bundle" / "report" / "report.html"), "<html>report</html>");
  // A link out of the folder is left out of the archive.
  fs::create_symlink(dir / "secret.txt", root / "bundle" / "leak.txt");
  const std::string again = tar_folder(root / "bundle", "bundle", 1u << 20);
  EXPECT_EQ(again.find("outside"), std::string::npos);
  EXPECT_EQ(again.find("leak.txt"), std::string::npos);
  // Long paths go into the ustar prefix field.
  const std::string deep(90, 'd');
  fs::create_directories(root / "bundle" / deep);
  testing::write_text(root / "bundle" / deep / (std::string(60, 'f') + ".json"), "{}");
  write_file_atomic(dir / "c.tar", tar_folder(root / "bundle", "bundle", 1u << 20));
  const std::string list = "tar -tf '" + (dir / "c.tar").string() + "' | grep -q '" + deep + "/" +
                           std::string(60, 'f') + ".json'";
  EXPECT_EQ(std::system(list.c_str()), 0);
}

TEST_F(ArtifactFolder, TarArchiveRefusesWhatIsTooBigOrMissing) {
  testing::write_text(root / "bundle" / "big.bin", std::string(3u << 20, 'x'));
  const auto big = refusal([&] { tar_folder(root / "bundle", "bundle", 2u << 20); });
  EXPECT_EQ(big.first, 413);
  EXPECT_EQ(big.second,
            "the folder 'bundle' holds 3 MiB, more than the 2 MiB the server sends in one answer; "
            "copy it from the store instead");
  EXPECT_EQ(refusal([&] { tar_folder(root / "nothing", "bundle", 1u << 20); }).first, 404);
  EXPECT_EQ(refusal([&] { tar_folder(root / "notes.txt", "bundle", 1u << 20); }).first, 404);
}

TEST(ArtifactAnswers, TypesNamesAndTheSandbox) {
  EXPECT_EQ(artifact_inline_type("report.html"), "text/html; charset=utf-8");
  EXPECT_EQ(artifact_inline_type("REPORT.HTM"), "text/html; charset=utf-8");
  EXPECT_EQ(artifact_inline_type("metrics.json"), "application/json");
  EXPECT_EQ(artifact_inline_type("card.md"), "text/plain; charset=utf-8");
  EXPECT_EQ(artifact_inline_type("rows.csv"), "text/plain; charset=utf-8");
  for (const char* download : {"model.ubj", "x.js", "x.svg", "x", "archive.tar", "x.html.gz"}) {
    EXPECT_EQ(artifact_inline_type(download), "") << download;
  }
  EXPECT_EQ(attachment_disposition("run-1-bundle.tar"),
            "attachment; filename=\"run-1-bundle.tar\"");
  EXPECT_EQ(attachment_disposition("a \"b\";\r\nc/d\\é.json"),
            "attachment; filename=\"a__b____c_d___.json\"");
  EXPECT_EQ(attachment_disposition("..."), "attachment; filename=\"artifact\"");
  EXPECT_EQ(attachment_disposition(".env"), "attachment; filename=\"env\"");
  EXPECT_EQ(attachment_disposition(std::string(300, 'a') + ".json").size(),
            std::string("attachment; filename=\"\"").size() + 120);

  HttpResponse r =
      stored_file_response("<html></html>", "text/html; charset=utf-8", "r.html", false);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
  EXPECT_EQ(h["Content-Security-Policy"].rfind("sandbox; default-src 'none'", 0), 0u);
  EXPECT_NE(h["Content-Security-Policy"].find("frame-ancestors 'self'"), std::string::npos);
  EXPECT_EQ(h["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(h.count("Content-Disposition"), 0u);
  r = stored_file_response("x", "text/html; charset=utf-8", "r.html", true);
  EXPECT_EQ(r.content_type, "application/octet-stream");
  h = {r.headers.begin(), r.headers.end()};
  EXPECT_EQ(h["Content-Disposition"], "attachment; filename=\"r.html\"");
  r = stored_file_response("x", "", "model.ubj", false);  // no inline type: always a download
  EXPECT_EQ(r.content_type, "application/octet-stream");
}

}  // namespace
}  // namespace loanrisk
