#include "loanrisk/tracking/database.hpp"

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "loanrisk/core/text.hpp"
#include "loanrisk/tracking/backends.hpp"

namespace loanrisk {

bool SqlRow::is_null(std::size_t i) const {
  return std::holds_alternative<std::monostate>(cells.at(i));
}

std::int64_t SqlRow::integer(std::size_t i) const {
  const SqlValue& v = cells.at(i);
  if (const auto* p = std::get_if<std::int64_t>(&v)) return *p;
  if (const auto* s = std::get_if<std::string>(&v)) {
    char* end = nullptr;
    const long long n = std::strtoll(s->c_str(), &end, 10);
    if (!s->empty() && *end == '\0') return n;
  }
  throw InternalError("store column " + std::to_string(i) + " holds '" + text(i) +
                      "', not an integer");
}

double SqlRow::real(std::size_t i) const {
  const SqlValue& v = cells.at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
  if (const auto* s = std::get_if<std::string>(&v)) {
    char* end = nullptr;
    const double d = std::strtod(s->c_str(), &end);
    if (!s->empty() && *end == '\0') return d;
  }
  throw InternalError("store column " + std::to_string(i) + " holds '" + text(i) +
                      "', not a number");
}

std::string SqlRow::text(std::size_t i) const {
  const SqlValue& v = cells.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
  if (const auto* d = std::get_if<double>(&v)) return format_double(*d);
  return "";
}

std::optional<std::int64_t> SqlRow::optional_integer(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return integer(i);
}

void Database::transaction(bool write, const std::function<void()>& fn) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::seconds(60);
  std::minstd_rand jitter(std::random_device{}());
  auto pause = std::chrono::microseconds(500);
  for (;;) {
    try {
      begin(write);
      fn();
      commit();
      return;
    } catch (const RetryableDbError&) {
      rollback();
      if (clock::now() > deadline) throw;
    } catch (...) {
      rollback();
      throw;
    }
    // Full jitter so that writers that collided do not collide again in lock step.
    std::this_thread::sleep_for(std::chrono::microseconds(jitter() % (pause.count() + 1)));
    pause = std::min(pause * 2, std::chrono::microseconds(200000));
  }
}

std::unique_ptr<Database> open_database(const StoreUri& uri) {
  if (uri.kind == StoreKind::kSqlite) return open_sqlite_database(uri.sqlite_path);
  return open_postgres_database(uri.text);
}

}  // namespace loanrisk
