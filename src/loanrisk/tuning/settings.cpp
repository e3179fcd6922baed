#include "loanrisk/tuning/settings.hpp"

#include <nlohmann/json.hpp>

#include "loanrisk/config/toml_section.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

constexpr int kMaxCount = 1'000'000;  // trials, folds, steps: more is a typo, not a plan

ParamDistribution read_param(const TomlSection& space, const toml::node& node,
                             const std::string& name) {
  const TomlSection t = space.section_of(node, name);
  t.check_keys({"choices", "high", "log", "low", "step", "type"});
  ParamDistribution p;
  p.name = name;
  const auto* type = t.get("type");
  if (type == nullptr) {
    t.fail_at(node.source(),
              "'" + t.path() + "' needs type = \"int\", \"float\" or \"categorical\"");
  }
  const std::string kind = t.choice_of(*type, "type", {"int", "float", "categorical"});
  if (kind == "categorical") {
    p.kind = ParamDistribution::Kind::Categorical;
    const auto* choices = t.get("choices");
    const auto* arr = choices ? choices->as_array() : nullptr;
    if (arr == nullptr || arr->empty()) {
      t.fail_at(node.source(), "categorical '" + name + "' needs choices = [numbers...]");
    }
    for (const auto& c : *arr) p.choices.push_back(t.number_of(c, "choices"));
    return p;
  }
  p.kind = kind == "int" ? ParamDistribution::Kind::Int : ParamDistribution::Kind::Float;
  if (t.get("low") == nullptr || t.get("high") == nullptr) {
    t.fail_at(node.source(), "'" + name + "' needs low and high");
  }
  t.number("low", p.low);
  t.number("high", p.high);
  t.boolean("log", p.log);
  p.step = p.kind == ParamDistribution::Kind::Int ? 1 : 0;
  t.number("step", p.step, {.min = 0, .min_open = true});
  return p;
}

void read_tuning(const TomlSection& t, TuningSettings& s) {
  t.check_keys({"cv_folds",
                "ei_candidates",
                "multivariate",
                "objective",
                "pruner",
                "pruner_min_resource",
                "pruner_reduction_factor",
                "pruner_startup_trials",
                "pruner_warmup_steps",
                "report_every",
                "sampler",
                "seed",
                "space",
                "startup_trials",
                "timeout_seconds",
                "trials",
                "workers",
                "study_trials",
                "heartbeat_seconds",
                "stale_seconds"});
  t.integer("trials", s.trials, 1, kMaxCount);
  t.integer("workers", s.workers, 1, kMaxCount);
  t.integer("cv_folds", s.cv_folds, 0, kMaxCount);
  t.integer("report_every", s.report_every, 1, kMaxCount);
  t.number("timeout_seconds", s.timeout_seconds);
  t.integer("study_trials", s.study_trials, 0, kMaxCount);
  t.number("heartbeat_seconds", s.heartbeat_seconds, {.min = 0, .min_open = true});
  t.number("stale_seconds", s.stale_seconds, {.min = 0, .min_open = true});
  if (s.stale_seconds < 2 * s.heartbeat_seconds) {
    throw UsageError("[" + t.path() + "] stale_seconds (" + format_double(s.stale_seconds) +
                     ") must be at least twice heartbeat_seconds (" +
                     format_double(s.heartbeat_seconds) +
                     "), or a live trial could be failed between two heartbeats");
  }
  t.choice("sampler", s.sampler.kind, {"tpe", "random"});
  t.integer("seed", s.sampler.seed, 0, kMaxCount);
  t.integer("startup_trials", s.sampler.startup_trials, 1, kMaxCount);
  t.integer("ei_candidates", s.sampler.ei_candidates, 1, kMaxCount);
  t.boolean("multivariate", s.sampler.multivariate);
  t.choice("pruner", s.pruner.kind, {"none", "median", "successive_halving"});
  t.integer("pruner_startup_trials", s.pruner.startup_trials, 0, kMaxCount);
  t.integer("pruner_warmup_steps", s.pruner.warmup_steps, 0, kMaxCount);
  t.integer("pruner_min_resource", s.pruner.min_resource, 1, kMaxCount);
  t.integer("pruner_reduction_factor", s.pruner.reduction_factor, 2, kMaxCount);
  if (const auto o = t.section("objective")) {
    o->check_keys({"auc_roc", "f1", "pr_auc", "precision", "recall"});
    for (auto [key, field] :
         {std::pair{"auc_roc", &s.objective.auc_roc}, std::pair{"pr_auc", &s.objective.pr_auc},
          std::pair{"f1", &s.objective.f1}, std::pair{"recall", &s.objective.recall},
          std::pair{"precision", &s.objective.precision}}) {
      o->number(key, *field, {.min = 0});
    }
  }
  if (const auto spaces = t.section("space")) {
    for (const auto& [fam, node] : spaces->table()) {
      const std::string family(fam.str());
      const TomlSection declared = spaces->section_of(node, family);
      SearchSpace space;
      space.family = family;
      for (const auto& [pname, pnode] : declared.table()) {
        space.params.push_back(read_param(declared, pnode, std::string(pname.str())));
      }
      try {
        validate_search_space(space);
      } catch (const UsageError& e) {
        declared.fail_at(node.source(), e.what());
      }
      s.spaces[family] = std::move(space);
    }
  }
}

}  // namespace

SearchSpace TuningSettings::space_for(const std::string& family) const {
  const auto it = spaces.find(family);
  return it != spaces.end() ? it->second : default_search_space(family);
}

nlohmann::json TuningSettings::to_json() const {
  return {{"sampler",
           {{"kind", sampler.kind},
            {"seed", sampler.seed},
            {"startup_trials", sampler.startup_trials},
            {"ei_candidates", sampler.ei_candidates},
            {"multivariate", sampler.multivariate}}},
          {"pruner",
           {{"kind", pruner.kind},
            {"startup_trials", pruner.startup_trials},
            {"warmup_steps", pruner.warmup_steps},
            {"min_resource", pruner.min_resource},
            {"reduction_factor", pruner.reduction_factor}}},
          {"objective", objective.to_json()},
          {"cv_folds", cv_folds},
          {"report_every", report_every}};
}

TuningSettings parse_tuning_settings(std::string_view text, const std::string& source_name) {
  const toml::table root = parse_toml(text, source_name);
  TuningSettings s;
  if (const auto* t = root.get("tuning")) {
    // Keys of [tuning] are named bare ('trials'), those of its sub-tables from the section on.
    read_tuning(TomlSection(source_name, *t, "tuning", TomlStyle::Located, ""), s);
  }
  return s;
}

TuningSettings load_tuning_settings(const std::filesystem::path& path) {
  return parse_tuning_settings(read_file(path), path.string());
}

}  // namespace loanrisk
