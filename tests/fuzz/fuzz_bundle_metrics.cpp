// A bundle's metrics.json and lineage.json as Bundle::load reads them and the model card
// (card.md, the web app's Model card page) presents them. Contract: InputError for text that is
// not JSON; any JSON document gives a card.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"

using namespace loanrisk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text_of(data, size);
  Bundle bundle;
  if (!fuzz::within_contract<InputError>(
          "metrics.json", [&] { bundle.metrics = parse_json_text(text, "metrics.json"); })) {
    return 0;
  }
  // The same document as lineage too: the card reads fields of both.
  bundle.lineage = bundle.metrics;
  fuzz::within_contract<>("model_card", [&] { (void)model_card(bundle); });
  return 0;
}
