#include "loanrisk/tuning/settings.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

// Where a TOML node sits, for messages: "loanrisk.toml:12:3".
std::string where(const std::string& src, const toml::source_region& s) {
  return src + ":" + std::to_string(s.begin.line) + ":" + std::to_string(s.begin.column);
}

void check_keys(const std::string& src, const toml::table& t, const std::string& section,
                const std::vector<std::string>& known) {
  for (const auto& [key, node] : t) {
    static_cast<void>(node);
    const std::string k(key.str());
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      throw UsageError(where(src, key.source()) + ": unknown key '" + k + "' in " + section +
                       "; known keys: " + join(known));
    }
  }
}

const toml::table& table_of(const std::string& src, const toml::node& node,
                            const std::string& name) {
  if (const auto* t = node.as_table()) return *t;
  throw UsageError(where(src, node.source()) + ": '" + name + "' must be a table ([" + name + "])");
}

double number_of(const std::string& src, const toml::node& node, const std::string& name) {
  if (auto v = node.value<double>(); v && std::isfinite(*v)) return *v;
  throw UsageError(where(src, node.source()) + ": '" + name + "' must be a finite number");
}

int int_of(const std::string& src, const toml::node& node, const std::string& name, int min) {
  // Integers only: value<int64_t>() converts a float too, unchecked (1e300 is undefined behaviour,
  // found by fuzzing; 2.5 would silently become 2).
  const auto v = node.is_integer() ? node.value<std::int64_t>() : std::nullopt;
  if (!v || *v < min || *v > 1000000) {
    throw UsageError(where(src, node.source()) + ": '" + name +
                     "' must be an integer >= " + std::to_string(min));
  }
  return static_cast<int>(*v);
}

std::string string_of(const std::string& src, const toml::node& node, const std::string& name,
                      const std::vector<std::string>& valid) {
  const auto v = node.value<std::string>();
  if (!v || std::find(valid.begin(), valid.end(), *v) == valid.end()) {
    throw UsageError(where(src, node.source()) + ": '" + name + "' must be one of: " + join(valid));
  }
  return *v;
}

ParamDistribution read_param(const std::string& src, const toml::node& node,
                             const std::string& section, const std::string& name) {
  const auto& t = table_of(src, node, section + "." + name);
  check_keys(src, t, "[" + section + "." + name + "]",
             {"choices", "high", "log", "low", "step", "type"});
  ParamDistribution p;
  p.name = name;
  const auto* type = t.get("type");
  if (type == nullptr) {
    throw UsageError(where(src, node.source()) + ": '" + section + "." + name +
                     "' needs type = \"int\", \"float\" or \"categorical\"");
  }
  const std::string kind = string_of(src, *type, "type", {"int", "float", "categorical"});
  if (kind == "categorical") {
    p.kind = ParamDistribution::Kind::Categorical;
    const auto* choices = t.get("choices");
    const auto* arr = choices ? choices->as_array() : nullptr;
    if (arr == nullptr || arr->empty()) {
      throw UsageError(where(src, node.source()) + ": categorical '" + name +
                       "' needs choices = [numbers...]");
    }
    for (const auto& c : *arr) p.choices.push_back(number_of(src, c, name + ".choices"));
    return p;
  }
  p.kind = kind == "int" ? ParamDistribution::Kind::Int : ParamDistribution::Kind::Float;
  const auto* low = t.get("low");
  const auto* high = t.get("high");
  if (low == nullptr || high == nullptr) {
    throw UsageError(where(src, node.source()) + ": '" + name + "' needs low and high");
  }
  p.low = number_of(src, *low, name + ".low");
  p.high = number_of(src, *high, name + ".high");
  if (const auto* log = t.get("log")) {
    const auto v = log->value<bool>();
    if (!v) throw UsageError(where(src, log->source()) + ": 'log' must be true or false");
    p.log = *v;
  }
  p.step = p.kind == ParamDistribution::Kind::Int ? 1 : 0;
  if (const auto* step = t.get("step")) {
    p.step = number_of(src, *step, name + ".step");
    if (p.step <= 0) throw UsageError(where(src, step->source()) + ": 'step' must be > 0");
  }
  return p;
}

void read_tuning(const std::string& src, const toml::table& t, TuningSettings& s) {
  check_keys(
      src, t, "[tuning]",
      {"cv_folds", "ei_candidates", "multivariate", "objective", "pruner", "pruner_min_resource",
       "pruner_reduction_factor", "pruner_startup_trials", "pruner_warmup_steps", "report_every",
       "sampler", "seed", "space", "startup_trials", "timeout_seconds", "trials", "workers"});
  if (const auto* v = t.get("trials")) s.trials = int_of(src, *v, "trials", 1);
  if (const auto* v = t.get("workers")) s.workers = int_of(src, *v, "workers", 1);
  if (const auto* v = t.get("cv_folds")) s.cv_folds = int_of(src, *v, "cv_folds", 0);
  if (const auto* v = t.get("report_every")) s.report_every = int_of(src, *v, "report_every", 1);
  if (const auto* v = t.get("timeout_seconds")) {
    s.timeout_seconds = number_of(src, *v, "timeout_seconds");
  }
  if (const auto* v = t.get("sampler"))
    s.sampler.kind = string_of(src, *v, "sampler", {"tpe", "random"});
  if (const auto* v = t.get("seed"))
    s.sampler.seed = static_cast<std::uint64_t>(int_of(src, *v, "seed", 0));
  if (const auto* v = t.get("startup_trials")) {
    s.sampler.startup_trials = int_of(src, *v, "startup_trials", 1);
  }
  if (const auto* v = t.get("ei_candidates")) {
    s.sampler.ei_candidates = int_of(src, *v, "ei_candidates", 1);
  }
  if (const auto* v = t.get("multivariate")) {
    const auto b = v->value<bool>();
    if (!b) throw UsageError(where(src, v->source()) + ": 'multivariate' must be true or false");
    s.sampler.multivariate = *b;
  }
  if (const auto* v = t.get("pruner")) {
    s.pruner.kind = string_of(src, *v, "pruner", {"none", "median", "successive_halving"});
  }
  if (const auto* v = t.get("pruner_startup_trials")) {
    s.pruner.startup_trials = int_of(src, *v, "pruner_startup_trials", 0);
  }
  if (const auto* v = t.get("pruner_warmup_steps")) {
    s.pruner.warmup_steps = int_of(src, *v, "pruner_warmup_steps", 0);
  }
  if (const auto* v = t.get("pruner_min_resource")) {
    s.pruner.min_resource = int_of(src, *v, "pruner_min_resource", 1);
  }
  if (const auto* v = t.get("pruner_reduction_factor")) {
    s.pruner.reduction_factor = int_of(src, *v, "pruner_reduction_factor", 2);
  }
  if (const auto* v = t.get("objective")) {
    const auto& o = table_of(src, *v, "tuning.objective");
    check_keys(src, o, "[tuning.objective]", {"auc_roc", "f1", "pr_auc", "precision", "recall"});
    for (auto [key, field] :
         {std::pair{"auc_roc", &s.objective.auc_roc}, std::pair{"pr_auc", &s.objective.pr_auc},
          std::pair{"f1", &s.objective.f1}, std::pair{"recall", &s.objective.recall},
          std::pair{"precision", &s.objective.precision}}) {
      if (const auto* w = o.get(key)) {
        *field = number_of(src, *w, std::string("tuning.objective.") + key);
        if (*field < 0) {
          throw UsageError(where(src, w->source()) + ": objective weights must be >= 0");
        }
      }
    }
  }
  if (const auto* v = t.get("space")) {
    for (const auto& [fam, node] : table_of(src, *v, "tuning.space")) {
      const std::string family(fam.str());
      SearchSpace space;
      space.family = family;
      const std::string section = "tuning.space." + family;
      for (const auto& [pname, pnode] : table_of(src, node, section)) {
        space.params.push_back(read_param(src, pnode, section, std::string(pname.str())));
      }
      try {
        validate_search_space(space);
      } catch (const UsageError& e) {
        throw UsageError(where(src, node.source()) + ": " + e.what());
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
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw UsageError(where(source_name, e.source()) + ": " + std::string(e.description()));
  }
  TuningSettings s;
  if (const auto* t = root.get("tuning"))
    read_tuning(source_name, table_of(source_name, *t, "tuning"), s);
  return s;
}

TuningSettings load_tuning_settings(const std::filesystem::path& path) {
  return parse_tuning_settings(read_file(path), path.string());
}

}  // namespace loanrisk
