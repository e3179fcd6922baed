// Model URIs (registry/registry_read.cpp): models:/NAME@ALIAS, models:/NAME/VERSION,
// models:/NAME/latest and runs:/RUN_ID[/PATH], resolved against a real SQLite store holding one
// registered model with an alias. Contract: UsageError and InputError are the only refusals.
// Property: a runs:/ URI never resolves outside its run's artifact folder.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/registry/registry.hpp"

using namespace loanrisk;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  fs::path dir;
  std::unique_ptr<Store> store;
  fs::path artifacts;

  Fixture() {
    std::string pattern = (fs::temp_directory_path() / "loanrisk-fuzz-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) fuzz::finding("cannot make a temporary folder");
    dir = pattern;
    store = open_store("sqlite:///" + (dir / "store.db").string());
    const Run run = store->create_run(RunSpec{});
    fs::create_directories(run.artifact_dir / "bundle");
    std::ofstream(run.artifact_dir / "bundle" / "manifest.json") << "{}\n";
    ModelRegistry registry(*store);
    registry.register_version("loan-default", run.id, "fuzz fixture");
    registry.set_alias("loan-default", "champion", 1, "fuzz fixture", "", true);  // no report
    artifacts = fs::weakly_canonical(store->artifact_root());
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  const std::string uri(fuzz::text_of(data, size));
  fuzz::within_contract<UsageError, InputError>("resolve_model_uri", [&] {
    const fs::path resolved = resolve_model_uri(*fixture.store, uri);
    if (!is_model_uri(uri)) return;
    const fs::path real = fs::weakly_canonical(resolved);
    const auto [end, _] =
        std::mismatch(fixture.artifacts.begin(), fixture.artifacts.end(), real.begin(), real.end());
    if (end != fixture.artifacts.end()) {
      fuzz::finding("'" + uri + "' resolved to '" + real.string() +
                    "', outside the store's artifacts");
    }
  });
  return 0;
}
