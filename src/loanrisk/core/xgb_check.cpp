#include "loanrisk/core/xgb_check.hpp"

#include <xgboost/c_api.h>

#include <string>

#include "loanrisk/core/error.hpp"

namespace loanrisk {

void xgb_check(int rc, const char* call_text) {
  if (rc == 0) return;
  throw InternalError(std::string("XGBoost call failed: ") + call_text + ": " + XGBGetLastError());
}

}  // namespace loanrisk
