#pragma once
// Synthetic problems and a tiny AUC for the models tests (the metrics layer is tested on its own).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "loanrisk/core/matrix.hpp"
#include "loanrisk/core/rng.hpp"

namespace loanrisk::testing {

/// Features and 0/1 labels.
struct Labelled {
  DenseMatrix X;
  std::vector<float> y;
};

/// Rows with `cols` standard-normal features and labels drawn from a logistic model whose true
/// log-odds are 3*x0 - 2*x1 + 1.5*x2*x3 (the rest are noise), so a tree model can reach AUC > 0.9.
/// cols must be at least 4.
inline Labelled logistic_problem(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  if (cols < 4) throw std::invalid_argument("logistic_problem needs at least 4 columns");
  Rng rng(seed);
  Labelled out;
  out.X.rows = rows;
  out.X.cols = cols;
  for (std::size_t c = 0; c < cols; ++c) out.X.names.push_back("x" + std::to_string(c));
  out.X.values.resize(rows * cols);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) out.X.at(r, c) = static_cast<float>(rng.normal());
    const double logit =
        3 * out.X.at(r, 0) - 2 * out.X.at(r, 1) + 1.5 * out.X.at(r, 2) * out.X.at(r, 3);
    out.y.push_back(rng.uniform() < 1 / (1 + std::exp(-logit)) ? 1.0f : 0.0f);
  }
  return out;
}

/// Area under the ROC curve by ranks (ties get their average rank).
inline double auc(const std::vector<double>& scores, const std::vector<float>& labels) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return scores[a] < scores[b]; });
  double positive_rank_sum = 0;
  double positives = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double rank = (i + 1 + j) / 2.0;
    for (std::size_t k = i; k < j; ++k) {
      if (labels[order[k]] == 1.0f) {
        positive_rank_sum += rank;
        positives += 1;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(scores.size()) - positives;
  return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

/// The six raw numeric columns of the real loan book and its default flag (as
/// logistic_reference.py reads them); the file has no quoting, so a split on commas is enough.
inline Labelled read_loan_columns(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  Labelled out;
  out.X.cols = 6;
  out.X.names = {"credit_lines_outstanding", "loan_amt_outstanding",
                 "total_debt_outstanding",   "income",
                 "years_employed",           "fico_score"};
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::vector<std::string> cells;
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    if (cells.size() != 8) throw std::runtime_error("unexpected line: " + line);
    for (int c = 1; c <= 6; ++c) out.X.values.push_back(std::stof(cells[c]));
    out.y.push_back(std::stof(cells[7]));
    ++out.X.rows;
  }
  return out;
}

}  // namespace loanrisk::testing
