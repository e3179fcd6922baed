// A scorecard as JSON (scorecard.json in the bundle) and back. Reading is strict: the file may
// have been edited or damaged, and a wrong count or a points value beyond an int must be an
// InputError naming the field, never a silent cast.
#include <cmath>
#include <cstdint>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/json_fields.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/models/scorecard_binning.hpp"
#include "loanrisk/models/scorecard_classifier.hpp"

namespace loanrisk::models {
namespace {

using nlohmann::json;

const JsonFields kBinning("scorecard binning");
const JsonFields kCard("scorecard");

json stats_json(const BinStats& s) {
  return {{"count", s.count}, {"goods", s.goods},
          {"bads", s.bads},   {"default_rate", s.default_rate},
          {"woe", s.woe},     {"iv", s.iv}};
}

BinStats stats_from(const json& j, const std::string& where) {
  kBinning.expect_object(j, where);
  const std::string path = where + ".";
  BinStats s;
  s.count = kBinning.count(j, "count", path);
  s.goods = kBinning.count(j, "goods", path);
  s.bads = kBinning.count(j, "bads", path);
  s.default_rate = kBinning.finite(j, "default_rate", path);
  s.woe = kBinning.finite(j, "woe", path);
  s.iv = kBinning.finite(j, "iv", path);
  if (s.goods > s.count || s.bads != s.count - s.goods) {
    kBinning.fail(
        fmt::format("{} has {} goods and {} bads but count {}", where, s.goods, s.bads, s.count));
  }
  return s;
}

}  // namespace

json Binning::to_json() const {
  json j = {{"direction", bin_direction_name(direction)},
            {"edges", edges},
            {"bins", json::array()},
            {"missing", stats_json(missing)},
            {"specials", json::array()},
            {"iv", iv}};
  for (const BinStats& s : bins) j["bins"].push_back(stats_json(s));
  for (const SpecialBin& s : specials) {
    json e = stats_json(s.stats);
    e["value"] = s.value;
    j["specials"].push_back(std::move(e));
  }
  return j;
}

Binning Binning::from_json(const json& j) {
  kBinning.expect_object(j, "the binning");
  Binning b;
  const std::string& direction = kBinning.string(j, "direction", "");
  const auto known = parse_bin_direction(direction);
  if (!known || *known == BinDirection::Auto) {
    kBinning.fail(fmt::format("direction '{}' is unknown (expected ascending or descending)",
                              echo_text(direction, 40)));
  }
  b.direction = *known;
  const json& edges = kBinning.array(j, "edges", "");
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const json& e = edges[i];
    if (!e.is_number() || !std::isfinite(e.get<double>())) {
      kBinning.fail(
          fmt::format("edges[{}] must be a finite number, got {}", i, echo_text(e.dump(), 40)));
    }
    b.edges.push_back(e.get<double>());
    if (i > 0 && !(b.edges[i] > b.edges[i - 1])) {
      kBinning.fail(fmt::format(
          "edges must be strictly increasing, but edges[{}] = {} follows edges[{}] = {}", i,
          b.edges[i], i - 1, b.edges[i - 1]));
    }
  }
  const json& bins = kBinning.array(j, "bins", "");
  if (bins.size() != b.edges.size() + 1) {
    kBinning.fail(fmt::format("{} edges need {} bins, got {}", b.edges.size(), b.edges.size() + 1,
                              bins.size()));
  }
  for (std::size_t i = 0; i < bins.size(); ++i) {
    b.bins.push_back(stats_from(bins[i], fmt::format("bins[{}]", i)));
  }
  b.missing = stats_from(kBinning.field(j, "missing", ""), "missing");
  const json& specials = kBinning.array(j, "specials", "");
  for (std::size_t s = 0; s < specials.size(); ++s) {
    const std::string where = fmt::format("specials[{}]", s);
    const BinStats stats = stats_from(specials[s], where);
    const SpecialBin sb{kBinning.finite(specials[s], "value", where + "."), stats};
    for (const SpecialBin& other : b.specials) {
      if (other.value == sb.value) {
        kBinning.fail(fmt::format("special value {} is listed twice", sb.value));
      }
    }
    b.specials.push_back(sb);
  }
  b.iv = kBinning.finite(j, "iv", "");
  return b;
}

json scorecard_to_json(const Scorecard& card) {
  json chars = json::array();
  for (const Characteristic& c : card.characteristics) {
    chars.push_back({{"name", c.name},
                     {"coefficient", c.coefficient},
                     {"points", c.points},
                     {"binning", c.binning.to_json()}});
  }
  return {{"scaling",
           {{"base_score", card.scaling.base_score},
            {"base_odds", card.scaling.base_odds},
            {"pdo", card.scaling.pdo}}},
          {"intercept", card.intercept},
          {"characteristics", chars}};
}

Scorecard scorecard_from_json(const json& j) {
  kCard.expect_object(j, "the scorecard");
  Scorecard card;
  const json& s = kCard.object(j, "scaling", "");
  card.scaling = {kCard.finite(s, "base_score", "scaling."),
                  kCard.finite(s, "base_odds", "scaling."), kCard.finite(s, "pdo", "scaling.")};
  if (!(card.scaling.pdo > 0 && card.scaling.base_odds > 0)) {
    kCard.fail(fmt::format("scaling needs pdo > 0 and base_odds > 0, got pdo {} and base_odds {}",
                           card.scaling.pdo, card.scaling.base_odds));
  }
  card.intercept = kCard.finite(j, "intercept", "");
  const json& chars = kCard.array(j, "characteristics", "");
  if (chars.empty()) kCard.fail("field 'characteristics' is empty");
  if (chars.size() > kMaxCharacteristics) {
    kCard.fail(fmt::format("field 'characteristics' has {} entries; at most {} are supported",
                           chars.size(), kMaxCharacteristics));
  }
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const json& c = chars[i];
    const std::string path = fmt::format("characteristics[{}].", i);
    kCard.expect_object(c, fmt::format("characteristics[{}]", i));
    Characteristic ch;
    ch.name = kCard.string(c, "name", path);
    ch.coefficient = kCard.finite(c, "coefficient", path);
    for (const json& p : kCard.array(c, "points", path)) {
      if (!p.is_number_integer() || p.get<std::int64_t>() < -kMaxBinPoints ||
          p.get<std::int64_t>() > kMaxBinPoints) {
        kCard.fail(fmt::format("field '{}points' must hold integers within +-{}, got {}", path,
                               kMaxBinPoints, echo_text(p.dump(), 40)));
      }
      ch.points.push_back(static_cast<int>(p.get<std::int64_t>()));
    }
    ch.binning = Binning::from_json(kCard.field(c, "binning", path));
    if (ch.points.size() != ch.binning.bin_total()) {
      kCard.fail(fmt::format("characteristic '{}' has {} points for {} bins",
                             echo_text(ch.name, 60), ch.points.size(), ch.binning.bin_total()));
    }
    card.characteristics.push_back(std::move(ch));
  }
  return card;
}

}  // namespace loanrisk::models
