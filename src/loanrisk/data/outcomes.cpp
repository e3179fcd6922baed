#include "loanrisk/data/outcomes.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <utility>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/core/utc_time.hpp"
#include "loanrisk/data/csv_detail.hpp"

namespace loanrisk {
namespace {

constexpr std::array<const char*, 3> kColumns = {"customer_id", "observation_date", "default"};
constexpr std::int64_t kDayMs = 86'400'000;

/// The observation time of a date or date-time: a date alone stands for its whole day.
std::optional<std::int64_t> observation_time(std::string_view text) {
  const std::string s(text);
  const auto t = parse_utc_time(s);
  if (!t) return std::nullopt;
  const bool date_only = s.size() == 10 || (s.size() == 11 && s.back() == 'Z');
  return date_only ? *t + kDayMs - 1 : *t;
}

}  // namespace

std::vector<Outcome> parse_outcomes(std::string_view text, const std::string& source) {
  using csv_detail::RowStatus;
  std::string lf;
  if (text.find('\n') == std::string_view::npos && text.find('\r') != std::string_view::npos) {
    lf.assign(text);  // lone-CR line endings, as the loan CSV reader accepts them
    std::replace(lf.begin(), lf.end(), '\r', '\n');
    text = lf;
  }
  const char* p = text.data();
  const char* end = p + text.size();
  if (text.starts_with("\xEF\xBB\xBF")) p += 3;
  end = csv_detail::content_end(p, end);
  const std::string fix_header =
      " Fix: the first line must name the columns customer_id,observation_date,default";
  if (p == end) throw InputError(source + ": the outcome file is empty." + fix_header);
  csv_detail::ScannedRow row;
  p = csv_detail::scan_row(p, end, row);
  if (row.status != RowStatus::Ok) {
    throw InputError(source + " line 1: the header has a quoting error." + fix_header);
  }
  std::array<std::size_t, 3> at{};
  for (std::size_t c = 0; c < kColumns.size(); ++c) {
    const auto it = std::find(row.fields.begin(), row.fields.end(), kColumns[c]);
    if (it == row.fields.end()) {
      std::vector<std::string> found;
      for (const auto& f : row.fields) found.push_back("'" + echo_text(f, 40) + "'");
      throw InputError(source + " line 1: column '" + kColumns[c] +
                       "' is missing (found: " + join(found) + ")." + fix_header);
    }
    if (std::find(it + 1, row.fields.end(), kColumns[c]) != row.fields.end()) {
      throw InputError(source + " line 1: column '" + kColumns[c] +
                       "' appears twice. Fix: remove one of them");
    }
    at[c] = static_cast<std::size_t>(it - row.fields.begin());
  }
  const std::size_t width = row.fields.size();
  std::vector<Outcome> out;
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> seen;  // (id, time) -> line
  std::int64_t line = 2 + row.embedded_newlines;
  while (p < end) {
    const std::int64_t row_line = line;
    p = csv_detail::scan_row(p, end, row);
    line += 1 + row.embedded_newlines;
    const std::string where = source + " line " + std::to_string(row_line);
    if (row.blank()) continue;
    if (row.status != RowStatus::Ok) {
      throw InputError(where +
                       ": a quoted field is not closed or has text after its quote. Fix: "
                       "quote the whole field and write a quote inside it as \"\"");
    }
    if (row.fields.size() != width) {
      throw InputError(where + ": expected " + std::to_string(width) +
                       " fields as in the header, found " + std::to_string(row.fields.size()) +
                       ". Fix: check for a missing or extra comma");
    }
    const auto column = [&](std::size_t c) {
      return where + ", column " + std::to_string(at[c] + 1) + " (" + kColumns[c] + ")";
    };
    Outcome o;
    o.line = row_line;
    o.customer_id.assign(row.fields[at[0]]);
    if (o.customer_id.empty()) {
      throw InputError(column(0) +
                       ": the customer id is empty. Fix: give the id the customer "
                       "was scored with, or remove the row");
    }
    const std::string_view date = row.fields[at[1]];
    const auto observed = observation_time(date);
    if (!observed) {
      throw InputError(column(1) + ": '" + echo_text(date, 40) +
                       "' is not a date. Fix: write it as YYYY-MM-DD (or "
                       "YYYY-MM-DDTHH:MM:SSZ, UTC)");
    }
    o.observed_ms = *observed;
    const std::string_view value = row.fields[at[2]];
    if (value != "0" && value != "1") {
      throw InputError(column(2) + ": '" + echo_text(value, 40) +
                       "' is not an outcome. Fix: write 1 when the customer defaulted by the "
                       "observation date, 0 when not");
    }
    o.value = value == "1" ? 1.0 : 0.0;
    const auto [it, added] = seen.try_emplace({o.customer_id, o.observed_ms}, row_line);
    if (!added) {
      throw InputError(where + ": customer '" + echo_text(o.customer_id, 40) + "' is observed on " +
                       std::string(date) + " already on line " + std::to_string(it->second) +
                       ". Fix: keep one outcome per customer and date");
    }
    out.push_back(std::move(o));
  }
  if (out.empty()) {
    throw InputError(source +
                     ": the outcome file has a header but no rows. Fix: add one row "
                     "per observed customer");
  }
  return out;
}

std::vector<Outcome> read_outcomes(const std::filesystem::path& path) {
  return parse_outcomes(read_file(path), path.string());
}

}  // namespace loanrisk
