#include "loanrisk/tuning/analysis.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>

#include "loanrisk/core/json_optional.hpp"

namespace loanrisk {

std::map<std::string, double> param_importances(const SearchSpace& space,
                                                const std::vector<TrialRecord>& trials) {
  std::vector<const TrialRecord*> done;
  for (const auto& t : trials) {
    if (t.state == TrialState::kComplete && t.value) done.push_back(&t);
  }
  std::map<std::string, double> out;
  for (const auto& p : space.params) out[p.name] = 0.0;
  if (done.size() < 2) return out;
  double mean = 0;
  for (const auto* t : done) mean += *t->value;
  mean /= static_cast<double>(done.size());
  double total = 0;
  for (const auto* t : done) total += (*t->value - mean) * (*t->value - mean);
  if (total <= 0) return out;
  double sum = 0;
  for (const auto& p : space.params) {
    // Rank trials by the parameter and cut them into up to 4 equal-count bins.
    std::vector<const TrialRecord*> order = done;
    std::stable_sort(order.begin(), order.end(), [&](const TrialRecord* a, const TrialRecord* b) {
      return a->params.at(p.name) < b->params.at(p.name);
    });
    const std::size_t bins = std::min<std::size_t>(4, order.size());
    double between = 0;
    std::size_t start = 0;
    for (std::size_t b = 0; b < bins; ++b) {
      std::size_t end = (b + 1) * order.size() / bins;
      // Keep equal parameter values in one bin.
      while (end < order.size() && end > start &&
             order[end]->params.at(p.name) == order[end - 1]->params.at(p.name)) {
        ++end;
      }
      if (end <= start) continue;
      double m = 0;
      for (std::size_t i = start; i < end; ++i) m += *order[i]->value;
      m /= static_cast<double>(end - start);
      between += static_cast<double>(end - start) * (m - mean) * (m - mean);
      start = end;
    }
    out[p.name] = between / total;
    sum += out[p.name];
  }
  if (sum > 0) {
    for (auto& [k, v] : out) v /= sum;
  }
  return out;
}

nlohmann::json analyse_study(const StudyInfo& study, const SearchSpace& space,
                             const std::vector<TrialRecord>& trials) {
  nlohmann::json states = nlohmann::json::object();
  for (const char* s : {"COMPLETE", "PRUNED", "FAIL", "RUNNING"}) states[s] = 0;
  nlohmann::json history = nlohmann::json::array();
  nlohmann::json parallel = nlohmann::json::array();
  nlohmann::json intermediate = nlohmann::json::array();
  nlohmann::json slice = nlohmann::json::object();
  for (const auto& p : space.params) slice[p.name] = nlohmann::json::array();
  std::optional<double> best_so_far;
  const TrialRecord* best = nullptr;
  for (const auto& t : trials) {
    states[to_string(t.state)] = states[to_string(t.state)].get<int>() + 1;
    const bool complete = t.state == TrialState::kComplete && t.value;
    if (complete && (!best_so_far || *t.value > *best_so_far)) {
      best_so_far = t.value;
      best = &t;
    }
    history.push_back({{"number", t.number},
                       {"state", to_string(t.state)},
                       {"value", t.value},
                       {"best_so_far", best_so_far},
                       {"params", t.params}});
    if (complete) {
      parallel.push_back({{"number", t.number}, {"objective", *t.value}, {"params", t.params}});
      for (const auto& [name, v] : t.params) {
        if (slice.contains(name)) {
          slice[name].push_back({{"number", t.number}, {"value", v}, {"objective", *t.value}});
        }
      }
    }
    if (!t.intermediate.empty()) {
      nlohmann::json steps = nlohmann::json::array();
      for (const auto& [step, v] : t.intermediate) steps.push_back({step, v});
      intermediate.push_back({{"number", t.number}, {"steps", steps}});
    }
  }
  nlohmann::json out = {{"study", study.name},
                        {"family", study.family},
                        {"direction", "maximize"},
                        {"objective", "validation composite"},
                        {"n_trials", trials.size()},
                        {"states", states},
                        {"search_space", space.to_json()},
                        {"best", nullptr},
                        {"history", history},
                        {"importances", param_importances(space, trials)},
                        {"importance_method",
                         "correlation ratio (eta^2) of the objective over 4 quantile bins per "
                         "parameter, normalised to sum to 1"},
                        {"slice", slice},
                        {"parallel_coordinates", parallel},
                        {"intermediate", intermediate}};
  if (best != nullptr) {
    out["best"] = {{"number", best->number}, {"value", *best->value}, {"params", best->params}};
  }
  return out;
}

}  // namespace loanrisk
