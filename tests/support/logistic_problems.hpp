#pragma once
// The train, validation and test problems the tree-model tests fit and score on, one fixture so
// every tree family is measured on the same data.
#include <gtest/gtest.h>

#include "unit/models/model_test_data.hpp"

namespace loanrisk::testing {

/// Three independent draws of the same 5-column logistic problem (seeds 1, 2 and 3).
class LogisticProblems : public ::testing::Test {
 protected:
  Labelled train_ = logistic_problem(2000, 5, 1);
  Labelled val_ = logistic_problem(1000, 5, 2);
  Labelled test_ = logistic_problem(2000, 5, 3);
};

}  // namespace loanrisk::testing
