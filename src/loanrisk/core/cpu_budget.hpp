#pragma once
// How many CPUs this process may really use, and the one thread count every layer follows.
//
// A process sees all the node's cores in nproc, but may run on fewer: the CPU affinity mask
// (taskset, cpusets) and a cgroup CPU quota, v2 or v1 (a container's or a Kubernetes pod's CPU
// limit) both bound it. OpenMP teams sized to the node's cores then wait for cores they never get,
// and a command can run ten times slower next to a busy neighbour. The budget here is the minimum
// of the three, at least 1; `--threads` / `[runtime] threads` override it (set_thread_budget), and
// XGBoost's nthread, OpenMP, the server's threads and tuning workers read thread_budget().
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loanrisk {

/// The CPU quota a cgroup v2 `cpu.max` file states, in CPUs: "150000 100000" is 1.5; nullopt for
/// "max ..." (no limit) and for text that is not "QUOTA PERIOD" with positive integers (a file
/// we cannot read must not stop a command).
std::optional<double> parse_cgroup_cpu_max(std::string_view text);

/// The cgroup v2 path in /proc/self/cgroup's text: the "0::/path" line (the unified hierarchy);
/// nullopt when there is none (cgroup v1 only, or no cgroups).
std::optional<std::string> parse_proc_self_cgroup(std::string_view text);

/// A cgroup path and its ancestors, innermost first: "/a/b" gives "/a/b", "/a", "/". A quota on
/// any of them bounds the process.
std::vector<std::string> cgroup_lineage(std::string_view path);

/// A quota in CPUs as a whole number of threads: rounded up (1.5 CPUs: 2 threads), at least 1.
int threads_for_quota(double cpus);

/// What bounds the process and by how much.
struct CpuBudget {
  int cpus = 1;                 ///< the minimum of the bounds below, at least 1.
  std::string source;           ///< which bound won: "affinity", "cgroup", "load" or "nproc".
  int affinity = 0;             ///< CPUs in the sched_getaffinity mask (0: unknown).
  std::optional<double> quota;  ///< the tightest cgroup quota on the way to the root, in CPUs.
  int nproc = 0;                ///< std::thread::hardware_concurrency (0: unknown).
  int busy = 0;  ///< CPUs other tasks kept busy when the process started (note_busy_cpus).
};

/// The budget from given readings (the pure part of detect_cpu_budget): the minimum of the known
/// bounds; the source is "nproc" unless the affinity mask, the quota or the CPUs left free by
/// `busy` (nproc - busy, at least 1) is strictly smaller (in that order on a tie).
CpuBudget combine_cpu_bounds(int affinity, std::optional<double> quota, int nproc, int busy = 0);

/// procs_running in /proc/stat's text: the tasks running or ready to run on the machine now, the
/// reader included; nullopt when the line is missing or does not hold a count.
std::optional<int> parse_procs_running(std::string_view proc_stat);

/// CPUs that other tasks keep busy, from /proc/stat: procs_running less the reading thread, the
/// least of up to three readings 1 ms apart (a task that only woke for a moment is not counted);
/// 0 when unknown. Meaningful only while this process runs one thread (at the start of main).
/// Why: next to a CPU-bound neighbour on one of two cores, an OpenMP team of two spinning on the
/// shared core made tuning 2.8-3.5x slower; one thread that waits passively was 1.1-1.5x.
int read_busy_cpus();

/// Records read_busy_cpus()'s answer for detect_cpu_budget(): main() calls it before any thread
/// starts. Until then (tests, other programs) no CPU counts as busy.
void note_busy_cpus(int busy);

/// The cgroup v1 path of the `cpu` controller in /proc/self/cgroup's text: the line whose
/// controllers (between the colons, e.g. "4:cpu,cpuacct:/docker/abc") include `cpu`; nullopt
/// when there is none.
std::optional<std::string> parse_proc_self_cgroup_v1_cpu(std::string_view text);

/// A cgroup v1 quota in CPUs: cpu.cfs_quota_us over cpu.cfs_period_us ("150000", "100000" is
/// 1.5); nullopt for -1 (no limit) and for anything that is not a positive integer.
std::optional<double> parse_cgroup_v1_quota(std::string_view quota_us, std::string_view period_us);

/// The tightest quota of the cgroup that `proc_self_cgroup` (a /proc/self/cgroup file) names and
/// of its ancestors: cgroup v2's cpu.max under `cgroup_root`, and cgroup v1's cpu.cfs_quota_us /
/// cpu.cfs_period_us under `cgroup_root`/cpu (or cpu,cpuacct); nullopt when none limits.
std::optional<double> read_cgroup_quota(const std::filesystem::path& proc_self_cgroup,
                                        const std::filesystem::path& cgroup_root);

/// This process's budget now: sched_getaffinity, the cgroup quota (v2 or v1), hardware_concurrency
/// and the busy CPUs noted at start.
CpuBudget detect_cpu_budget();

/// The thread count the process uses and where it came from.
struct ThreadBudget {
  int threads = 1;
  std::string source;  ///< "flag", "config", or the CpuBudget's source when automatic.
  CpuBudget cpus;      ///< what the machine allows, recorded even when overridden.
};

/// The largest thread count --threads and [runtime] threads accept.
inline constexpr int kMaxThreads = 256;

/// The budget from `--threads` (flag) and `[runtime] threads` (config), the first of them that is
/// set and not 0, else detect_cpu_budget(). UsageError naming the setting when one is outside
/// 0..kMaxThreads.
ThreadBudget resolve_thread_budget(std::optional<int> flag, std::optional<int> config);

/// Makes `budget` the process's: thread_budget() returns it, and OpenMP's default team size
/// (omp_set_num_threads) follows it.
void set_thread_budget(const ThreadBudget& budget);

/// The process's budget: the last one set, else the automatic one (detected once). Safe to call
/// from any thread.
ThreadBudget thread_budget();

}  // namespace loanrisk
