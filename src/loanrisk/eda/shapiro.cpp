// Shapiro-Wilk W test, algorithm AS R94 (Royston 1995, Applied Statistics 44(4)), ported line by
// line from the Fortran swilk.f that scipy 1.10 wraps. That code works in single precision (REAL)
// and scipy passes it float32 data; we do the same, in the same order of operations, so that W and
// its p-value equal scipy.stats.shapiro's exactly rather than differing in the 5th digit. The
// censoring branch (N1 < N) is left out: we always test complete samples.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "loanrisk/core/rng.hpp"
#include "loanrisk/eda/normality.hpp"
#include "loanrisk/eda/special.hpp"

namespace loanrisk::eda {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// AS 181.2: c[0] + c[1] x + ... + c[nord-1] x^(nord-1), evaluated in swilk.f's order.
float poly(const float* c, int nord, float x) {
  const float result = c[0];
  if (nord == 1) return result;
  float p = x * c[nord - 1];
  for (int j = nord - 2; j >= 1; --j) p = (p + c[j]) * x;
  return result + p;
}

// The coefficients a[0 .. n/2 - 1] of the test for n > 3 values (swilk.f, INIT false).
std::vector<float> coefficients(int n) {
  static constexpr float c1[6] = {0.0f,         0.221157f,    -0.147981f,
                                  -0.207119e1f, 0.4434685e1f, -0.2706056e1f};
  static constexpr float c2[6] = {0.0f,          0.42981e-1f,  -0.293762f,
                                  -0.1752461e1f, 0.5682633e1f, -0.3582633e1f};
  const int nn2 = n / 2;
  std::vector<float> a(static_cast<std::size_t>(nn2));
  const float an = static_cast<float>(n);
  const float an25 = an + 0.25f;
  float summ2 = 0.0f;
  for (int i = 1; i <= nn2; ++i) {
    float& ai = a[static_cast<std::size_t>(i - 1)];
    ai = ppnd_as111((static_cast<float>(i) - 0.375f) / an25);
    summ2 = summ2 + ai * ai;
  }
  summ2 = summ2 * 2.0f;
  const float ssumm2 = std::sqrt(summ2);
  const float rsn = 1.0f / std::sqrt(an);
  const float a1 = poly(c1, 6, rsn) - a[0] / ssumm2;
  int i1 = 0;
  float fac = 0.0f;
  if (n > 5) {
    i1 = 3;
    const float a2 = -a[1] / ssumm2 + poly(c2, 6, rsn);
    fac = std::sqrt((summ2 - 2.0f * (a[0] * a[0]) - 2.0f * (a[1] * a[1])) /
                    (1.0f - 2.0f * (a1 * a1) - 2.0f * (a2 * a2)));
    a[0] = a1;
    a[1] = a2;
  } else {
    i1 = 2;
    fac = std::sqrt((summ2 - 2.0f * (a[0] * a[0])) / (1.0f - 2.0f * (a1 * a1)));
    a[0] = a1;
  }
  for (int i = i1; i <= nn2; ++i) {
    float& ai = a[static_cast<std::size_t>(i - 1)];
    ai = -ai / fac;
  }
  return a;
}

// Fortran's SIGN(1, I - J) * A(MIN(I, J)) with 1-based I, J.
float signed_coefficient(const std::vector<float>& a, int i, int j) {
  const float v = a[static_cast<std::size_t>(std::min(i, j) - 1)];
  return i - j >= 0 ? v : -v;
}

}  // namespace

TestResult shapiro_wilk(const std::vector<double>& values) {
  const std::size_t count = values.size();
  if (count < 3 || count > kShapiroMaxRows) return {kNaN, kNaN};
  // As scipy: subtract the median (in double), sort, then hand float32 values to swilk.
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t h = count / 2;
  const double median = count % 2 == 1 ? sorted[h] : 0.5 * (sorted[h - 1] + sorted[h]);
  const int n = static_cast<int>(count);
  std::vector<float> x(count);
  for (std::size_t i = 0; i < count; ++i) x[i] = static_cast<float>(sorted[i] - median);

  const float range = x[count - 1] - x[0];
  if (range < 1e-19f) return {kNaN, kNaN};  // zero range: W is not defined

  float w1 = 0.0f;
  std::vector<float> a;
  if (n == 3) {
    a = {0.70711f};
  } else {
    a = coefficients(n);
  }
  // W as the squared correlation between the data and the coefficients; computing 1 - W directly
  // avoids rounding error when W is very near 1.
  float sa = -a[0];
  float sx = x[0] / range;
  for (int i = 2, j = n - 1; i <= n; ++i, --j) {
    sx = sx + x[static_cast<std::size_t>(i - 1)] / range;
    if (i != j) sa = sa + signed_coefficient(a, i, j);
  }
  sa = sa / static_cast<float>(n);
  sx = sx / static_cast<float>(n);
  float ssa = 0.0f, ssx = 0.0f, sax = 0.0f;
  for (int i = 1, j = n; i <= n; ++i, --j) {
    const float asa = i != j ? signed_coefficient(a, i, j) - sa : -sa;
    const float xsx = x[static_cast<std::size_t>(i - 1)] / range - sx;
    ssa = ssa + asa * asa;
    ssx = ssx + xsx * xsx;
    sax = sax + asa * xsx;
  }
  const float ssassx = std::sqrt(ssa * ssx);
  w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx);
  const float w = 1.0f - w1;

  // Significance level of W: exact for n = 3, Royston's normalising transformation otherwise.
  if (n == 3) {
    const float pw = 0.1909859e1f * (std::asin(std::sqrt(w)) - 0.1047198e1f);
    return {static_cast<double>(w), static_cast<double>(pw)};
  }
  float y = std::log(w1);
  const float an = static_cast<float>(n);
  const float xx = std::log(an);
  float m = 0.0f, s = 1.0f;
  if (n <= 11) {
    static constexpr float g[2] = {-0.2273e1f, 0.459f};
    static constexpr float c3[4] = {0.5440f, -0.39978f, 0.25054e-1f, -0.6714e-3f};
    static constexpr float c4[4] = {0.13822e1f, -0.77857f, 0.62767e-1f, -0.20322e-2f};
    const float gamma = poly(g, 2, an);
    if (y >= gamma) return {static_cast<double>(w), static_cast<double>(1e-19f)};
    y = -std::log(gamma - y);
    m = poly(c3, 4, an);
    s = std::exp(poly(c4, 4, an));
  } else {
    static constexpr float c5[4] = {-0.15861e1f, -0.31082f, -0.83751e-1f, 0.38915e-2f};
    static constexpr float c6[3] = {-0.4803f, -0.82676e-1f, 0.30302e-2f};
    m = poly(c5, 4, xx);
    s = std::exp(poly(c6, 3, xx));
  }
  const float pw = static_cast<float>(alnorm_as66(static_cast<double>((y - m) / s), true));
  return {static_cast<double>(w), static_cast<double>(pw)};
}

std::vector<double> seeded_sample(const std::vector<double>& values, std::size_t limit,
                                  std::uint64_t seed) {
  if (values.size() <= limit) return values;
  // Partial Fisher-Yates over the indices: the first `limit` positions are a uniform sample.
  std::vector<std::size_t> index(values.size());
  std::iota(index.begin(), index.end(), std::size_t{0});
  Rng rng(seed);
  for (std::size_t i = 0; i < limit; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(rng.below(index.size() - i));
    std::swap(index[i], index[j]);
  }
  std::vector<double> sample(limit);
  for (std::size_t i = 0; i < limit; ++i) sample[i] = values[index[i]];
  return sample;
}

}  // namespace loanrisk::eda
