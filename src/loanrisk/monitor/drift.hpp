#pragma once
// Drift statistics between a reference distribution and live data: PSI on the reference's quantile
// bins, the two-sample Kolmogorov-Smirnov statistic and the Wasserstein-1 distance normalised by
// the reference standard deviation, plus the traffic-light status banks use for PSI.
#include <cstddef>
#include <string>
#include <vector>

namespace loanrisk::monitor {

/// PSI bands: green below kAmber, amber from kAmber to kRed inclusive, red above kRed.
inline constexpr double kAmber = 0.1;
inline constexpr double kRed = 0.25;
/// Share used in place of an empty bin (reference or live) so that ln(A/E) stays finite.
inline constexpr double kEmptyShare = 1e-4;
/// Fewer live rows than this give status "insufficient" and no PSI.
inline constexpr std::size_t kMinRows = 100;

/// Status of a feature or of the score.
enum class Status { Green, Amber, Red, Insufficient };

/// "green", "amber", "red" or "insufficient".
std::string status_name(Status s);
/// The band of a PSI value (NaN: insufficient).
Status status_of(double psi);
/// The worse of two statuses (red > amber > green > insufficient).
Status worse(Status a, Status b);

/// PSI = sum over bins of (A - E) ln(A / E), with E the reference shares and A the live shares
/// (live counts / their total); a zero share on either side is replaced by kEmptyShare. NaN when
/// the sizes differ or there is no live row.
double psi(const std::vector<double>& reference_shares,
           const std::vector<std::size_t>& live_counts);

/// PSI with missing values as one more bin: reference_shares are the shares of the training
/// values that were present and reference_missing the training rows' missing rate; live_counts
/// count the live values present per bin and live_missing the live rows without one. A jump in
/// the missing rate is drift like any other shift; with no missing value on either side this is
/// psi(). NaN when there is no live row.
double psi_with_missing(const std::vector<double>& reference_shares, double reference_missing,
                        const std::vector<std::size_t>& live_counts, std::size_t live_missing);

/// Two-sample Kolmogorov-Smirnov statistic: the largest gap between the empirical CDFs of two
/// ascending samples (ties handled as scipy.stats.ks_2samp does). NaN when either is empty.
double ks_two_sample(const std::vector<double>& a_sorted, const std::vector<double>& b_sorted);

/// Wasserstein-1 distance between two distributions given by their quantile functions sampled
/// at the same evenly spaced probabilities 0, 1/(n-1), ..., 1 (trapezoid rule on |Qa - Qb|).
double wasserstein_quantiles(const std::vector<double>& qa, const std::vector<double>& qb);

/// Quantiles at 0, 1/(n-1), ..., 1 of an ascending sample (linear interpolation).
std::vector<double> quantile_grid(const std::vector<double>& sorted, std::size_t n);

}  // namespace loanrisk::monitor
