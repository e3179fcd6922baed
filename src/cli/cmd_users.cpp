// `loanrisk users add|list|revoke`: local users for a team without an identity provider. The
// token is printed once; the store keeps only its argon2id hash.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/governance.hpp"
#include "cli/store_access.hpp"
#include "loanrisk/core/json_optional.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/tracking/text_table.hpp"
#include "loanrisk/tracking/users.hpp"

namespace loanrisk::cli {
namespace {

struct UsersArgs {
  std::string store, name, role;
  bool json = false;
};

nlohmann::json user_json(const User& u) {
  return {{"name", u.name},
          {"role", to_string(u.role)},
          {"created_ms", u.created_ms},
          {"created_by", u.created_by},
          {"revoked_ms", u.revoked_ms},
          {"revoked_by", u.revoked_by}};
}

// Adding and revoking users takes an admin once the store has one; before that, whoever runs the
// shell sets the store up (the first admin included).
const Gate kUserAdmin{"changing users", {Role::kAdmin}, false, true};

int users_add(const UsersArgs& a) {
  const Role role = parse_role(a.role);  // a bad role fails before the store is opened
  auto store = open_cli_store(a.store);
  return governed(*store, "users add", a.name + " (" + a.role + ")", kUserAdmin,
                  [&](const Identity& who) {
                    UserStore users(*store);
                    const NewUser u = users.add(a.name, role, who.name);
                    if (a.json) {
                      nlohmann::json j = user_json(u.user);
                      j["token"] = u.token;
                      std::cout << dump_json(j, 2) << "\n";
                      return 0;
                    }
                    std::cout << "user " << u.user.name << " (" << to_string(role)
                              << ") added; token, shown once:\n"
                              << u.token << "\n";
                    return 0;
                  });
}

int users_list(const UsersArgs& a) {
  auto store = open_cli_store(a.store);
  UserStore users(*store);
  const auto list = users.list();
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const User& u : list) out.push_back(user_json(u));
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const User& u : list) {
    rows.push_back({u.name, std::string(to_string(u.role)), format_time_ms(u.created_ms),
                    u.created_by, u.revoked_ms ? format_time_ms(*u.revoked_ms) : "-"});
  }
  std::cout << render_table({"name", "role", "created", "by", "revoked"}, rows);
  return 0;
}

int users_revoke(const UsersArgs& a) {
  auto store = open_cli_store(a.store);
  return governed(*store, "users revoke", a.name, kUserAdmin, [&](const Identity& who) {
    UserStore(*store).revoke(a.name, who.name);
    std::cout << "user " << a.name << " revoked: its token no longer works\n";
    return 0;
  });
}

}  // namespace

void add_users(CLI::App& app, Action& action) {
  auto* users = app.add_subcommand("users", "Local users and their tokens (no identity provider)");
  users->require_subcommand(1);
  auto a = std::make_shared<UsersArgs>();
  auto* add =
      add_store_leaf(users, "add", "Add a user and print its token once", a, action, users_add);
  add->add_option("name", a->name, "User name")->required();
  add->add_option("--role", a->role, "viewer, officer, analyst, validator or admin")->required();
  add->add_flag("--json", a->json, "Print the user and its token as JSON");
  auto* list =
      add_store_leaf(users, "list", "List users (never their tokens)", a, action, users_list);
  list->add_flag("--json", a->json, "Print JSON");
  auto* revoke =
      add_store_leaf(users, "revoke", "Revoke a user's token for good", a, action, users_revoke);
  revoke->add_option("name", a->name, "User name")->required();
}

}  // namespace loanrisk::cli
