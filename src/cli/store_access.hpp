#pragma once
// How every command reaches the tracking store and turns a --model argument into a bundle folder.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "loanrisk/tracking/store.hpp"

namespace loanrisk::cli {

/// Opens the store chosen by --store, then $LOANRISK_STORE, then loanrisk.toml's [store] uri, then
/// the default `./loanrisk-store/loanrisk.db`.
std::unique_ptr<Store> open_cli_store(const std::string& flag,
                                      const std::optional<std::string>& configured = std::nullopt);

/// A bundle folder for --model: a path is returned as is (no store is opened); a model URI
/// (models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID) is resolved through the store.
std::filesystem::path resolve_cli_model(const std::string& model, const std::string& store_flag);

/// A subcommand of a store command group (`runs list`, `models show`, ...): it takes --store into
/// args.store and, when chosen, runs fn on the shared args.
template <typename Args>
CLI::App* add_store_leaf(CLI::App* parent, const std::string& name, const std::string& help,
                         const std::shared_ptr<Args>& args, Action& action,
                         int (*fn)(const Args&)) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option(
      "--store", args->store,
      "Store URI (default: $LOANRISK_STORE, else sqlite:///loanrisk-store/loanrisk.db)");
  cmd->callback([&action, args, fn] { action = [args, fn] { return fn(*args); }; });
  return cmd;
}

}  // namespace loanrisk::cli
