#include "loanrisk/serve/model_holder.hpp"

#include <chrono>
#include <cmath>

#include <spdlog/spdlog.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/registry/registry.hpp"

namespace loanrisk {
namespace fs = std::filesystem;

void validate_bundle_for_serving(const Bundle& bundle) {
  if (!bundle.model) throw InputError("bundle has no model");
  Frame probe;
  for (const auto& c : bundle.schema.columns) {
    if (c.role != ColumnRole::Feature) continue;
    const double lo = std::isfinite(c.min) ? c.min : 0;
    const double hi = std::isfinite(c.max) ? c.max : lo + 1;
    double mid = lo + (hi - lo) * 0.001;
    if (c.type != ColumnType::Real) mid = std::round(mid);
    probe.set_column(c.name, {mid});
  }
  if (bundle.schema.id()) probe.ids = {"probe"};
  const std::vector<double> pd = bundle.predict(probe);
  if (pd.size() != 1 || !std::isfinite(pd[0]) || pd[0] < 0 || pd[0] > 1) {
    throw InputError("bundle's model gave an invalid PD on a probe applicant");
  }
  const DenseMatrix X = bundle.pipeline.transform(probe);
  const std::vector<double> contrib = bundle.model->contributions(X);
  if (contrib.size() != X.cols + 1) {
    throw InputError("bundle's model gave " + std::to_string(contrib.size()) +
                     " contributions for " + std::to_string(X.cols) + " features");
  }
}

ModelHolder::ModelHolder(std::string model_uri, std::string store_uri, std::string role)
    : uri_(std::move(model_uri)), store_uri_(std::move(store_uri)), role_(std::move(role)) {}

std::string ModelHolder::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

ModelHolder::~ModelHolder() {
  stop();
}

std::shared_ptr<const LoadedModel> ModelHolder::load_candidate(const fs::path& source) const {
  auto m = std::make_shared<LoadedModel>();
  m->bundle = Bundle::load(source);
  validate_bundle_for_serving(m->bundle);
  m->uri = uri_;
  m->source = source;
  m->loaded_at = utc_now_iso8601();
  return m;
}

ReloadResult ModelHolder::reload(bool force) {
  std::lock_guard lock(reload_mutex_);
  ReloadResult result;
  result.model = current();
  try {
    fs::path source = uri_;
    std::string name, version, alias;
    if (is_model_uri(uri_)) {
      if (!store_) store_ = open_store(store_uri_);
      source = resolve_model_uri(*store_, uri_);
      if (uri_.rfind("models:/", 0) == 0) {
        const std::string rest = uri_.substr(8);
        const auto at = rest.find('@');
        name = rest.substr(0, std::min(rest.find('/'), at));
        if (at != std::string::npos) alias = rest.substr(at + 1);
        ModelRegistry registry(*store_);
        for (const auto& v : registry.versions(name)) {
          std::error_code ec;  // a version whose folder is gone is simply not this one
          if (fs::equivalent(v.source, source, ec)) version = std::to_string(v.version);
        }
      } else {
        name = uri_;
      }
    } else {
      name = fs::absolute(source).lexically_normal().filename().string();
    }
    const auto now = result.model;
    if (now && !force && now->source == source && now->version == version) {
      std::lock_guard error_lock(error_mutex_);
      last_error_.clear();
      return result;
    }
    if (!force && source == refused_) return result;  // refused already; wait for a change.
    refused_ = source;
    auto fresh = load_candidate(source);
    refused_.clear();
    auto m = std::const_pointer_cast<LoadedModel>(fresh);
    m->name = name.empty() ? source.filename().string() : name;
    m->version = version;
    m->alias = alias;
    std::atomic_store(&current_, fresh);
    ++reloads_;
    result.changed = true;
    result.model = fresh;
    {
      std::lock_guard error_lock(error_mutex_);
      last_error_.clear();
    }
    spdlog::info("{} loaded: name={} version={} source={}", role_, m->name,
                 m->version.empty() ? "-" : m->version, source.string());
  } catch (const std::exception& e) {
    ++failures_;
    result.error = e.what();
    std::lock_guard error_lock(error_mutex_);
    // Said once per cause: an alias that does not exist yet fails at every poll.
    if (result.error != last_error_) {
      spdlog::warn("{} reload refused, {}: {}", role_,
                   result.model ? "the current " + role_ + " keeps " +
                                      (role_ == "challenger" ? "shadowing" : "serving")
                                : "none is loaded",
                   e.what());
    }
    last_error_ = result.error;
  }
  return result;
}

void ModelHolder::start_polling(double period_seconds) {
  stop();
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = false;
  }
  const auto period = std::chrono::duration<double>(period_seconds);
  poller_ = std::thread([this, period] {
    std::unique_lock lock(stop_mutex_);
    while (!stop_cv_.wait_for(lock, period, [this] { return stopping_; })) {
      lock.unlock();
      reload(false);
      lock.lock();
    }
  });
}

void ModelHolder::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

}  // namespace loanrisk
