// The serving handlers' own CPU per request, without sockets: ServeApi::handle on GET /healthz
// (the baseline: routing, metrics, an answer), POST /api/v1/predict with and without reason codes,
// and POST /api/v1/explain, one applicant each, on a bundle trained with the default parameters.
// Set against bench_serve.sh's wrk numbers it shows how much of a request is the handler and how
// much the HTTP exchange.   bench_handler [--requests N]   (default 20,000)
#include <unistd.h>

#include <algorithm>
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
  std::filesystem::remove_all(dir);
  return 0;
}
