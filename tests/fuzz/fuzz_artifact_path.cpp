// A run's artifact path from a URL (serve/run_artifacts.cpp), checked and then resolved in a real
// folder holding a link out of it, a link to its parent and a file outside. Contract: HttpError
// (400 for the path, 404 for what it leads to) is the only refusal. Properties: an accepted path
// is relative, valid UTF-8, without NUL, control bytes or a "." / ".." segment, and what it
// resolves to is a regular file inside the folder, never the file outside.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "fuzz_support.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/run_artifacts.hpp"

using namespace loanrisk;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  fs::path dir, root, canonical_root;

  Fixture() {
    std::string pattern = (fs::temp_directory_path() / "loanrisk-fuzz-artifacts-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) fuzz::finding("cannot make a temporary folder");
    dir = pattern;
    root = dir / "run" / "artifacts";
    fs::create_directories(root / "bundle" / "report");
    std::ofstream(root / "bundle" / "manifest.json") << "{}\n";
    std::ofstream(root / "bundle" / "report" / "report.html") << "<html></html>\n";
    std::ofstream(dir / "secret.txt") << "outside\n";
    fs::create_symlink(dir / "secret.txt", root / "leak.txt");
    fs::create_symlink(dir, root / "up");
    fs::create_symlink(root / "bundle" / "manifest.json", root / "inside.json");
    canonical_root = fs::canonical(root);
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  const std::string raw(fuzz::text_of(data, size));
  std::string relative;
  if (!fuzz::within_contract<HttpError>("artifact_relative_path",
                                        [&] { relative = artifact_relative_path(raw); })) {
    return 0;
  }
  const bool bad_byte = std::any_of(relative.begin(), relative.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (relative.empty() || relative.front() == '/' || bad_byte || !is_valid_utf8(relative) ||
      ("/" + relative + "/").find("/../") != std::string::npos ||
      ("/" + relative + "/").find("/./") != std::string::npos) {
    fuzz::finding("'" + raw + "' was accepted as '" + relative + "'");
  }
  fuzz::within_contract<HttpError>("confined_artifact", [&] {
    const fs::path file = confined_artifact(fixture.root, relative);
    const auto [end, _] = std::mismatch(fixture.canonical_root.begin(),
                                        fixture.canonical_root.end(), file.begin(), file.end());
    if (end != fixture.canonical_root.end() || !fs::is_regular_file(file)) {
      fuzz::finding("'" + raw + "' led to '" + file.string() + "', outside the run's folder");
    }
  });
  return 0;
}
