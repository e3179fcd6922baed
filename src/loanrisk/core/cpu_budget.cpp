#include "loanrisk/core/cpu_budget.hpp"

#include <omp.h>
#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "loanrisk/core/error.hpp"

namespace loanrisk {
namespace {

std::optional<long long> positive_integer(std::string_view word) {
  long long v = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
  if (ec != std::errc() || end != word.data() + word.size() || v <= 0) return std::nullopt;
  return v;
}

std::string read_small_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  return CPU_COUNT(&set);
}

std::mutex budget_mutex;
std::optional<ThreadBudget> chosen_budget;  // guarded by budget_mutex

}  // namespace

std::optional<double> parse_cgroup_cpu_max(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string quota, period, extra;
  if (!(in >> quota >> period) || (in >> extra)) return std::nullopt;
  const auto q = positive_integer(quota), p = positive_integer(period);
  if (!q || !p) return std::nullopt;  // "max" (no limit) or not a quota
  return static_cast<double>(*q) / static_cast<double>(*p);
}

std::optional<std::string> parse_proc_self_cgroup(std::string_view text) {
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    // The unified hierarchy's line is "0::/path"; v1 lines name controllers between the colons.
    if (line.starts_with("0::/")) return std::string(line.substr(3));
    if (eol == std::string_view::npos) break;
    text.remove_prefix(eol + 1);
  }
  return std::nullopt;
}

std::vector<std::string> cgroup_lineage(std::string_view path) {
  std::string p(path);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  std::vector<std::string> out;
  if (p.empty() || p.front() != '/') return out;
  while (true) {
    out.push_back(p);
    if (p == "/") break;
    const std::size_t slash = p.rfind('/');
    p = slash == 0 ? "/" : p.substr(0, slash);
  }
  return out;
}

int threads_for_quota(double cpus) {
  if (!(cpus > 0)) return 1;
  // A tolerance so that 200000/100000 computed as 1.9999999 is not rounded to 3 or 1.
  return std::max(1, static_cast<int>(std::ceil(cpus - 1e-9)));
}

CpuBudget combine_cpu_bounds(int affinity, std::optional<double> quota, int nproc) {
  CpuBudget b;
  b.affinity = affinity;
  b.quota = quota;
  b.nproc = nproc;
  b.source = "nproc";
  int best = nproc > 0 ? nproc : kMaxThreads;
  if (affinity > 0 && affinity < best) {
    best = affinity;
    b.source = "affinity";
  }
  if (quota && threads_for_quota(*quota) < best) {
    best = threads_for_quota(*quota);
    b.source = "cgroup";
  }
  if (nproc <= 0 && affinity <= 0 && !quota) best = 1;  // nothing known: one thread is safe
  b.cpus = std::max(1, best);
  return b;
}

std::optional<double> read_cgroup_quota(const std::filesystem::path& proc_self_cgroup,
                                        const std::filesystem::path& cgroup_root) {
  const auto path = parse_proc_self_cgroup(read_small_file(proc_self_cgroup));
  if (!path) return std::nullopt;
  std::optional<double> tightest;
  for (const std::string& group : cgroup_lineage(*path)) {
    const auto quota =
        parse_cgroup_cpu_max(read_small_file(cgroup_root / group.substr(1) / "cpu.max"));
    if (quota && (!tightest || *quota < *tightest)) tightest = quota;
  }
  return tightest;
}

CpuBudget detect_cpu_budget() {
  return combine_cpu_bounds(affinity_cpus(),
                            read_cgroup_quota("/proc/self/cgroup", "/sys/fs/cgroup"),
                            static_cast<int>(std::thread::hardware_concurrency()));
}

ThreadBudget resolve_thread_budget(std::optional<int> flag, std::optional<int> config) {
  const auto check = [](std::optional<int> v, const char* name) {
    if (v && (*v < 0 || *v > kMaxThreads)) {
      throw UsageError(std::string(name) + " " + std::to_string(*v) + " is out of range: use 1-" +
                       std::to_string(kMaxThreads) + ", or 0 for the CPUs this process may use");
    }
  };
  check(flag, "--threads");
  check(config, "[runtime] threads");
  ThreadBudget b;
  b.cpus = detect_cpu_budget();
  if (flag && *flag > 0) {
    b.threads = *flag;
    b.source = "flag";
  } else if (config && *config > 0) {
    b.threads = *config;
    b.source = "config";
  } else {
    b.threads = b.cpus.cpus;
    b.source = b.cpus.source;
  }
  return b;
}

void set_thread_budget(const ThreadBudget& budget) {
  {
    std::lock_guard lock(budget_mutex);
    chosen_budget = budget;
  }
  omp_set_num_threads(budget.threads);
}

ThreadBudget thread_budget() {
  std::lock_guard lock(budget_mutex);
  if (!chosen_budget) {
    const CpuBudget cpus = detect_cpu_budget();
    chosen_budget = ThreadBudget{cpus.cpus, cpus.source, cpus};
  }
  return *chosen_budget;
}

}  // namespace loanrisk
