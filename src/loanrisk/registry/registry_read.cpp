// Registry reads and model URI resolution.
#include <algorithm>
#include <cctype>

#include "loanrisk/registry/registry.hpp"

namespace loanrisk {
namespace {

constexpr const char* kVersionColumns =
    "SELECT name, version, run_id, source, status, description, created, updated, created_by "
    "FROM lr_model_versions ";

ModelVersion to_version(const SqlRow& row) {
  return {.name = row.text(0),
          .version = row.integer(1),
          .run_id = row.text(2),
          .source = row.text(3),
          .status = row.text(4),
          .description = row.text(5),
          .created_ms = row.integer(6),
          .updated_ms = row.integer(7),
          .created_by = row.text(8),
          .tags = {},
          .aliases = {}};
}

void fill_version_extras(Database& db, ModelVersion& v) {
  for (const auto& row :
       db.query("SELECT key, value FROM lr_model_version_tags WHERE name = ? AND version = ?",
                {v.name, v.version})) {
    v.tags[row.text(0)] = row.text(1);
  }
  for (const auto& row :
       db.query("SELECT alias FROM lr_model_aliases WHERE name = ? AND version = ? ORDER BY alias",
                {v.name, v.version})) {
    v.aliases.push_back(row.text(0));
  }
}

std::int64_t parse_version(const std::string& text, const std::string& uri) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    throw UsageError("model URI '" + uri + "' has version '" + text +
                     "': use models:/NAME/VERSION with a number, models:/NAME/latest or "
                     "models:/NAME@ALIAS");
  }
  return std::stoll(text);
}

std::filesystem::path existing_bundle(const std::filesystem::path& p, const std::string& uri) {
  std::error_code ec;
  if (!std::filesystem::is_directory(p, ec)) {
    throw InputError("'" + uri + "' resolves to '" + p.string() +
                     "', which is missing: the store's artifact folder was moved or deleted");
  }
  return p;
}

}  // namespace

void check_registry_name(const std::string& what, const std::string& name) {
  const bool ok = !name.empty() && name.size() <= 200 && name.front() != '.' &&
                  std::all_of(name.begin(), name.end(), [](unsigned char c) {
                    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
                  });
  if (!ok) {
    throw UsageError("invalid " + what + " '" + name +
                     "': use letters, digits, '_', '-' and '.' (not first)");
  }
}

std::vector<RegisteredModel> ModelRegistry::list_models() {
  std::vector<std::string> names;
  db_.transaction(false, [&] {
    names.clear();
    for (const auto& row : db_.query("SELECT name FROM lr_registered_models ORDER BY name", {})) {
      names.push_back(row.text(0));
    }
  });
  std::vector<RegisteredModel> out;
  for (const auto& n : names) out.push_back(get_model(n));
  return out;
}

RegisteredModel ModelRegistry::get_model(const std::string& name) {
  std::optional<RegisteredModel> m;
  std::string known;
  db_.transaction(false, [&] {
    known.clear();
    const auto rows = db_.query(
        "SELECT name, description, created, updated, (SELECT COALESCE(MAX(version), 0) FROM "
        "lr_model_versions v WHERE v.name = m.name) FROM lr_registered_models m WHERE name = ?",
        {name});
    if (rows.empty()) {
      for (const auto& row : db_.query("SELECT name FROM lr_registered_models ORDER BY name", {})) {
        known += (known.empty() ? "" : ", ") + row.text(0);
      }
      return;
    }
    m = RegisteredModel{rows[0].text(0),    rows[0].text(1),    rows[0].integer(2),
                        rows[0].integer(3), rows[0].integer(4), {}};
    for (const auto& row :
         db_.query("SELECT alias, version FROM lr_model_aliases WHERE name = ?", {name})) {
      m->aliases[row.text(0)] = row.integer(1);
    }
  });
  if (!m) {
    throw UsageError(
        "no registered model '" + name + "'; registered models: " +
        (known.empty() ? "none (register one with `loanrisk models register`)" : known));
  }
  return *m;
}

std::vector<ModelVersion> ModelRegistry::versions(const std::string& name) {
  get_model(name);
  std::vector<ModelVersion> out;
  db_.transaction(false, [&] {
    out.clear();
    for (const auto& row :
         db_.query(std::string(kVersionColumns) + "WHERE name = ? ORDER BY version", {name})) {
      out.push_back(to_version(row));
      fill_version_extras(db_, out.back());
    }
  });
  return out;
}

ModelVersion ModelRegistry::get_version(const std::string& name, std::int64_t version) {
  get_model(name);
  std::optional<ModelVersion> v;
  db_.transaction(false, [&] {
    const auto rows =
        db_.query(std::string(kVersionColumns) + "WHERE name = ? AND version = ?", {name, version});
    if (rows.empty()) return;
    v = to_version(rows[0]);
    fill_version_extras(db_, *v);
  });
  if (!v) {
    throw UsageError("model '" + name + "' has no version " + std::to_string(version) +
                     "; see `loanrisk models show " + name + "`");
  }
  return *v;
}

std::int64_t ModelRegistry::alias_version(const std::string& name, const std::string& alias) {
  const RegisteredModel m = get_model(name);
  auto it = m.aliases.find(alias);
  if (it == m.aliases.end()) {
    std::string known;
    for (const auto& [a, v] : m.aliases) known += (known.empty() ? "@" : ", @") + a;
    throw UsageError("model '" + name + "' has no alias @" + alias +
                     "; its aliases: " + (known.empty() ? "none" : known));
  }
  return it->second;
}

std::vector<RegistryEvent> ModelRegistry::history(const std::string& name) {
  get_model(name);
  std::vector<RegistryEvent> out;
  db_.transaction(false, [&] {
    out.clear();
    for (const auto& row : db_.query(
             "SELECT id, name, event, version, alias, previous_version, user_name, timestamp, "
             "reason, request_id, report_sha256, override_gate FROM lr_registry_history WHERE name "
             "= "
             "? ORDER BY id",
             {name})) {
      out.push_back({row.integer(0), row.text(1), row.text(2), row.optional_integer(3), row.text(4),
                     row.optional_integer(5), row.text(6), row.integer(7), row.text(8),
                     row.optional_integer(9), row.text(10), row.integer(11) != 0});
    }
  });
  return out;
}

bool is_model_uri(const std::string& uri_or_path) {
  return uri_or_path.rfind("models:/", 0) == 0 || uri_or_path.rfind("runs:/", 0) == 0;
}

std::filesystem::path resolve_model_uri(Store& store, const std::string& uri_or_path) {
  if (uri_or_path.rfind("runs:/", 0) == 0) {
    const std::string rest = uri_or_path.substr(6);
    const auto slash = rest.find('/');
    const std::string run_id = rest.substr(0, slash);
    const std::string path = slash == std::string::npos ? "bundle" : rest.substr(slash + 1);
    if (run_id.empty() || path.empty()) {
      throw UsageError("malformed run URI '" + uri_or_path +
                       "': use runs:/RUN_ID or runs:/RUN_ID/PATH");
    }
    check_key("artifact path", path);
    return existing_bundle(store.get_run(run_id).artifact_dir / path, uri_or_path);
  }
  if (uri_or_path.rfind("models:/", 0) != 0) return uri_or_path;
  const std::string rest = uri_or_path.substr(8);
  ModelRegistry registry(store);
  const auto at = rest.find('@');
  const auto slash = rest.find('/');
  std::int64_t version = 0;
  std::string name;
  if (at != std::string::npos && slash == std::string::npos) {
    name = rest.substr(0, at);
    check_registry_name("model name", name);
    version = registry.alias_version(name, rest.substr(at + 1));
  } else if (slash != std::string::npos && at == std::string::npos) {
    name = rest.substr(0, slash);
    check_registry_name("model name", name);
    const std::string v = rest.substr(slash + 1);
    if (v == "latest") {
      for (const ModelVersion& mv : registry.versions(name)) {
        if (mv.status == "READY") version = mv.version;
      }
      if (version == 0) throw UsageError("model '" + name + "' has no READY version");
    } else {
      version = parse_version(v, uri_or_path);
    }
  } else {
    throw UsageError("malformed model URI '" + uri_or_path +
                     "': use models:/NAME@ALIAS, models:/NAME/VERSION or runs:/RUN_ID");
  }
  return existing_bundle(registry.get_version(name, version).source, uri_or_path);
}

}  // namespace loanrisk
