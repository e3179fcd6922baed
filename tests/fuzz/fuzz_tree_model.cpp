// XGBoost's JSON model read into the native tree evaluator (models/tree_ensemble.cpp), as a tree
// bundle's model is on load, then evaluated and explained as serving does. Contract: InputError
// is the only refusal (the caller then falls back to XGBoost). Properties (tree_ensemble.hpp):
// explain() gives the probabilities and contributions of the two separate calls, and
// batch_margins() (either kernel) the margins of margins(), bit for bit.
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/models/tree_ensemble.hpp"

using namespace loanrisk;
using loanrisk::models::TreeEnsemble;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text_of(data, size);
  std::optional<TreeEnsemble> model;
  if (!fuzz::within_contract<InputError>("TreeEnsemble::from_json",
                                         [&] { model = TreeEnsemble::from_json(text); })) {
    return 0;
  }
  // Models of many features are read but not evaluated: the rows would dwarf the model.
  const std::size_t n = model->num_features();
  if (n > 1024) return 0;
  // A missing row, a zero row and a row of mixed magnitudes.
  constexpr std::size_t kRows = 3;
  std::vector<float> X(kRows * n);
  for (std::size_t j = 0; j < n; ++j) {
    X[j] = std::numeric_limits<float>::quiet_NaN();
    X[n + j] = 0.0f;
    X[2 * n + j] = (j % 2 ? -1.0f : 1.0f) * std::ldexp(1.0f, static_cast<int>(j % 24) - 4);
  }
  std::vector<float> p(kRows), p2(kRows), phi(kRows * (n + 1)), phi2(kRows * (n + 1));
  std::vector<float> phi_recursive(kRows * (n + 1)), margin(kRows), batch(kRows), walked(kRows);
  fuzz::within_contract<>("TreeEnsemble evaluation", [&] {
    model->margins(X.data(), kRows, margin.data());
    model->probabilities(X.data(), kRows, p.data());
    model->contributions(X.data(), kRows, phi.data());
    model->explain(X.data(), kRows, p2.data(), phi2.data());
    model->recursive_contributions(X.data(), kRows, phi_recursive.data());
    model->batch_margins(X.data(), kRows, batch.data(), 1);
    model->batch_margins(X.data(), kRows, walked.data(), 1, TreeEnsemble::BatchKernel::walk);
  });
  for (std::size_t r = 0; r < kRows; ++r) {
    const bool same = (std::isnan(margin[r]) && std::isnan(batch[r]) && std::isnan(walked[r])) ||
                      (margin[r] == batch[r] && margin[r] == walked[r]);
    if (!same) fuzz::finding("batch_margins() differs from margins()");
  }
  if (std::memcmp(p.data(), p2.data(), p.size() * sizeof(float)) != 0 ||
      std::memcmp(phi.data(), phi2.data(), phi.size() * sizeof(float)) != 0) {
    fuzz::finding("explain() differs from probabilities() and contributions()");
  }
  return 0;
}
