// `loanrisk models list|show|register|alias|history|archive`: the model registry from the shell.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/store_access.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/registry_json.hpp"
#include "loanrisk/tracking/text_table.hpp"

namespace loanrisk::cli {
namespace {

struct ModelsArgs {
  std::string store, name, run, alias, reason, description;
  std::int64_t version = 0;
  bool json = false;
};

std::string join_aliases(const std::map<std::string, std::int64_t>& aliases) {
  std::string s;
  for (const auto& [a, v] : aliases) s += (s.empty() ? "@" : ", @") + a + "=" + std::to_string(v);
  return s.empty() ? "-" : s;
}

int models_list(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  ModelRegistry reg(*store);
  const auto models = reg.list_models();
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : models) {
      out.push_back(model_to_json(m));
    }
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : models) {
    rows.push_back({m.name, std::to_string(m.latest_version), join_aliases(m.aliases),
                    format_time_ms(m.updated_ms)});
  }
  std::cout << render_table({"name", "latest", "aliases", "updated"}, rows);
  return 0;
}

int models_show(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  ModelRegistry reg(*store);
  const RegisteredModel m = reg.get_model(a.name);
  const auto versions = reg.versions(a.name);
  if (a.json) {
    nlohmann::json vs = nlohmann::json::array();
    for (const auto& v : versions) vs.push_back(version_to_json(v));
    nlohmann::json out = model_to_json(m);
    out["versions"] = vs;
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::cout << "model " << m.name << ": " << versions.size() << " version(s), aliases "
            << join_aliases(m.aliases) << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : versions) {
    std::string aliases;
    for (const auto& al : v.aliases) aliases += (aliases.empty() ? "@" : ", @") + al;
    rows.push_back({std::to_string(v.version), v.status, aliases.empty() ? "-" : aliases, v.run_id,
                    format_time_ms(v.created_ms), v.created_by, v.description});
  }
  std::cout << render_table(
      {"version", "status", "aliases", "run_id", "created", "by", "description"}, rows);
  return 0;
}

int models_register(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  ModelRegistry reg(*store);
  const ModelVersion v = reg.register_version(a.name, a.run, a.reason, a.description);
  if (a.json) {
    std::cout << dump_json(version_to_json(v), 2) << "\n";
  } else {
    std::cout << "registered " << v.name << " version " << v.version << " from run " << v.run_id
              << " (models:/" << v.name << "/" << v.version << ")\n";
  }
  return 0;
}

int models_alias(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  ModelRegistry reg(*store);
  const bool moved = reg.set_alias(a.name, a.alias, a.version, a.reason);
  std::cout << (moved ? "models:/" + a.name + "@" + a.alias + " now points at version "
                      : "models:/" + a.name + "@" + a.alias + " already points at version ")
            << a.version << "\n";
  return 0;
}

int models_archive(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  ModelRegistry reg(*store);
  reg.archive(a.name, a.version, a.reason);
  std::cout << "archived " << a.name << " version " << a.version
            << " (its bundle is kept and still loadable as models:/" << a.name << "/" << a.version
            << ")\n";
  return 0;
}

int models_history(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  ModelRegistry reg(*store);
  const auto events = reg.history(a.name);
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : events) out.push_back(event_to_json(e));
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : events) {
    std::string what = e.event + " v" + (e.version ? std::to_string(*e.version) : "?");
    if (e.event == "alias") {
      what = "@" + e.alias + " -> v" + std::to_string(e.version.value_or(0)) +
             (e.previous_version ? " (was v" + std::to_string(*e.previous_version) + ")" : "");
    }
    rows.push_back(
        {format_time_ms(e.timestamp_ms), e.user, what, e.reason.empty() ? "-" : e.reason});
  }
  std::cout << render_table({"when", "who", "what", "why"}, rows);
  return 0;
}

}  // namespace

void add_models(CLI::App& app, Action& action) {
  auto* models = app.add_subcommand("models", "The model registry: versions, aliases, history");
  models->require_subcommand(1);
  auto a = std::make_shared<ModelsArgs>();
  auto* list = add_store_leaf(models, "list", "List registered models", a, action, models_list);
  list->add_flag("--json", a->json, "Print JSON");
  auto* show =
      add_store_leaf(models, "show", "Show a model's versions and aliases", a, action, models_show);
  show->add_option("name", a->name, "Model name")->required();
  show->add_flag("--json", a->json, "Print JSON");
  auto* reg = add_store_leaf(models, "register", "Register a run's bundle as the next version", a,
                             action, models_register);
  reg->add_option("name", a->name, "Model name (created on first use)")->required();
  reg->add_option("--run", a->run, "Run whose bundle to register")->required();
  reg->add_option("--reason", a->reason, "Why (kept in the history)");
  reg->add_option("--description", a->description, "Description of the version");
  reg->add_flag("--json", a->json, "Print JSON");
  auto* alias =
      add_store_leaf(models, "alias", "Point an alias (champion, challenger, ...) at a version", a,
                     action, models_alias);
  alias->add_option("name", a->name, "Model name")->required();
  alias->add_option("alias", a->alias, "Alias name")->required();
  alias->add_option("version", a->version, "Version number")
      ->required()
      ->check(CLI::PositiveNumber);
  alias->add_option("--reason", a->reason, "Why (kept in the history)");
  auto* hist =
      add_store_leaf(models, "history", "Every registration, alias move and archive of a model", a,
                     action, models_history);
  hist->add_option("name", a->name, "Model name")->required();
  hist->add_flag("--json", a->json, "Print JSON");
  auto* arch = add_store_leaf(models, "archive", "Archive a version (its bundle is kept)", a,
                              action, models_archive);
  arch->add_option("name", a->name, "Model name")->required();
  arch->add_option("version", a->version, "Version number")->required()->check(CLI::PositiveNumber);
  arch->add_option("--reason", a->reason, "Why (kept in the history)");
}

}  // namespace loanrisk::cli
