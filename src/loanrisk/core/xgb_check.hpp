#pragma once
// The one checked wrapper around XGBoost's C API: every XGB* call goes through LOANRISK_XGB_CHECK.

namespace loanrisk {

/// Throws InternalError naming the call and XGBoost's last error when rc is not 0.
void xgb_check(int rc, const char* call_text);

}  // namespace loanrisk

#define LOANRISK_XGB_CHECK(call) ::loanrisk::xgb_check((call), #call)
