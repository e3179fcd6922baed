#pragma once
// What a tracked run computed with: the process's thread budget (core/cpu_budget.hpp), recorded
// as tags so that a slow run can be told apart from a run on fewer CPUs.
#include <string>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// XGBoost threads per model when `workers` tuning trials run at once on `budget` threads:
/// workers x threads stays within the budget, at least one thread each (more workers than the
/// budget oversubscribe by the workers alone, which the user asked for).
int threads_per_worker(int budget, int workers);

/// Tags `run_id` with runtime.threads (the budget), runtime.threads_source ("flag", "config",
/// or the CPU bound), runtime.cpus and runtime.cpu_source ("affinity", "cgroup", "nproc"), and
/// runtime.model_threads when given (> 0: the threads of each model, as tuning workers split
/// them).
void tag_runtime(Store& store, const std::string& run_id, int model_threads = 0);

}  // namespace loanrisk
