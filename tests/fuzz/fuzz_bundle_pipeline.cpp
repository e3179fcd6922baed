// A bundle's pipeline.json (schema + fitted feature pipeline) read as Bundle::load reads it, then
// used as serving uses it: a frame of the schema's features through transform(). Contract:
// InputError, and nlohmann's exceptions inside the document (Bundle::load answers those with an
// InputError); transform() may refuse a frame with an InputError only.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/data/schema.hpp"
#include "loanrisk/features/pipeline.hpp"

using namespace loanrisk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text_of(data, size);
  Schema schema;
  FeaturePipeline pipeline;
  const bool loaded =
      fuzz::within_contract<InputError, nlohmann::json::exception>("pipeline.json", [&] {
        const nlohmann::json pj = parse_json_text(text, "pipeline.json");
        if (!pj.is_object() || !pj.contains("schema") || !pj.contains("pipeline")) return;
        schema = Schema::from_json(pj.at("schema"));
        pipeline = FeaturePipeline::from_json(pj.at("pipeline"));
      });
  if (!loaded) return 0;
  // Rows at each feature's bounds and midpoint (finite stand-ins for open ranges).
  Frame frame;
  for (const auto& c : schema.columns) {
    if (c.role != ColumnRole::Feature) continue;
    const double lo = std::isfinite(c.min) ? c.min : -1e6;
    const double hi = std::isfinite(c.max) ? c.max : 1e6;
    frame.names.push_back(c.name);
    frame.columns.push_back({lo, hi, lo / 2 + hi / 2, 0.0});
  }
  frame.lines.assign(frame.columns.empty() ? 0 : 4, 0);
  fuzz::within_contract<InputError>("FeaturePipeline::transform", [&] {
    const DenseMatrix m = pipeline.transform(frame);
    if (m.values.size() != m.rows * m.cols) fuzz::finding("transform's matrix has a wrong size");
    (void)pipeline.rows_to_keep(frame);
    (void)pipeline.to_json().dump();
  });
  return 0;
}
