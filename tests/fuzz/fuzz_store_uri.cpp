// Store URIs (tracking/store_uri.cpp): --store, $LOANRISK_STORE and [store] uri. Contract:
// UsageError is the only refusal; an accepted SQLite URI names a file.
#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/tracking/store_uri.hpp"

using namespace loanrisk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::text_of(data, size));
  fuzz::within_contract<UsageError>("parse_store_uri", [&] {
    const StoreUri uri = parse_store_uri(text);
    if (uri.text != text) fuzz::finding("the parsed URI does not keep the text given");
    if (uri.kind == StoreKind::kSqlite && uri.sqlite_path.empty()) {
      fuzz::finding("an SQLite store URI was accepted without a database file");
    }
  });
  return 0;
}
