#include "loanrisk/core/cpu_budget.hpp"

#include <omp.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
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
std::atomic<int> noted_busy{0};             // note_busy_cpus()

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

CpuBudget combine_cpu_bounds(int affinity, std::optional<double> quota, int nproc, int busy) {
  CpuBudget b;
  b.affinity = affinity;
  b.quota = quota;
  b.nproc = nproc;
  b.busy = std::max(busy, 0);
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
  if (nproc > 0 && b.busy > 0 && std::max(1, nproc - b.busy) < best) {
    best = std::max(1, nproc - b.busy);
    b.source = "load";
  }
  if (nproc <= 0 && affinity <= 0 && !quota) best = 1;  // nothing known: one thread is safe
  b.cpus = std::max(1, best);
  return b;
}

std::optional<std::string> parse_proc_self_cgroup_v1_cpu(std::string_view text) {
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    // "4:cpu,cpuacct:/docker/abc": hierarchy id, the controllers bound to it, the path.
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second != std::string_view::npos) {
      std::string_view controllers = line.substr(first + 1, second - first - 1);
      while (!controllers.empty()) {
        const std::size_t comma = controllers.find(',');
        if (controllers.substr(0, comma) == "cpu") {
          const std::string_view path = line.substr(second + 1);
          if (path.starts_with('/')) return std::string(path);
          break;
        }
        if (comma == std::string_view::npos) break;
        controllers.remove_prefix(comma + 1);
      }
    }
    if (eol == std::string_view::npos) break;
    text.remove_prefix(eol + 1);
  }
  return std::nullopt;
}

std::optional<double> parse_cgroup_v1_quota(std::string_view quota_us, std::string_view period_us) {
  const auto trim = [](std::string_view v) {
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
    return v;
  };
  // -1 (no limit) and anything else that is not a positive integer give no quota.
  const auto q = positive_integer(trim(quota_us)), p = positive_integer(trim(period_us));
  if (!q || !p) return std::nullopt;
  return static_cast<double>(*q) / static_cast<double>(*p);
}

std::optional<double> read_cgroup_quota(const std::filesystem::path& proc_self_cgroup,
                                        const std::filesystem::path& cgroup_root) {
  const std::string self = read_small_file(proc_self_cgroup);
  std::optional<double> tightest;
  const auto keep = [&](std::optional<double> quota) {
    if (quota && (!tightest || *quota < *tightest)) tightest = quota;
  };
  if (const auto path = parse_proc_self_cgroup(self)) {
    for (const std::string& group : cgroup_lineage(*path)) {
      keep(parse_cgroup_cpu_max(read_small_file(cgroup_root / group.substr(1) / "cpu.max")));
    }
  }
  // cgroup v1 (older nodes, and the cpu controller of a hybrid layout): cfs_quota_us over
  // cfs_period_us under the cpu controller's mount. Inside a container the mount's root is the
  // container's own group, which the lineage reaches at "/".
  if (const auto path = parse_proc_self_cgroup_v1_cpu(self)) {
    for (const char* mount : {"cpu", "cpu,cpuacct", "cpuacct,cpu"}) {
      const std::filesystem::path dir = cgroup_root / mount;
      std::error_code ec;
      if (!std::filesystem::is_directory(dir, ec)) continue;
      for (const std::string& group : cgroup_lineage(*path)) {
        const std::filesystem::path at = dir / group.substr(1);
        keep(parse_cgroup_v1_quota(read_small_file(at / "cpu.cfs_quota_us"),
                                   read_small_file(at / "cpu.cfs_period_us")));
      }
      break;  // "cpu" is usually a link to "cpu,cpuacct": one of them is enough
    }
  }
  return tightest;
}

std::optional<int> parse_procs_running(std::string_view proc_stat) {
  constexpr std::string_view kKey = "procs_running ";
  while (!proc_stat.empty()) {
    const std::size_t eol = proc_stat.find('\n');
    const std::string_view line = proc_stat.substr(0, eol);
    if (line.starts_with(kKey)) {
      const auto n = positive_integer(line.substr(kKey.size()));
      if (!n || *n > 1'000'000) return std::nullopt;
      return static_cast<int>(*n);
    }
    if (eol == std::string_view::npos) break;
    proc_stat.remove_prefix(eol + 1);
  }
  return std::nullopt;
}

int read_busy_cpus() {
  int least = -1;
  for (int reading = 0; reading < 3; ++reading) {
    if (reading > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const auto running = parse_procs_running(read_small_file("/proc/stat"));
    if (!running) return 0;
    least = least < 0 ? *running - 1 : std::min(least, *running - 1);
    if (least <= 0) return 0;  // the usual answer, from one reading
  }
  return least;
}

void note_busy_cpus(int busy) {
  noted_busy.store(std::max(busy, 0), std::memory_order_relaxed);
}

CpuBudget detect_cpu_budget() {
  return combine_cpu_bounds(affinity_cpus(),
                            read_cgroup_quota("/proc/self/cgroup", "/sys/fs/cgroup"),
                            static_cast<int>(std::thread::hardware_concurrency()),
                            noted_busy.load(std::memory_order_relaxed));
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
