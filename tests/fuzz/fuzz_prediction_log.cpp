// The prediction log's line reader (monitor/prediction_log.cpp), as `loanrisk monitor --log`
// reads a folder: the input is one log file. Contract: InputError (file, line and fix) is the
// only refusal. Property: every column read has one value per row kept.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/monitor/prediction_log.hpp"

using namespace loanrisk;
namespace fs = std::filesystem;

namespace {

struct LogFolder {
  fs::path dir;
  LogFolder() {
    std::string pattern = (fs::temp_directory_path() / "loanrisk-fuzz-log-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) fuzz::finding("cannot make a temporary folder");
    dir = pattern;
  }
  ~LogFolder() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const LogFolder folder;
  static const std::vector<std::string> features = {"income", "fico_score"};
  {
    std::ofstream out(folder.dir / "predictions-20261128-1.jsonl", std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  // The whole log, then a window that cuts through 2026-11-28 (the seeds' day).
  for (const bool window : {false, true}) {
    fuzz::within_contract<InputError>("read_prediction_log", [&] {
      const auto since = window ? monitor::parse_utc_time("2026-11-28T01:00") : std::nullopt;
      const auto until = window ? monitor::parse_utc_time("2026-11-28T02:00") : std::nullopt;
      const monitor::LoggedPredictions log =
          monitor::read_prediction_log(folder.dir, features, since, until);
      const std::size_t rows = log.pd.size();
      if (log.time_ms.size() != rows || log.inputs.ids.size() != rows ||
          log.inputs.lines.size() != rows || (!log.target.empty() && log.target.size() != rows)) {
        fuzz::finding("the log's columns differ in length");
      }
      for (const auto& c : log.inputs.columns) {
        if (c.size() != rows) fuzz::finding("an input column differs in length from pd");
      }
      if (log.lines != rows + log.skipped) fuzz::finding("lines read != rows kept + skipped");
    });
  }
  return 0;
}
