// The serving handlers' own CPU per request, without sockets: ServeApi::handle on GET /healthz
// (the baseline: routing, metrics, an answer), POST /api/v1/predict with and without reason codes,
// and POST /api/v1/explain, one applicant each, on a bundle trained with the default parameters.
// Set against bench_serve.sh's wrk numbers it shows how much of a request is the handler and how
// much the HTTP exchange. Then the champion's cost of a challenger in shadow (serve/shadow.hpp):
// the same predict requests with and without a challenger, rounds alternating, as the request
// thread's CPU time (what the answer waits for; unlike wall time it does not count the moments
// another process had the core) and as the process's CPU including the shadow's thread (the
// capacity it takes).   bench_handler [--requests N]   (default 20,000)
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/serve/api.hpp"
#include "loanrisk/serve/shadow.hpp"
#include "loanrisk/workflow/workflows.hpp"
#include "serving_bench_support.hpp"

namespace {

using loanrisk::bench::applicant_json;
using loanrisk::bench::cpu_seconds;

// Best of five rounds of CPU microseconds per request (the best round is the least disturbed by
// other processes on a shared machine).
double micros_per_request(const loanrisk::ServeApi& api, loanrisk::HttpRequest req,
                          const std::vector<std::string>& bodies, std::size_t requests) {
  double best = 1e300;
  for (int round = 0; round < 5; ++round) {
    const double t0 = cpu_seconds();
    for (std::size_t i = 0; i < requests / 5; ++i) {
      if (req.method == "POST") req.body = bodies[i % bodies.size()];
      if (api.handle(req).status != 200) throw std::runtime_error(req.target + " failed");
    }
    best = std::min(best, (cpu_seconds() - t0) / static_cast<double>(requests / 5));
  }
  return best * 1e6;
}

/// The calling thread's CPU seconds.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// Microseconds per request, one round: the request thread's wall and CPU time, and the process's
/// CPU time once the shadow (when given) has scored everything queued.
struct Round {
  double wall = 0, thread = 0, cpu = 0;
};
Round shadow_round(const loanrisk::ServeApi& api, loanrisk::ShadowScorer* shadow,
                   loanrisk::HttpRequest req, const std::vector<std::string>& bodies,
                   std::size_t requests) {
  const double c0 = cpu_seconds(), r0 = thread_cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < requests; ++i) {
    req.body = bodies[i % bodies.size()];
    if (api.handle(req).status != 200) throw std::runtime_error(req.target + " failed");
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double thread = thread_cpu_seconds() - r0;
  if (shadow) shadow->flush();
  const auto n = static_cast<double>(requests);
  return {wall / n * 1e6, thread / n * 1e6, (cpu_seconds() - c0) / n * 1e6};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace loanrisk;
  std::size_t requests = 20000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--requests") == 0) requests = std::max(5ul, std::stoul(argv[i + 1]));
  }
  spdlog::set_level(spdlog::level::warn);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("loanrisk-bench-handler-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  write_frame_csv(dir / "train.csv", synth_loan_book({10000, 42}), Schema::loan_default());
  TrainRequest train;
  train.data = dir / "train.csv";
  train.out = dir / "bundle";
  train.write_report = false;
  train_model(train);

  const Frame applicants = synth_loan_book({1000, 3});
  std::vector<std::string> bodies;
  for (std::size_t i = 0; i < applicants.rows(); ++i) {
    bodies.push_back(applicant_json(applicants, i));
  }
  ServeSettings s;
  s.log_level = "off";
  ModelHolder holder((dir / "bundle").string(), "");
  holder.reload(true);
  ServeMetrics metrics;
  const ServeApi api(s, holder, metrics);
  const auto post = [](const char* target) {
    return HttpRequest{"POST", target, "application/json", "", ""};
  };
  micros_per_request(api, post("/api/v1/predict"), bodies, requests / 10);  // warm-up
  const double health = micros_per_request(api, {"GET", "/healthz", "", "", ""}, bodies, requests);
  const double pd_only =
      micros_per_request(api, post("/api/v1/predict?reasons=false"), bodies, requests);
  const double reasons = micros_per_request(api, post("/api/v1/predict"), bodies, requests);
  const double explain = micros_per_request(api, post("/api/v1/explain"), bodies, requests);
  std::printf("handler CPU per request (one applicant, no sockets; baseline GET /healthz):\n");
  std::printf("  GET /healthz                      %8.2f us\n", health);
  std::printf("  POST /api/v1/predict?reasons=false %8.2f us   ratio to baseline %6.1f\n", pd_only,
              pd_only / health);
  std::printf("  POST /api/v1/predict (4 reasons)  %8.2f us   ratio to baseline %6.1f\n", reasons,
              reasons / health);
  std::printf("  POST /api/v1/explain               %8.2f us   ratio to baseline %6.1f\n", explain,
              explain / health);

  // The shadow: a challenger trained on another split seed (as costly as the champion).
  train.config.split.seed = 7;
  train.out = dir / "challenger";
  train_model(train);
  ServeSettings with = s;
  with.challenger = (dir / "challenger").string();
  ShadowScorer shadow(with, "", nullptr);
  if (!shadow.challenger().reload(true).model) throw std::runtime_error("challenger not loaded");
  ServeApi shadowed(with, holder, metrics);
  shadowed.set_shadow(&shadow);
  constexpr int kRounds = 7;
  std::printf("challenger in shadow, %d rounds alternating without / with, medians:\n", kRounds);
  for (const char* target : {"/api/v1/predict", "/api/v1/predict?reasons=false"}) {
    std::vector<double> wall[2], thread[2], cpu[2];
    shadow_round(shadowed, &shadow, post(target), bodies, requests / 10);  // warm-up
    for (int round = 0; round < kRounds; ++round) {
      for (int side = 0; side < 2; ++side) {
        const Round r = side ? shadow_round(shadowed, &shadow, post(target), bodies, requests / 5)
                             : shadow_round(api, nullptr, post(target), bodies, requests / 5);
        wall[side].push_back(r.wall);
        thread[side].push_back(r.thread);
        cpu[side].push_back(r.cpu);
      }
    }
    const double t0 = median(thread[0]), t1 = median(thread[1]), w0 = median(wall[0]),
                 w1 = median(wall[1]), c0 = median(cpu[0]), c1 = median(cpu[1]);
    std::printf(
        "  POST %s\n    request thread CPU %6.2f -> %6.2f us  ratio %.3f   (wall %6.2f -> "
        "%6.2f us  ratio %.3f)\n    process CPU        %6.2f -> %6.2f us  ratio %.3f\n",
        target, t0, t1, t1 / t0, w0, w1, w1 / w0, c0, c1, c1 / c0);
  }
  const ShadowCounts counts = shadow.counts();
  std::printf("  (shadowed %llu requests, %llu rows, %llu errors, %llu dropped)\n",
              static_cast<unsigned long long>(counts.requests),
              static_cast<unsigned long long>(counts.rows),
              static_cast<unsigned long long>(counts.errors),
              static_cast<unsigned long long>(counts.dropped));
  std::filesystem::remove_all(dir);
  return 0;
}
