// A scorecard family's scorecard.json (models/scorecard_json.cpp) read as load_classifier reads it,
// then used as serving and monitoring use it: PDs, points, reasons, the table and the
// characteristic analysis on applicants at, between and beyond the bin edges, missing and special.
// Contract: InputError is the only refusal of the file; nothing after a successful load throws.
// Properties: every PD is in [0, 1]; the score is the sum of the points; a reason never gains.
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/models/scorecard_classifier.hpp"

using namespace loanrisk;
using namespace loanrisk::models;

namespace {

/// Applicants probing every bin of every characteristic: edges, midpoints, NaN, specials, extremes.
DenseMatrix probes(const Scorecard& card) {
  const std::size_t cols = card.characteristics.size();
  std::vector<std::vector<double>> values(cols);
  std::size_t rows = 0;
  for (std::size_t c = 0; c < cols; ++c) {
    const Binning& b = card.characteristics[c].binning;
    auto& v = values[c];
    v = {std::nan(""), -1e300, 1e300, 0.0};
    for (double e : b.edges) v.insert(v.end(), {e, std::nextafter(e, 1e308)});
    for (const SpecialBin& s : b.specials) v.push_back(s.value);
    rows = std::max(rows, v.size());
  }
  DenseMatrix X{rows, cols, std::vector<float>(rows * cols), {}};
  for (const auto& ch : card.characteristics) X.names.push_back(ch.name);
  for (std::size_t c = 0; c < cols; ++c) {
    for (std::size_t r = 0; r < rows; ++r) {
      X.values[r * cols + c] = static_cast<float>(values[c][r % values[c].size()]);
    }
  }
  return X;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ParamValues params = make_classifier("scorecard", {})->params();
  Scorecard card;
  if (!fuzz::within_contract<InputError>("scorecard.json", [&] {
        card = scorecard_from_json(parse_json_text(fuzz::text_of(data, size), "scorecard.json"));
      })) {
    return 0;
  }
  const ScorecardClassifier model(params, card);
  const DenseMatrix X = probes(card);
  fuzz::within_contract<>("scoring", [&] {
    const std::vector<double> pd = model.predict_proba(X);
    const std::vector<int> points = model.points(X);
    for (std::size_t r = 0; r < X.rows; ++r) {
      std::vector<double> v(X.cols);
      for (std::size_t c = 0; c < X.cols; ++c) v[c] = X.at(r, c);
      long long sum = 0;
      for (const int p : card.points_of(v)) sum += p;
      if (sum != points[r]) fuzz::finding("a score is not the sum of its points");
      if (!(pd[r] >= 0 && pd[r] <= 1))
        fuzz::finding("a PD outside [0, 1]: " + std::to_string(pd[r]));
      for (const PointsReason& reason : model.points_reasons(X, r, 3)) {
        if (reason.points_lost <= 0) fuzz::finding("a reason where no points were lost");
      }
    }
    (void)model.contributions(X);
    (void)model.describe().dump();
    (void)model.characteristic_stability(X).dump();
    (void)scorecard_table_csv(card);
    if (scorecard_to_json(scorecard_from_json(scorecard_to_json(card))) !=
        scorecard_to_json(card)) {
      fuzz::finding("scorecard JSON does not round-trip");
    }
  });
  return 0;
}
