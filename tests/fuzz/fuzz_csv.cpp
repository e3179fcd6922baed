// The CSV reader on a whole buffer, strict and rejects modes (loanrisk train/predict, the
// score-csv route). Contract: InputError is the only refusal. Properties: rejects mode keeps every
// row a strict read keeps, sets aside the row strict mode stops on with the same message, and
// accounts for every data row it saw.
#include <cstring>

#include "fuzz_frames.hpp"
#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/data/csv_reader.hpp"

using namespace loanrisk;
using fuzz::finding;
using fuzz::same_frame;

namespace {

void check_shape(const ReadResult& r) {
  const std::size_t rows = r.frame.lines.size();
  for (const auto& c : r.frame.columns) {
    if (c.size() != rows) finding("a frame column's length differs from the row count");
  }
  if (r.frame.names.size() != r.frame.columns.size()) finding("names and columns differ in count");
  if (!r.frame.ids.empty() && r.frame.ids.size() != rows) finding("ids differ from the row count");
  if (rows + r.rejects.size() != r.rows_read) {
    finding("rows kept + rejected != rows read: " + std::to_string(rows) + " + " +
            std::to_string(r.rejects.size()) + " != " + std::to_string(r.rows_read));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Schema schema = Schema::loan_default();
  const std::string_view text = fuzz::text_of(data, size);
  // predict reads without the target, train with it: the input's length picks, so mutations
  // explore both.
  ReadOptions strict_options;
  strict_options.require_target = size % 2 == 0;
  ReadOptions rejects_options = strict_options;
  rejects_options.collect_rejects = true;

  ReadResult strict, lenient;
  std::string strict_error, lenient_error;
  const bool strict_ok = fuzz::within_contract<InputError>("parse_csv (strict)", [&] {
    try {
      strict = parse_csv(text, "fuzz.csv", schema, strict_options);
    } catch (const InputError& e) {
      strict_error = e.what();
      throw;
    }
  });
  const bool lenient_ok = fuzz::within_contract<InputError>("parse_csv (rejects)", [&] {
    try {
      lenient = parse_csv(text, "fuzz.csv", schema, rejects_options);
    } catch (const InputError& e) {
      lenient_error = e.what();
      throw;
    }
  });
  if (strict_ok) {
    check_shape(strict);
    if (!lenient_ok) finding("rejects mode refused a file strict mode read: " + lenient_error);
    if (!lenient.rejects.empty()) finding("rejects mode set aside a row strict mode kept");
    if (!same_frame(strict.frame, lenient.frame)) finding("the two modes read different frames");
  } else if (lenient_ok) {
    check_shape(lenient);
    // Strict mode stopped on a row: rejects mode must have set that row aside, with the message.
    if (lenient.rejects.empty()) finding("strict mode refused a file rejects mode read whole");
    if (lenient.rejects.front().reason != strict_error) {
      finding("the first reject's reason differs from strict mode's error:\n  " +
              lenient.rejects.front().reason + "\n  " + strict_error);
    }
  } else if (strict_error != lenient_error) {
    finding("the modes refused the file with different errors:\n  " + strict_error + "\n  " +
            lenient_error);
  }
  return 0;
}
