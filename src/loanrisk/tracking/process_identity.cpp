#include "loanrisk/tracking/process_identity.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

namespace loanrisk {
namespace {

struct ActingUser {
  std::mutex mutex;
  std::string name;
};

ActingUser& acting() {
  static ActingUser a;
  return a;
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// Field 22 of /proc/<pid>/stat (starttime, in clock ticks since boot); the command name in field 2
// may hold spaces and parentheses, so fields are counted after its closing parenthesis.
std::string start_tick(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return "";
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  std::string state;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3) state = field;
    if (i == 22) return state == "Z" || state == "X" ? "" : field;  // a zombie has finished
  }
  return "";
}

}  // namespace

std::string this_hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string this_user() {
  if (const char* u = std::getenv("USER"); u != nullptr && *u != '\0') return u;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  return "uid" + std::to_string(::getuid());
}

std::string acting_user() {
  auto& a = acting();
  std::lock_guard lock(a.mutex);
  return a.name.empty() ? this_user() : a.name;
}

void set_acting_user(std::string name) {
  auto& a = acting();
  std::lock_guard lock(a.mutex);
  a.name = std::move(name);
}

std::string process_start_identity(std::int64_t pid) {
  const std::string tick = start_tick(pid);
  if (tick.empty()) return "";
  return boot_id() + "/" + tick;
}

bool process_alive(std::int64_t pid, const std::string& start_identity) {
  if (pid <= 0) return false;
  return process_start_identity(pid) == start_identity;
}

}  // namespace loanrisk
