#pragma once
// How every command reaches the tracking store and turns a --model argument into a bundle folder.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk::cli {

/// Opens the store chosen by --store, then $LOANRISK_STORE, then loanrisk.toml's [store] uri, then
/// the default `./loanrisk-store/loanrisk.db`.
std::unique_ptr<Store> open_cli_store(const std::string& flag,
                                      const std::optional<std::string>& configured = std::nullopt);

/// A bundle folder for --model: a path is returned as is (no store is opened); a model URI
/// (models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID) is resolved through the store.
std::filesystem::path resolve_cli_model(const std::string& model, const std::string& store_flag);

}  // namespace loanrisk::cli
