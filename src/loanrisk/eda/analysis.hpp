#pragma once
// The exploratory analysis of a loan file: every statistic of the EDA report, computed once and
// then written as JSON (for machines, including drift monitoring) and HTML (for people).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/schema.hpp"
#include "loanrisk/eda/correlation.hpp"
#include "loanrisk/eda/describe.hpp"
#include "loanrisk/eda/normality.hpp"
#include "loanrisk/eda/outliers.hpp"
#include "loanrisk/eda/reference.hpp"
#include "loanrisk/eda/woe.hpp"

namespace loanrisk::eda {

/// Settings of the analysis; plain values so the eda layer does not depend on the config layer.
struct EdaOptions {
  /// IQR fence factor per raw column; columns not listed use 1.5.
  std::map<std::string, double> iqr_factors;
  double z_threshold = 3.0;         ///< |z| above this is an outlier.
  std::size_t histogram_bins = 30;  ///< equal-width bins of the histograms.
  std::size_t woe_bins = 10;        ///< quantile bins before merging.
  std::size_t reference_bins = 10;  ///< quantile bins of the drift reference.
  std::size_t max_reasons = 20;     ///< validation problems listed in full.
  std::uint64_t seed = 42;          ///< seed of the Shapiro-Wilk sample on large files.
  double income_floor = 1.0;        ///< the derived ratios divide by max(income, this).

  /// The project's factors: loan_amt_outstanding 2.80, total_debt_outstanding 3.90, income 1.90,
  /// fico_score 2.00 (the same as the feature pipeline's defaults).
  static EdaOptions defaults();
  /// The factor of a column (1.5 when not listed).
  double iqr_factor(const std::string& column) const;
  /// UsageError naming the setting when a factor or z is not finite and > 0, or a bin count is 0.
  void validate() const;
};

/// Section 1: what the file holds and what is wrong with it.
struct Overview {
  std::string source;                                             ///< the file's path as given.
  std::string sha256;                                             ///< of the file's bytes.
  std::size_t rows_read = 0;                                      ///< data rows, good and bad.
  std::size_t rows_valid = 0;                                     ///< rows that passed the schema.
  std::vector<std::pair<std::string, std::string>> column_types;  ///< name, schema type.
  std::size_t duplicated_ids = 0;   ///< rows whose id appeared on an earlier row.
  std::size_t duplicated_rows = 0;  ///< valid rows equal to an earlier one in every column.
  std::map<std::string, std::size_t> missing;  ///< empty values per column (see docs/eda.md).
  std::vector<std::string> constant_columns;
  std::size_t rejects = 0;                  ///< rows the schema rejected.
  std::vector<std::string> reject_reasons;  ///< the first max_reasons messages.
  std::vector<std::string> warnings;        ///< from the reader, e.g. ignored columns.
};

/// Section 4: the target's classes.
struct ClassBalance {
  std::string target;
  std::size_t negatives = 0;  ///< target 0
  std::size_t positives = 0;  ///< target 1
  double default_rate = 0;
};

/// Sections 2, 3, 5, 6 and 7 for one feature.
struct FeatureReport {
  std::string name;
  bool derived = false;  ///< computed by the feature pipeline rather than read.
  ColumnSummary summary;
  Histogram histogram;
  TestResult dagostino;  ///< on every row.
  TestResult shapiro;    ///< on shapiro_rows rows.
  std::size_t shapiro_rows = 0;
  bool shapiro_sampled = false;  ///< true when a seeded sample of kShapiroMaxRows was tested.
  std::vector<double> shapiro_sample_sorted;  ///< the tested values, for the Q-Q plot.
  std::optional<OutlierSummary> outliers;     ///< raw features only.
  double pearson_target = 0, spearman_target = 0;
  SingleColumnScore score;
  WoeResult woe;
  ReferenceDistribution reference;
};

/// Everything the report shows.
struct EdaReport {
  EdaOptions options;
  Overview overview;
  ClassBalance balance;
  std::vector<FeatureReport> features;  ///< raw then derived.
  CorrelationMatrix pearson;            ///< features and target.
  CorrelationMatrix spearman;
  double seconds = 0;  ///< time spent reading and analysing.
};

/// Analyses rows already read in rejects mode (`read`) with `schema`; source and sha256 name the
/// file. InputError when no row is valid.
EdaReport analyze(const ReadResult& read, const Schema& schema, const std::string& source,
                  const std::string& sha256, const EdaOptions& options);

/// Section 1 alone (the parts that need no statistics).
Overview overview_of(const ReadResult& read, const Schema& schema, std::size_t max_reasons);
/// Reads the file in rejects mode, hashes it and analyses it. InputError when it cannot be read or
/// no row is valid.
EdaReport analyze_file(const std::filesystem::path& path, const Schema& schema,
                       const EdaOptions& options);

}  // namespace loanrisk::eda
