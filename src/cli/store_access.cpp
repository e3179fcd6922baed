#include "cli/store_access.hpp"

#include "loanrisk/registry/registry.hpp"
#include "loanrisk/tracking/store_uri.hpp"

namespace loanrisk::cli {

std::unique_ptr<Store> open_cli_store(const std::string& flag,
                                      const std::optional<std::string>& configured) {
  return open_store(
      choose_store_uri(flag.empty() ? std::nullopt : std::optional(flag), configured));
}

std::filesystem::path resolve_cli_model(const std::string& model, const std::string& store_flag) {
  if (!is_model_uri(model)) return model;
  auto store = open_cli_store(store_flag);
  return resolve_model_uri(*store, model);
}

}  // namespace loanrisk::cli
