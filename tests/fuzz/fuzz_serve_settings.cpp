// loanrisk.toml's [serve] section (serve/settings.cpp), as `loanrisk serve --config` reads it.
// Contract: UsageError is the only refusal; accepted settings have passed validate(), so every PD
// has a grade.
#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/serve/settings.hpp"

using namespace loanrisk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(fuzz::text_of(data, size));
  fuzz::within_contract<UsageError>("apply_serve_toml_text", [&] {
    ServeSettings settings;
    apply_serve_toml_text(settings, text, "fuzz.toml");
    for (const double pd : {0.0, 0.004, 0.5, 1.0}) (void)grade_of(settings.grades, pd).name;
  });
  return 0;
}
