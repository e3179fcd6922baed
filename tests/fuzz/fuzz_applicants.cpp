// The two readers of applicant JSON (serve/applicants.cpp) against each other, as the predict and
// explain routes use them: the direct reader first, the JSON document and applicants_frame when
// it declines. The direct reader may decline anything, but what it accepts the general reader
// must accept too, with the same values, ids and order; otherwise a client's answer would depend
// on which path read its body. The routes' parse_json_body lives with the routes (api.cpp), so the
// general path here is its core: nlohmann::json::parse, whose parse and range errors it answers
// with 400. Contract: HttpError is the only refusal; the direct reader never throws.
#include <cstring>
#include <optional>

#include <nlohmann/json.hpp>

#include "fuzz_frames.hpp"
#include "fuzz_support.hpp"
#include "loanrisk/serve/applicants.hpp"
#include "loanrisk/serve/http_error.hpp"

using namespace loanrisk;
using fuzz::finding;
using fuzz::same_frame;

namespace {

// Small enough that the 413 answer (too many applicants) is reachable with small inputs.
constexpr std::size_t kMaxRows = 8;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Schema schema = Schema::loan_default();
  // The predict route keeps one frame per thread across requests: reading into a frame left by
  // earlier (accepted or declined) bodies must give what a fresh frame gives.
  static Frame reused;
  const std::string body(fuzz::text_of(data, size));

  Frame direct;
  bool direct_ok = false;
  bool reused_ok = false;
  fuzz::within_contract<>("read_flat_applicants", [&] {
    direct_ok = read_flat_applicants(body, schema, kMaxRows, direct);
    reused_ok = read_flat_applicants(body, schema, kMaxRows, reused);
  });
  if (direct_ok != reused_ok) finding("a reused frame changed whether the direct reader accepts");
  if (direct_ok && !same_frame(direct, reused)) finding("a reused frame changed the values read");

  std::optional<Frame> general;
  int status = 0;
  fuzz::within_contract<HttpError>("applicants_frame", [&] {
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception&) {
      return;  // 400 from parse_json_body; the direct reader must have declined (checked below)
    }
    if (doc.is_object()) doc = nlohmann::json::array({std::move(doc)});
    try {
      general = applicants_frame(doc, schema, kMaxRows);
    } catch (const HttpError& e) {
      status = e.status();
      throw;
    }
  });
  if (direct_ok && !general) {
    finding("the direct reader accepted a body the general reader refuses (status " +
            std::to_string(status) + ")");
  }
  if (direct_ok && !same_frame(direct, *general)) {
    finding("the two readers read different applicants from the same body");
  }
  return 0;
}
