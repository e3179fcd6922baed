// The model registry on both backends: versions, aliases, history, archive, URI resolution.
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/core/files.hpp"
#include "unit/tracking/store_fixture.hpp"

namespace loanrisk::testing {
namespace {

class Registry : public StoreTest {
 protected:
  // A finished run with a (small, fake) bundle among its artifacts.
  std::string run_with_bundle(Store& store, const std::string& marker) {
    const auto src = dir() / ("bundle-" + marker);
    std::filesystem::create_directories(src / "model");
    write_text(src / "manifest.json", "{\"marker\": \"" + marker + "\"}");
    write_text(src / "model" / "xgboost.json", "{}");
    const loanrisk::Run run = store.create_run({"credit", marker, "", ""});
    store.log_artifact(run.id, src, "bundle");
    store.end_run(run.id, RunStatus::kFinished);
    return run.id;
  }
  // Versions 1 and 2 of model 'pd' with @champion on version 1; returns version 1's run id.
  std::string two_versions_champion_on_first(Store& store, ModelRegistry& reg) {
    const std::string r1 = run_with_bundle(store, "one");
    reg.register_version("pd", r1, "r");
    reg.register_version("pd", run_with_bundle(store, "two"), "r");
    reg.set_alias("pd", "champion", 1, "go live");
    return r1;
  }
};

TEST_P(Registry, VersionsAliasesAndHistory) {
  auto store = open();
  ModelRegistry reg(*store);
  reg.set_gated_aliases({});  // aliases as such; the validation gate has its own tests
  const std::string r1 = run_with_bundle(*store, "one"), r2 = run_with_bundle(*store, "two");
  const ModelVersion v1 = reg.register_version("pd", r1, "first model", "baseline");
  const ModelVersion v2 = reg.register_version("pd", r2, "retrained");
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v1.status, "READY");
  EXPECT_EQ(v1.description, "baseline");
  EXPECT_EQ(v1.run_id, r1);
  EXPECT_EQ(v1.source, store->artifact_root() / "registry" / "pd" / "version-1" / "bundle");
  EXPECT_EQ(read_file(v2.source / "manifest.json"), "{\"marker\": \"two\"}");

  EXPECT_TRUE(reg.set_alias("pd", "champion", 1, "approved by committee"));
  EXPECT_TRUE(reg.set_alias("pd", "champion", 2, "better KS"));
  EXPECT_FALSE(reg.set_alias("pd", "champion", 2, "again"));  // no move, nothing recorded
  EXPECT_TRUE(reg.set_alias("pd", "challenger", 1, "shadow"));
  const RegisteredModel m = reg.get_model("pd");
  EXPECT_EQ(m.latest_version, 2);
  EXPECT_EQ(m.aliases, (std::map<std::string, std::int64_t>{{"challenger", 1}, {"champion", 2}}));
  EXPECT_EQ(reg.get_version("pd", 2).aliases, std::vector<std::string>{"champion"});

  const auto h = reg.history("pd");
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h[0].event, "register");
  EXPECT_EQ(h[0].version, 1);
  EXPECT_EQ(h[0].reason, "first model");
  EXPECT_EQ(h[2].event, "alias");
  EXPECT_EQ(h[2].alias, "champion");
  EXPECT_FALSE(h[2].previous_version.has_value());
  EXPECT_EQ(h[3].version, 2);
  EXPECT_EQ(h[3].previous_version, 1);
  EXPECT_EQ(h[3].reason, "better KS");
  EXPECT_FALSE(h[3].user.empty());
  EXPECT_GE(h[4].timestamp_ms, h[0].timestamp_ms);

  reg.set_version_tag("pd", 2, "validated_by", "mrm");
  reg.set_version_description("pd", 2, "KS 0.61");
  EXPECT_EQ(reg.get_version("pd", 2).tags.at("validated_by"), "mrm");
  EXPECT_EQ(reg.get_version("pd", 2).description, "KS 0.61");
}

TEST_P(Registry, ArchivingKeepsTheBundleAndRespectsAliases) {
  auto store = open();
  ModelRegistry reg(*store);
  reg.set_gated_aliases({});  // aliases as such; the validation gate has its own tests
  two_versions_champion_on_first(*store, reg);
  EXPECT_THROW_MSG(reg.archive("pd", 1, "old"), UsageError,
                   "version 1 of 'pd' is @champion; move the alias to another version before "
                   "archiving it");
  reg.set_alias("pd", "champion", 2, "replace");
  reg.archive("pd", 1, "superseded");
  const ModelVersion v1 = reg.get_version("pd", 1);
  EXPECT_EQ(v1.status, "ARCHIVED");
  EXPECT_TRUE(std::filesystem::exists(v1.source / "manifest.json"));
  EXPECT_EQ(resolve_model_uri(*store, "models:/pd/1"), v1.source);  // still loadable
  EXPECT_THROW_MSG(reg.set_alias("pd", "champion", 1, "rollback"), UsageError,
                   "version 1 of 'pd' is archived");
  EXPECT_EQ(reg.history("pd").back().event, "archive");
  EXPECT_EQ(reg.history("pd").back().reason, "superseded");
}

TEST_P(Registry, AnAliasMoveIsAllOrNothing) {
  auto store = open();
  ModelRegistry reg(*store);
  reg.set_gated_aliases({});  // aliases as such; the validation gate has its own tests
  two_versions_champion_on_first(*store, reg);
  Database& db = store->database();
  // With the history table gone, the history insert fails: the alias must not move either.
  db.transaction(true, [&] {
    db.execute_direct("ALTER TABLE lr_registry_history RENAME TO registry_history_away");
  });
  EXPECT_THROW(reg.set_alias("pd", "champion", 2, "should not stick"), InternalError);
  db.transaction(true, [&] {
    db.execute_direct("ALTER TABLE registry_history_away RENAME TO lr_registry_history");
  });
  EXPECT_EQ(reg.alias_version("pd", "champion"), 1);
  EXPECT_EQ(reg.history("pd").size(), 3u);
}

TEST_P(Registry, ResolvesModelUris) {
  auto store = open();
  ModelRegistry reg(*store);
  reg.set_gated_aliases({});  // aliases as such; the validation gate has its own tests
  const std::string r1 = two_versions_champion_on_first(*store, reg);
  const auto v1 = reg.get_version("pd", 1).source, v2 = reg.get_version("pd", 2).source;
  EXPECT_EQ(resolve_model_uri(*store, "models:/pd@champion"), v1);
  EXPECT_EQ(resolve_model_uri(*store, "models:/pd/2"), v2);
  EXPECT_EQ(resolve_model_uri(*store, "models:/pd/latest"), v2);
  EXPECT_EQ(resolve_model_uri(*store, "runs:/" + r1), store->get_run(r1).artifact_dir / "bundle");
  EXPECT_EQ(resolve_model_uri(*store, "some/bundle"), "some/bundle");
  EXPECT_TRUE(is_model_uri("models:/pd/1"));
  EXPECT_FALSE(is_model_uri("out/bundle"));
  EXPECT_THROW_MSG(resolve_model_uri(*store, "models:/pd@nope"), UsageError,
                   "model 'pd' has no alias @nope; its aliases: @champion");
  EXPECT_THROW_MSG(resolve_model_uri(*store, "models:/pd/7"), UsageError,
                   "model 'pd' has no version 7");
  EXPECT_THROW_MSG(resolve_model_uri(*store, "models:/pd/x1"), UsageError,
                   "has version 'x1': use models:/NAME/VERSION with a number");
  EXPECT_THROW_MSG(resolve_model_uri(*store, "models:/other/1"), UsageError,
                   "no registered model 'other'; registered models: pd");
  EXPECT_THROW_MSG(resolve_model_uri(*store, "models:/pd"), UsageError,
                   "malformed model URI 'models:/pd'");
  EXPECT_THROW_MSG(resolve_model_uri(*store, "runs:/abc"), UsageError, "no run 'abc'");
  std::filesystem::remove_all(v2);
  EXPECT_THROW_MSG(resolve_model_uri(*store, "models:/pd/2"), InputError, "which is missing");
}

TEST_P(Registry, RefusesBadNamesAndRunsWithoutABundle) {
  auto store = open();
  ModelRegistry reg(*store);
  reg.set_gated_aliases({});  // aliases as such; the validation gate has its own tests
  const loanrisk::Run bare = store->create_run({});
  EXPECT_THROW_MSG(reg.register_version("pd", bare.id, "r"), UsageError,
                   "run " + bare.id + " has no bundle artifact");
  EXPECT_THROW_MSG(reg.register_version("p/d", bare.id, "r"), UsageError,
                   "invalid model name 'p/d'");
  reg.register_version("pd", run_with_bundle(*store, "one"), "r");
  EXPECT_THROW_MSG(reg.set_alias("pd", "2", 1, "r"), UsageError,
                   "alias '2' would be confused with a version");
  EXPECT_THROW_MSG(reg.set_alias("pd", "champion", 9, "r"), UsageError,
                   "model 'pd' has no version 9");
  EXPECT_THROW_MSG(reg.get_model("nope"), UsageError, "no registered model 'nope'");
  EXPECT_EQ(reg.list_models().size(), 1u);
  EXPECT_EQ(reg.history("pd").size(), 1u);  // the failed attempts left no trace
}

LOANRISK_INSTANTIATE_STORE_SUITE(Registry);

}  // namespace
}  // namespace loanrisk::testing
