// A bundle's reference.json (monitor/reference.cpp) as `loanrisk monitor` and the server's live
// drift read it, then compared with live values as they do. Contract: InputError is the only
// refusal; an accepted reference compares with any values.
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/monitor/compare.hpp"
#include "loanrisk/monitor/reference.hpp"

using namespace loanrisk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text_of(data, size);
  monitor::ModelReference reference;
  if (!fuzz::within_contract<InputError>("reference.json", [&] {
        reference =
            monitor::ModelReference::from_json(parse_json_text(text, "reference.json"), "fuzz");
      })) {
    return 0;
  }
  // Enough live values for a PSI (kMinRows), spread over several magnitudes, plus a missing one.
  static const std::vector<double> live = [] {
    std::vector<double> v;
    for (std::size_t i = 0; i < monitor::kMinRows + 20; ++i) {
      v.push_back(std::ldexp(static_cast<double>(i % 7), static_cast<int>(i % 40) - 10));
    }
    v.push_back(std::numeric_limits<double>::quiet_NaN());
    return v;
  }();
  fuzz::within_contract<>("compare_feature", [&] {
    for (const auto& f : reference.features) (void)monitor::compare_feature(f, live).to_json(f);
    (void)monitor::compare_feature(reference.score, live).to_json(reference.score);
    (void)reference.to_json().dump();
  });
  return 0;
}
