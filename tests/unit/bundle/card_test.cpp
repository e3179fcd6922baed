// The model card reads the bundle's own metrics.json and lineage.json, whatever their shape: a
// bundle edited by hand or from another version must still give a card (the web app's Model card
// page), never an exception.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/bundle/bundle.hpp"

namespace loanrisk {
namespace {

// Found by fuzz_bundle_metrics (tests/fuzz/regressions/bundle_metrics/): metrics.rows holding
// numbers made value() throw nlohmann's type_error.
TEST(ModelCard, MetricsRowsOfAnyShape) {
  Bundle b;
  b.metrics = nlohmann::json::parse(R"({"rows": {"read": 3000, "test": {"rows": 5}}})");
  const std::string card = model_card(b);
  EXPECT_NE(card.find("read n/a (used for nothing else); test 5 (used for nothing else)"),
            std::string::npos)
      << card;
}

}  // namespace
}  // namespace loanrisk
