#include "loanrisk/monitor/prediction_log.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <regex>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/json_writer.hpp"

namespace loanrisk::monitor {
namespace fs = std::filesystem;

std::string prediction_log_line(const PredictionRecord& r) {
  std::string out;
  out.reserve(320);
  // Customer ids come from uploaded CSV too, which need not be UTF-8: bytes above 127 are escaped.
  JsonWriter w(out, true);
  w.begin_object();
  w.key("ts").value(iso8601_ms(r.time_ms)).key("request_id").value(r.request_id);
  w.key("route").value(r.route);
  w.key("model").begin_object().key("name").value(r.model_name);
  w.key("version").value(r.model_version).end_object();
  w.key("customer_id").value(r.customer_id);
  if (r.customer_id_hashed) w.key("customer_id_hashed").value(true);
  w.key("inputs").begin_object();
  for (std::size_t k = 0; r.input_names && k < r.input_names->size() && k < r.inputs.size(); ++k) {
    w.key((*r.input_names)[k]).value(r.inputs[k]);
  }
  w.end_object();
  w.key("pd").value(r.pd).key("grade").value(r.grade).key("decision").value(r.decision);
  if (r.challenger) {
    const ChallengerVerdict& c = *r.challenger;
    w.key("challenger").begin_object().key("name").value(c.model_name);
    w.key("version").value(c.model_version);
    if (c.error.empty()) {
      w.key("pd").value(c.pd).key("grade").value(c.grade).key("decision").value(c.decision);
    } else {
      w.key("error").value(c.error);
    }
    w.end_object();
  }
  w.end_object();
  out += '\n';
  return out;
}

std::string prediction_log_file_name(std::int64_t time_ms, int index) {
  const std::string iso = iso8601_ms(time_ms);
  return "predictions-" + iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + "-" +
         std::to_string(index) + ".jsonl";
}

std::vector<fs::path> prediction_log_files(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw InputError("prediction log folder '" + dir.string() +
                     "' does not exist: give the folder of `loanrisk serve --prediction-log`");
  }
  static const std::regex name(R"(predictions-(\d{8})-(\d+)\.jsonl)");
  std::vector<std::tuple<std::string, long, fs::path>> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::smatch m;
    const std::string file = e.path().filename().string();
    if (e.is_regular_file() && std::regex_match(file, m, name)) {
      found.emplace_back(m[1], std::stol(m[2]), e.path());
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& f : found) out.push_back(std::get<2>(f));
  return out;
}

namespace {

/// The rows of one log file.
struct FileRows {
  std::vector<std::vector<double>> columns;
  std::vector<std::int64_t> time_ms;
  std::vector<double> pd, target, challenger_pd;
  std::vector<std::string> ids;
  std::vector<std::uint8_t> id_hashed;
  std::map<std::string, std::size_t> models, challengers;
  bool all_targets = true, any_challenger = false;
  std::size_t lines = 0, skipped = 0;
};

/// "name/version" of a line's model or challenger object.
std::string model_key(const nlohmann::json& m) {
  if (!m.is_object()) return "?";
  const auto text = [&](const char* k) {
    const auto it = m.find(k);
    return it != m.end() && it->is_string() ? it->get<std::string>() : std::string("?");
  };
  return text("name") + "/" + text("version");
}

/// The id the server received: the writer escapes each byte above 127 as \u00XX, which the JSON
/// parser reads as the UTF-8 of U+0080..U+00FF; map those back to single bytes. An id holding a
/// code point past U+00FF was not written by the server and is kept as it is.
std::string received_id(const std::string& id) {
  if (std::all_of(id.begin(), id.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
    return id;
  std::string out;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    if (c < 0x80) {
      out += id[i];
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < id.size() &&
               (static_cast<unsigned char>(id[i + 1]) & 0xC0) == 0x80) {
      out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(id[++i]) & 0x3F));
    } else {
      return id;
    }
  }
  return out;
}

FileRows read_log_file(const fs::path& file, const std::vector<std::string>& features,
                       std::optional<std::int64_t> since_ms, std::optional<std::int64_t> until_ms) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError("cannot read prediction log file '" + file.string() + "'");
  FileRows out;
  out.columns.resize(features.size());
  std::string text;
  std::size_t line_no = 0;
  const auto where = [&] { return file.string() + ":" + std::to_string(line_no); };
  while (std::getline(in, text)) {
    ++line_no;
    if (text.empty()) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {  // parse_error, or out_of_range for 1e400
      // A server killed mid-write can leave a torn last line: say so rather than guess.
      throw InputError(where() +
                       ": not a JSON line (a torn write?); remove the line or the file and rerun");
    }
    ++out.lines;
    try {
      const auto t = parse_utc_time(j.at("ts").get<std::string>());
      if (!t) throw InputError(where() + ": 'ts' is not an ISO 8601 UTC time");
      if ((since_ms && *t < *since_ms) || (until_ms && *t >= *until_ms)) {
        ++out.skipped;
        continue;
      }
      const auto& inputs = j.at("inputs");
      for (std::size_t k = 0; k < features.size(); ++k) {
        const auto it = inputs.find(features[k]);
        if (it == inputs.end() || !it->is_number()) {
          throw InputError(where() + ": input '" + features[k] +
                           "' is missing; the log was written for a model with other inputs "
                           "(use --since/--until to select its period)");
        }
        out.columns[k].push_back(it->get<double>());
      }
      out.time_ms.push_back(*t);
      out.pd.push_back(j.at("pd").get<double>());
      out.ids.push_back(received_id(j.value("customer_id", "")));
      out.id_hashed.push_back(j.value("customer_id_hashed", false) ? 1 : 0);
      ++out.models[model_key(j.value("model", nlohmann::json::object()))];
      // Lines written before shadowing existed, or without a challenger, have no "challenger".
      double challenger_pd = std::numeric_limits<double>::quiet_NaN();
      if (const auto c = j.find("challenger"); c != j.end() && c->is_object()) {
        ++out.challengers[model_key(*c)];
        if (const auto p = c->find("pd"); p != c->end() && p->is_number()) {
          challenger_pd = p->get<double>();
          out.any_challenger = true;
        }
      }
      out.challenger_pd.push_back(challenger_pd);
      const auto d = j.find("default");
      if (d != j.end() && d->is_number()) {
        out.target.push_back(d->get<double>());
      } else {
        out.all_targets = false;
      }
    } catch (const nlohmann::json::exception& e) {
      throw InputError(where() + ": missing or mistyped field (" + e.what() +
                       "); each line needs ts, inputs and pd");
    }
  }
  return out;
}

template <typename T>
void append(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

LoggedPredictions read_prediction_log(const fs::path& dir, const std::vector<std::string>& features,
                                      std::optional<std::int64_t> since_ms,
                                      std::optional<std::int64_t> until_ms) {
  // One file at a time: reading in parallel did not pay on two shared cores (measured).
  const auto files = prediction_log_files(dir);
  std::vector<FileRows> parts;
  parts.reserve(files.size());
  for (const auto& file : files) parts.push_back(read_log_file(file, features, since_ms, until_ms));
  LoggedPredictions out;
  out.files = files.size();
  out.inputs.names = features;
  out.inputs.columns.resize(features.size());
  bool all_targets = true, any_challenger = false;
  std::vector<double> targets;
  for (FileRows& p : parts) {
    for (std::size_t k = 0; k < features.size(); ++k) append(out.inputs.columns[k], p.columns[k]);
    append(out.time_ms, p.time_ms);
    append(out.pd, p.pd);
    append(out.challenger_pd, p.challenger_pd);
    append(out.inputs.ids, p.ids);
    append(out.id_hashed, p.id_hashed);
    for (const auto& [k, n] : p.models) out.models[k] += n;
    for (const auto& [k, n] : p.challengers) out.challengers[k] += n;
    append(targets, p.target);
    all_targets = all_targets && p.all_targets;
    any_challenger = any_challenger || p.any_challenger;
    out.lines += p.lines;
    out.skipped += p.skipped;
  }
  out.inputs.lines.assign(out.pd.size(), 0);
  if (all_targets && !out.pd.empty()) out.target = std::move(targets);
  if (!any_challenger) out.challenger_pd.clear();
  return out;
}

}  // namespace loanrisk::monitor
