#pragma once
// The model the server answers with, swapped atomically: a new bundle is loaded and validated off
// the request path and published with one shared_ptr store; requests hold the old one until done.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// A bundle as served, with where it came from.
struct LoadedModel {
  Bundle bundle;
  std::string uri;               ///< what the server was asked to follow.
  std::string name;              ///< registered model name, or the bundle folder's name.
  std::string version;           ///< registered version ("" for a plain bundle path).
  std::string alias;             ///< alias followed ("" when none).
  std::filesystem::path source;  ///< the bundle folder.
  std::string loaded_at;         ///< ISO 8601 UTC.
};

/// Outcome of one reload attempt.
struct ReloadResult {
  bool changed = false;  ///< a new model was swapped in.
  std::string error;     ///< why the candidate was refused ("" on success or no change).
  std::shared_ptr<const LoadedModel> model;  ///< the model serving afterwards.
};

/// Follows a model URI (or bundle path) and keeps the current model.
class ModelHolder {
 public:
  /// store_uri is used for models:/ and runs:/ URIs; it may be empty for a plain bundle path.
  /// role names the model in log lines ("model", or "challenger" for the shadow's).
  ModelHolder(std::string model_uri, std::string store_uri, std::string role = "model");
  ~ModelHolder();
  ModelHolder(const ModelHolder&) = delete;
  ModelHolder& operator=(const ModelHolder&) = delete;

  /// The model serving now (null until the first successful load).
  std::shared_ptr<const LoadedModel> current() const { return std::atomic_load(&current_); }
  /// Resolves the URI; when it names another bundle than the current one (or force), loads and
  /// validates it and swaps it in. A refused candidate leaves the current model serving.
  ReloadResult reload(bool force = false);
  /// Starts a thread calling reload() every period_seconds until stop().
  void start_polling(double period_seconds);
  /// Stops the polling thread (idempotent).
  void stop();
  /// Successful swaps and refused candidates since start.
  std::uint64_t reloads() const { return reloads_.load(); }
  std::uint64_t failures() const { return failures_.load(); }
  /// Why the last reload failed ("" when it succeeded or found nothing new).
  std::string last_error() const;
  /// The URI (or bundle path) followed.
  const std::string& uri() const { return uri_; }

 private:
  std::shared_ptr<const LoadedModel> load_candidate(const std::filesystem::path& source) const;

  std::string uri_, store_uri_, role_;
  std::shared_ptr<const LoadedModel> current_;
  std::mutex reload_mutex_;  ///< one reload at a time (poller vs admin endpoint).
  std::unique_ptr<Store> store_;
  std::filesystem::path refused_;  ///< the last candidate refused, not retried by the poller.
  std::atomic<std::uint64_t> reloads_{0}, failures_{0};
  mutable std::mutex error_mutex_;  ///< not reload_mutex_: a load may hold that for seconds.
  std::string last_error_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread poller_;
};

/// Loads a bundle and checks that it scores and explains a typical applicant with finite values;
/// InputError saying what is wrong otherwise.
void validate_bundle_for_serving(const Bundle& bundle);

}  // namespace loanrisk
