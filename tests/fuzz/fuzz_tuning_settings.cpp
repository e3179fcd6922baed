// loanrisk.toml's [tuning] section (tuning/settings.cpp), as `loanrisk tune` reads it. Contract:
// UsageError is the only refusal; accepted settings must give every family a search space and
// serialise into the study's record.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/tuning/settings.hpp"

using namespace loanrisk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text_of(data, size);
  fuzz::within_contract<UsageError>("parse_tuning_settings", [&] {
    const TuningSettings settings = parse_tuning_settings(text, "fuzz.toml");
    (void)settings.to_json().dump();
    for (const auto& [family, space] : settings.spaces) (void)settings.space_for(family);
  });
  return 0;
}
