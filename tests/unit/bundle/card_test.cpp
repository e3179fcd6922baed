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

// The web app's card showed the lineage's JSON ({"compiler":"g++ ..."}), one unbreakable line on
// a phone, and XGBoost for models that do not use it.
TEST(ModelCard, LibrariesInWordsAndOnlyThoseTheModelUses) {
  Bundle b;
  b.lineage = nlohmann::json::parse(
      R"({"libraries": {"compiler": "g++ 12.2.0", "nlohmann_json": "3.11.2", "xgboost": "1.7.4",
          "odd": 3}})");
  const std::string card = model_card(b);
  EXPECT_NE(card.find("- Libraries: compiled by g++ 12.2.0, nlohmann_json 3.11.2\n"),
            std::string::npos)
      << card;
  EXPECT_EQ(card.find("{\""), std::string::npos) << card;
  b.lineage = nlohmann::json::parse(R"({"libraries": []})");
  EXPECT_NE(model_card(b).find("- Libraries: not recorded\n"), std::string::npos);
}

// The card said "the PD is the model's raw probability" of calibrated PDs, and printed the rows'
// uses as JSON (["calibrator fit","threshold choice"]).
TEST(ModelCard, OneTrueSentenceAboutCalibrationAndRowsInWords) {
  Bundle b;
  b.metrics = nlohmann::json::parse(
      R"({"calibration": {}, "rows": {"calibration": {"rows": 199, "used_for": ["calibrator fit",
          "threshold choice"]}, "test": {"rows": 400, "used_for": []}}})");
  std::string card = model_card(b);
  EXPECT_NE(card.find("calibration 199 (used for calibrator fit and threshold choice); test 400 "
                      "(used for nothing else)"),
            std::string::npos)
      << card;
  EXPECT_EQ(card.find("[\""), std::string::npos) << card;
  EXPECT_NE(card.find("The PD is the model's raw probability (no calibration)"), std::string::npos)
      << card;
  b.calibrator = Calibrator::fit("platt", {0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1});
  card = model_card(b);
  EXPECT_EQ(card.find("raw probability"), std::string::npos) << card;
  EXPECT_NE(card.find("The PD is calibrated (platt, on the calibration slice of the validation "
                      "split)"),
            std::string::npos)
      << card;
}

}  // namespace
}  // namespace loanrisk
