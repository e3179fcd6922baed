// loanrisk.toml's training sections (config/config.cpp), as `loanrisk train --config` reads them.
// Contract: UsageError (exit code 2, with file:line:col) is the only refusal; a configuration it
// accepts must also serialise for the bundle's lineage.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "loanrisk/config/config.hpp"
#include "loanrisk/core/error.hpp"

using namespace loanrisk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text_of(data, size);
  fuzz::within_contract<UsageError>("parse_config", [&] {
    const TrainConfig config = parse_config(text, "fuzz.toml");
    (void)config.to_json().dump();
  });
  return 0;
}
