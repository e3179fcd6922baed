// Registry writes an MLflow client asks for that loanrisk's own commands do not make: a model
// created before its first version, and an alias removed.
#include <algorithm>

#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/registry/registry_writes.hpp"

namespace loanrisk {

bool ModelRegistry::create_model(const std::string& name, const std::string& description,
                                 const std::string& reason) {
  check_registry_name("model name", name);
  require_utf8("the description", description);
  require_utf8("the reason", reason);
  bool created = false;
  db_.transaction(true, [&] {
    created = db_.query("SELECT 1 FROM lr_registered_models WHERE name = ?", {name}).empty();
    if (!created) return;
    const std::int64_t now = now_ms();
    db_.exec(
        "INSERT INTO lr_registered_models(name, description, created, updated) VALUES(?, ?, ?, ?)",
        {name, description, now, now});
    record_registry_event(db_, make_event(name, "create", std::nullopt, "", by_, reason));
  });
  return created;
}

bool ModelRegistry::delete_alias(const std::string& name, const std::string& alias,
                                 const std::string& reason) {
  check_alias_name(alias);
  require_utf8("the reason", reason);
  if (std::find(gated_.begin(), gated_.end(), alias) != gated_.end()) {
    throw RefusedError("@" + alias + " of '" + name +
                       "' is a protected alias: it only moves to another validated version "
                       "(`loanrisk models request " +
                       name + " " + alias + " VERSION --reason ...`), it is never removed");
  }
  get_model(name);
  bool removed = false;
  db_.transaction(true, [&] {
    touch_model(db_, name);
    const auto rows = db_.query("SELECT version FROM lr_model_aliases WHERE name = ? AND alias = ?",
                                {name, alias});
    removed = !rows.empty();
    if (!removed) return;
    db_.exec("DELETE FROM lr_model_aliases WHERE name = ? AND alias = ?", {name, alias});
    RegistryEvent e = make_event(name, "unalias", rows[0].integer(0), alias, by_, reason);
    e.previous_version = rows[0].integer(0);
    record_registry_event(db_, e);
  });
  return removed;
}

}  // namespace loanrisk
