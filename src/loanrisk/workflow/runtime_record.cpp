#include "loanrisk/workflow/runtime_record.hpp"

#include <algorithm>

#include "loanrisk/core/cpu_budget.hpp"

namespace loanrisk {

int threads_per_worker(int budget, int workers) {
  return std::max(1, std::max(budget, 1) / std::max(workers, 1));
}

void tag_runtime(Store& store, const std::string& run_id, int model_threads) {
  const ThreadBudget b = thread_budget();
  store.set_tag(run_id, "runtime.threads", std::to_string(b.threads));
  store.set_tag(run_id, "runtime.threads_source", b.source);
  store.set_tag(run_id, "runtime.cpus", std::to_string(b.cpus.cpus));
  store.set_tag(run_id, "runtime.cpu_source", b.cpus.source);
  if (model_threads > 0) {
    store.set_tag(run_id, "runtime.model_threads", std::to_string(model_threads));
  }
}

}  // namespace loanrisk
