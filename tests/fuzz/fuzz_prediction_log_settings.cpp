// loanrisk.toml's [serve.prediction_log] table (serve/prediction_log_toml.cpp). The input is
// the table's own text (no section header needed), so mutations spend their time on its keys.
// Contract: UsageError is the only refusal (toml++'s parse error is what apply_serve_toml_text
// turns into one).
#include <toml++/toml.h>

#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/serve/prediction_log_toml.hpp"

using namespace loanrisk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text_of(data, size);
  toml::table root;
  try {
    root = toml::parse(text, std::string_view("fuzz.toml"));
  } catch (const toml::parse_error&) {
    return 0;
  }
  fuzz::within_contract<UsageError>("apply_prediction_log_toml", [&] {
    PredictionLogSettings settings;
    apply_prediction_log_toml(settings, root, "fuzz.toml");
    settings.validate();
  });
  return 0;
}
