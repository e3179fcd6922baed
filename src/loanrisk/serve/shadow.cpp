#include "loanrisk/serve/shadow.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/prometheus.hpp"

namespace loanrisk {
namespace {

/// Longest time a queued request waits for the challenger; the worker wakes earlier when
/// kWakeRows rows wait, so a busy server pays no wake-up per request.
constexpr std::chrono::milliseconds kMaxDelay{20};
constexpr std::size_t kWakeRows = 512;
/// Rows per challenger call: the tree families evaluate up to 256 rows natively, more through
/// XGBoost's C API and its OpenMP threads, which would compete with the request threads.
constexpr std::size_t kChunkRows = 256;

std::string metric_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return format_double(v);
}

/// What the challenger's schema says about one input value ("" when it accepts it). The champion
/// checked the value against its own schema; the challenger's may be narrower.
std::string check_value(const ColumnSpec& spec, double v) {
  if (std::isnan(v)) {
    return spec.required ? "no value for '" + spec.name + "', which the challenger requires" : "";
  }
  if (v < spec.min || v > spec.max) {
    return spec.name + " = " + format_double(v) + " is outside the challenger's valid range " +
           format_double(spec.min) + " to " + format_double(spec.max);
  }
  if ((spec.type == ColumnType::Integer || spec.type == ColumnType::Binary) && v != std::round(v)) {
    return spec.name + " = " + format_double(v) + " is not a whole number, as the challenger needs";
  }
  return "";
}

}  // namespace

/// What scoring with one challenger needs, worked out once per loaded challenger.
struct ShadowScorer::Plan {
  std::shared_ptr<const LoadedModel> model;
  std::vector<std::string> inputs;       ///< the raw columns its pipeline reads.
  std::vector<const ColumnSpec*> specs;  ///< each input's spec in its schema (null: none).
  DecisionRule rule;

  Plan(std::shared_ptr<const LoadedModel> m, const ServeSettings& s)
      : model(std::move(m)),
        inputs(model->bundle.pipeline.options().input_columns()),
        rule(s.grades, s.lgd, model->bundle.threshold, model->bundle.schema) {
    for (const auto& name : inputs) specs.push_back(model->bundle.schema.find(name));
  }
};

/// One request to shadow; its numbers are in a values buffer from `offset`: the champion's PDs
/// (rows), then each of the plan's inputs (rows each), unless `error`.
struct ShadowScorer::Job {
  std::shared_ptr<const LoadedModel> champion;
  std::shared_ptr<const Plan> plan;
  std::size_t rows = 0, offset = 0;
  std::string error;  ///< set when no row can be scored (an input the request lacks).
  PendingLines lines;
  ShadowVerdicts verdicts;
};

void ShadowVerdicts::fill(monitor::PredictionRecord& record, std::size_t row) const {
  if (!challenger || row >= rows.size()) return;
  const Row& r = rows[row];
  monitor::ChallengerVerdict v;
  v.model_name = challenger->name;
  v.model_version = challenger->version;
  if (r.error.empty()) {
    v.pd = r.pd;
    v.grade = r.decision.grade->name;
    v.decision = r.decision.decision_text();
  } else {
    v.error = r.error;
  }
  record.challenger = std::move(v);
}

ShadowScorer::ShadowScorer(const ServeSettings& settings, const std::string& store_uri,
                           PredictionLogWriter* log)
    : settings_(settings),
      holder_(settings.challenger, store_uri, "challenger"),
      log_(log),
      migrations_(settings.grades.size() * settings.grades.size(), 0),
      window_size_(std::min(settings.drift_window, kMaxWindow)) {
  thread_ = std::thread([this] { run(); });
}

ShadowScorer::~ShadowScorer() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  holder_.stop();
}

std::shared_ptr<const ShadowScorer::Plan> ShadowScorer::plan_locked(
    std::shared_ptr<const LoadedModel> model) {
  if (!plan_ || plan_->model != model) {
    plan_ = std::make_shared<const Plan>(std::move(model), settings_);
    positions_.assign(plan_->inputs.size(), -1);
  }
  return plan_;
}

void ShadowScorer::append_job(std::vector<Job>& jobs, std::vector<double>& values,
                              std::vector<int>& positions,
                              std::shared_ptr<const LoadedModel> champion,
                              std::shared_ptr<const Plan> plan, const Frame& frame,
                              const std::vector<double>& pd) {
  const std::size_t mark = values.size(), n = pd.size();
  Job& job = jobs.emplace_back();
  try {
    job.champion = std::move(champion);
    job.rows = n;
    job.offset = mark;
    values.insert(values.end(), pd.begin(), pd.end());
    // The challenger sees the request as the champion's schema read it.
    for (std::size_t k = 0; k < plan->inputs.size(); ++k) {
      const std::string& name = plan->inputs[k];
      int& at = positions[k];
      if (at < 0 || static_cast<std::size_t>(at) >= frame.names.size() ||
          frame.names[static_cast<std::size_t>(at)] != name) {
        at = frame.index_of(name);
      }
      if (at < 0) {
        job.error = "the challenger reads '" + name +
                    "', which the champion's schema does not take from the request";
        values.resize(mark + n);
        break;
      }
      const auto& column = frame.columns[static_cast<std::size_t>(at)];
      values.insert(values.end(), column.begin(), column.begin() + static_cast<std::ptrdiff_t>(n));
    }
    job.plan = std::move(plan);
  } catch (...) {
    jobs.pop_back();
    values.resize(mark);
    throw;
  }
}

void ShadowScorer::score(std::vector<Job>& jobs, const std::vector<double>& values) const {
  // Rows of consecutive jobs with the same challenger go into one frame of up to kChunkRows.
  const Plan* plan = nullptr;
  Frame chunk;
  std::vector<std::pair<Job*, std::size_t>> slots;  // the job and row of each chunk row
  const auto flush_chunk = [&] {
    if (slots.empty()) return;
    std::vector<double> pd;
    std::string error;
    try {
      pd = plan->model->bundle.predict(chunk);
      if (pd.size() != slots.size()) {
        error = "the challenger gave " + std::to_string(pd.size()) + " PDs for " +
                std::to_string(slots.size()) + " rows";
      }
    } catch (const std::exception& e) {
      error = std::string("the challenger failed: ") + e.what();
    }
    for (std::size_t i = 0; i < slots.size(); ++i) {
      ShadowVerdicts::Row& row = slots[i].first->verdicts.rows[slots[i].second];
      if (!error.empty()) {
        row.error = error;
      } else if (!std::isfinite(pd[i]) || pd[i] < 0 || pd[i] > 1) {
        row.error = "the challenger gave an invalid PD (" + metric_number(pd[i]) + ")";
      } else {
        row.pd = pd[i];
        row.decision = plan->rule.decide(pd[i]);
      }
    }
    slots.clear();
    for (auto& c : chunk.columns) c.clear();
  };
  for (Job& job : jobs) {
    job.verdicts.challenger = job.plan->model;
    job.verdicts.rows.resize(job.rows);
    if (!job.error.empty()) {
      for (auto& row : job.verdicts.rows) row.error = job.error;
      continue;
    }
    if (job.plan.get() != plan) {
      flush_chunk();
      plan = job.plan.get();
      chunk.names = plan->inputs;
      chunk.columns.assign(plan->inputs.size(), {});
    }
    const std::size_t k_inputs = plan->inputs.size();
    const double* inputs = values.data() + job.offset + job.rows;
    for (std::size_t r = 0; r < job.rows; ++r) {
      std::string why;
      for (std::size_t k = 0; k < k_inputs && why.empty(); ++k) {
        if (plan->specs[k]) why = check_value(*plan->specs[k], inputs[k * job.rows + r]);
      }
      if (!why.empty()) {
        job.verdicts.rows[r].error = std::move(why);
        continue;
      }
      for (std::size_t k = 0; k < k_inputs; ++k)
        chunk.columns[k].push_back(inputs[k * job.rows + r]);
      slots.emplace_back(&job, r);
      if (slots.size() == kChunkRows) flush_chunk();
    }
  }
  flush_chunk();
}

void ShadowScorer::observe(const Job& job, const std::vector<double>& values) {
  const std::size_t k = settings_.grades.size();
  const double* champion_pd = values.data() + job.offset;
  std::lock_guard lock(counts_mutex_);
  if (job.champion != pair_.first || job.plan->model != pair_.second) {
    // The quantiles describe the pair serving now; the counters run on, as counters do.
    pair_ = {job.champion, job.plan->model};
    const Bundle& champion = job.champion->bundle;
    champion_rule_.emplace(settings_.grades, settings_.lgd, champion.threshold, champion.schema);
    window_.clear();
    window_next_ = 0;
  }
  const DecisionRule& rule = *champion_rule_;
  ++counts_.requests;
  for (std::size_t r = 0; r < job.rows; ++r) {
    const ShadowVerdicts::Row& c = job.verdicts.rows[r];
    if (!c.error.empty()) {
      ++counts_.errors;
      continue;
    }
    ++counts_.rows;
    const Decision d = rule.decide(champion_pd[r]);
    counts_.approve_to_decline += !d.decline && c.decision.decline;
    counts_.decline_to_approve += d.decline && !c.decision.decline;
    const auto from = static_cast<std::size_t>(d.grade - settings_.grades.data());
    const auto to = static_cast<std::size_t>(c.decision.grade - settings_.grades.data());
    ++migrations_[from * k + to];
    counts_.upgrades += to < from;
    counts_.downgrades += to > from;
    counts_.same_grade += to == from;
    const double difference = c.pd - champion_pd[r];
    difference_sum_ += difference;
    if (window_.size() < window_size_) {
      window_.push_back(difference);
    } else {
      window_[window_next_] = difference;
      window_next_ = (window_next_ + 1) % window_.size();
    }
  }
}

void ShadowScorer::send(Job& job) {
  for (std::size_t i = 0; i < job.lines.records.size(); ++i) {
    job.verdicts.fill(job.lines.records[i], job.lines.rows[i]);
  }
  send(job.lines);
}

void ShadowScorer::send(PendingLines& lines) {
  if (!log_) return;
  for (auto& record : lines.records) log_->submit(std::move(record));
}

void ShadowScorer::submit(std::shared_ptr<const LoadedModel> champion, const Frame& frame,
                          const std::vector<double>& pd, PendingLines lines) noexcept {
  try {
    auto challenger = holder_.current();
    if (!challenger) {
      send(lines);  // no challenger loaded: the lines as they are
      return;
    }
    bool wake = false;
    {
      std::unique_lock lock(queue_mutex_);
      if (queued_rows_ > 0 && queued_rows_ + pd.size() > kQueueRows) {
        ++dropped_;
        lock.unlock();
        send(lines);
        return;
      }
      append_job(queue_, queue_values_, positions_, std::move(champion),
                 plan_locked(std::move(challenger)), frame, pd);
      queue_.back().lines = std::move(lines);
      queued_rows_ += pd.size();
      wake = queued_rows_ >= kWakeRows;
    }
    if (wake) wake_.notify_one();
  } catch (const std::exception& e) {
    // The answer is already computed; shadowing must not fail it.
    spdlog::warn("shadow skipped a request: {}", e.what());
  }
}

ShadowVerdicts ShadowScorer::score_now(const std::shared_ptr<const LoadedModel>& champion,
                                       const Frame& frame, const std::vector<double>& pd) noexcept {
  try {
    auto challenger = holder_.current();
    if (!challenger) return {};
    std::shared_ptr<const Plan> plan;
    {
      std::lock_guard lock(queue_mutex_);
      plan = plan_locked(std::move(challenger));
    }
    std::vector<Job> jobs;
    std::vector<double> values;
    std::vector<int> positions(plan->inputs.size(), -1);
    append_job(jobs, values, positions, champion, plan, frame, pd);
    score(jobs, values);
    observe(jobs.front(), values);
    return std::move(jobs.front().verdicts);
  } catch (const std::exception& e) {
    spdlog::warn("shadow skipped a request: {}", e.what());
    return {};
  }
}

void ShadowScorer::run() {
  // Swapped with the queue and cleared after each batch, so both keep their capacity and a busy
  // queue does not grow from nothing every 20 ms.
  std::vector<Job> batch;
  std::vector<double> values;
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    wake_.wait_for(lock, kMaxDelay,
                   [this] { return stopping_ || flush_requested_ || queued_rows_ >= kWakeRows; });
    if (queue_.empty()) {
      flush_requested_ = false;
      idle_.notify_all();
      if (stopping_) return;
      continue;
    }
    batch.swap(queue_);
    values.swap(queue_values_);
    queued_rows_ = 0;
    busy_ = true;
    lock.unlock();
    try {
      score(batch, values);
      for (Job& job : batch) {
        observe(job, values);
        send(job);
      }
    } catch (const std::exception& e) {
      // Not expected (score() catches the challenger's own failures); the lines still go out.
      spdlog::warn("shadow lost a batch of {} requests: {}", batch.size(), e.what());
      for (Job& job : batch) {
        job.verdicts = {};
        send(job);
      }
    }
    batch.clear();
    values.clear();
    lock.lock();
    busy_ = false;
  }
}

void ShadowScorer::flush() {
  std::unique_lock lock(queue_mutex_);
  flush_requested_ = true;
  wake_.notify_one();
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

ShadowCounts ShadowScorer::counts() const {
  ShadowCounts c;
  {
    std::lock_guard lock(counts_mutex_);
    c = counts_;
  }
  std::lock_guard lock(queue_mutex_);
  c.dropped = dropped_;
  return c;
}

std::string ShadowScorer::render_metrics() const {
  const ShadowCounts c = counts();
  std::vector<double> window;
  std::vector<std::uint64_t> migrations;
  double sum = 0;
  {
    std::lock_guard lock(counts_mutex_);
    window = window_;
    migrations = migrations_;
    sum = difference_sum_;
  }
  std::string out;
  const auto head = [&out](const std::string& name, const char* type, const std::string& help) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  const auto counter = [&](const std::string& name, const std::string& help, std::uint64_t v) {
    head(name, "counter", help);
    out += name + " " + std::to_string(v) + "\n";
  };
  const auto m = holder_.current();
  head("loanrisk_challenger_info", "gauge",
       "The challenger scored in shadow (none while not loaded).");
  if (m) {
    out += "loanrisk_challenger_info{name=\"" + prometheus_label(m->name) + "\",version=\"" +
           prometheus_label(m->version) + "\",family=\"" + prometheus_label(m->bundle.family) +
           "\"} 1\n";
  }
  counter("loanrisk_challenger_reloads_total", "Challengers swapped in since start.",
          holder_.reloads());
  counter("loanrisk_challenger_reload_failures_total", "Candidate challengers refused.",
          holder_.failures());
  counter("loanrisk_shadow_requests_total", "Scoring requests the challenger scored in shadow.",
          c.requests);
  counter("loanrisk_shadow_dropped_requests_total",
          "Scoring requests not shadowed because the shadow queue was full.", c.dropped);
  counter("loanrisk_shadow_rows_total", "Rows scored by both the champion and the challenger.",
          c.rows);
  counter("loanrisk_challenger_errors_total",
          "Rows the challenger failed to score (the champion answered them as always).", c.errors);
  head("loanrisk_shadow_decision_flips_total", "counter",
       "Rows the two models decide differently, by each model's decision.");
  out += "loanrisk_shadow_decision_flips_total{champion=\"approve\",challenger=\"decline\"} " +
         std::to_string(c.approve_to_decline) + "\n";
  out += "loanrisk_shadow_decision_flips_total{champion=\"decline\",challenger=\"approve\"} " +
         std::to_string(c.decline_to_approve) + "\n";
  head("loanrisk_shadow_grade_changes_total", "counter",
       "Rows by the challenger's grade against the champion's: upgrade (a lower-PD grade), "
       "downgrade or same.");
  out += "loanrisk_shadow_grade_changes_total{direction=\"upgrade\"} " +
         std::to_string(c.upgrades) + "\n";
  out += "loanrisk_shadow_grade_changes_total{direction=\"downgrade\"} " +
         std::to_string(c.downgrades) + "\n";
  out += "loanrisk_shadow_grade_changes_total{direction=\"same\"} " + std::to_string(c.same_grade) +
         "\n";
  head("loanrisk_shadow_grade_migrations_total", "counter",
       "Rows by the champion's grade (from_grade) and the challenger's (to_grade); pairs seen.");
  const std::size_t k = settings_.grades.size();
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i] == 0) continue;
    out += "loanrisk_shadow_grade_migrations_total{from_grade=\"" +
           prometheus_label(settings_.grades[i / k].name) + "\",to_grade=\"" +
           prometheus_label(settings_.grades[i % k].name) + "\"} " + std::to_string(migrations[i]) +
           "\n";
  }
  head("loanrisk_shadow_pd_difference", "summary",
       "Challenger PD minus champion PD per row: quantiles over the last " +
           std::to_string(window_size_) +
           " rows of the models serving now (NaN before the first), sum and count since start.");
  std::sort(window.begin(), window.end());
  for (const double q : kQuantiles) {
    double v = std::numeric_limits<double>::quiet_NaN();
    if (!window.empty()) {
      // Nearest rank: the smallest value with at least q of the window at or below it.
      const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(window.size())));
      v = window[std::max<std::size_t>(rank, 1) - 1];
    }
    out += "loanrisk_shadow_pd_difference{quantile=\"" + format_double(q) + "\"} " +
           metric_number(v) + "\n";
  }
  out += "loanrisk_shadow_pd_difference_sum " + metric_number(sum) + "\n";
  out += "loanrisk_shadow_pd_difference_count " + std::to_string(c.rows) + "\n";
  return out;
}

nlohmann::json ShadowScorer::to_json() const {
  nlohmann::json j = {{"uri", holder_.uri()}};
  const auto m = holder_.current();
  j["loaded"] = m != nullptr;
  if (m) {
    j["name"] = m->name;
    j["version"] = m->version;
    j["alias"] = m->alias;
    j["family"] = m->bundle.family;
    j["source"] = m->source.string();
    j["loaded_at"] = m->loaded_at;
    j["threshold"] = m->bundle.threshold;
  }
  if (const std::string error = holder_.last_error(); !error.empty()) j["error"] = error;
  const ShadowCounts c = counts();
  j["shadow"] = {
      {"requests", c.requests},
      {"dropped_requests", c.dropped},
      {"rows", c.rows},
      {"errors", c.errors},
      {"decision_flips",
       {{"approve_to_decline", c.approve_to_decline},
        {"decline_to_approve", c.decline_to_approve}}},
      {"grades", {{"upgrade", c.upgrades}, {"downgrade", c.downgrades}, {"same", c.same_grade}}}};
  return j;
}

}  // namespace loanrisk
