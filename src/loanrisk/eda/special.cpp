// Normal and chi-squared functions. The double-precision quantile is Wichura's AS 241 (PPND16),
// accurate to about 1e-16 over the whole range; AS 111 and AS 66 are kept as published (see
// header).
#include "loanrisk/eda/special.hpp"

#include <cmath>
#include <limits>

namespace loanrisk::eda {
namespace {

// Evaluates c[0] + c[1] x + ... + c[7] x^7 by Horner's rule.
double poly7(const double (&c)[8], double x) {
  double r = c[7];
  for (int i = 6; i >= 0; --i) r = r * x + c[i];
  return r;
}

}  // namespace

float ppnd_as111(float p) {
  // Coefficients as printed in AS 111 (and scipy's swilk.f), rounded to float as Fortran REAL.
  constexpr float a0 = 2.50662823884f, a1 = -18.61500062529f, a2 = 41.39119773534f,
                  a3 = -25.44106049637f;
  constexpr float b1 = -8.47351093090f, b2 = 23.08336743743f, b3 = -21.06224101826f,
                  b4 = 3.13082909833f;
  constexpr float c0 = -2.78718931138f, c1 = -2.29796479134f, c2 = 4.85014127135f,
                  c3 = 2.32121276858f;
  constexpr float d1 = 3.54388924762f, d2 = 1.63706781897f;
  const float q = p - 0.5f;
  if (std::fabs(q) <= 0.42f) {
    const float r = q * q;
    return q * (((a3 * r + a2) * r + a1) * r + a0) /
           ((((b4 * r + b3) * r + b2) * r + b1) * r + 1.0f);
  }
  float r = q > 0.0f ? 1.0f - p : p;
  if (r <= 0.0f) return 0.0f;  // AS 111's fault exit (p outside (0, 1))
  r = std::sqrt(-std::log(r));
  const float x = (((c3 * r + c2) * r + c1) * r + c0) / ((d2 * r + d1) * r + 1.0f);
  return q < 0.0f ? -x : x;
}

double alnorm_as66(double x, bool upper) {
  constexpr double ltone = 7.0, utzero = 38.0, con = 1.28;
  constexpr double a1 = 0.398942280444, a2 = 0.399903438504, a3 = 5.75885480458, a4 = 29.8213557808,
                   a5 = 2.62433121679, a6 = 48.6959930692, a7 = 5.92885724438;
  constexpr double b1 = 0.398942280385, b2 = 3.8052e-8, b3 = 1.00000615302, b4 = 3.98064794e-4,
                   b5 = 1.98615381364, b6 = 0.151679116635, b7 = 5.29330324926, b8 = 4.8385912808,
                   b9 = 15.1508972451, b10 = 0.742380924027, b11 = 30.789933034,
                   b12 = 3.99019417011;
  bool up = upper;
  double z = x;
  if (z < 0.0) {
    up = !up;
    z = -z;
  }
  double r = 0.0;
  if (z <= ltone || (up && z <= utzero)) {
    const double y = 0.5 * z * z;
    if (z > con) {
      r = b1 * std::exp(-y) /
          (z - b2 +
           b3 / (z + b4 + b5 / (z - b6 + b7 / (z + b8 - b9 / (z + b10 + b11 / (z + b12))))));
    } else {
      r = 0.5 - z * (a1 - a2 * y / (y + a3 - a4 / (y + a5 + a6 / (y + a7))));
    }
  }
  return up ? r : 1.0 - r;
}

double normal_ppf(double p) {
  if (std::isnan(p) || p < 0.0 || p > 1.0) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0.0) return -std::numeric_limits<double>::infinity();
  if (p == 1.0) return std::numeric_limits<double>::infinity();
  // Coefficients of AS 241 (Wichura 1988, Applied Statistics 37(3), 477-484).
  static constexpr double a[8] = {3.3871328727963666080e0,  1.3314166789178437745e+2,
                                  1.9715909503065514427e+3, 1.3731693765509461125e+4,
                                  4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                  3.3430575583588128105e+4, 2.5090809287301226727e+3};
  static constexpr double b[8] = {1.0,
                                  4.2313330701600911252e+1,
                                  6.8718700749205790830e+2,
                                  5.3941960214247511077e+3,
                                  2.1213794301586595867e+4,
                                  3.9307895800092710610e+4,
                                  2.8729085735721942674e+4,
                                  5.2264952788528545610e+3};
  static constexpr double c[8] = {1.42343711074968357734e0,  4.63033784615654529590e0,
                                  5.76949722146069140550e0,  3.64784832476320460504e0,
                                  1.27045825245236838258e0,  2.41780725177450611770e-1,
                                  2.27238449892691845833e-2, 7.74545014278341407640e-4};
  static constexpr double d[8] = {1.0,
                                  2.05319162663775882187e0,
                                  1.67638483018380384940e0,
                                  6.89767334985100004550e-1,
                                  1.48103976427480074590e-1,
                                  1.51986665636164571966e-2,
                                  5.47593808499534494600e-4,
                                  1.05075007164441684324e-9};
  static constexpr double e[8] = {6.65790464350110377720e0,  5.46378491116411436990e0,
                                  1.78482653991729133580e0,  2.96560571828504891230e-1,
                                  2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                  2.71155556874348757815e-5, 2.01033439929228813265e-7};
  static constexpr double f[8] = {1.0,
                                  5.99832206555887937690e-1,
                                  1.36929880922735805310e-1,
                                  1.48753612908506148525e-2,
                                  7.86869131145613259100e-4,
                                  1.84631831751005468180e-5,
                                  1.42151175831644588870e-7,
                                  2.04426310338993978564e-15};
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q * poly7(a, r) / poly7(b, r);
  }
  double r = q < 0.0 ? p : 1.0 - p;
  r = std::sqrt(-std::log(r));
  const double x =
      r <= 5.0 ? poly7(c, r - 1.6) / poly7(d, r - 1.6) : poly7(e, r - 5.0) / poly7(f, r - 5.0);
  return q < 0.0 ? -x : x;
}

double chi2_sf_two_dof(double x) {
  return x <= 0.0 ? 1.0 : std::exp(-0.5 * x);
}

}  // namespace loanrisk::eda
