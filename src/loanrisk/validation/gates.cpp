#include "loanrisk/validation/gates.hpp"

#include <nlohmann/json.hpp>

#include "loanrisk/config/toml_section.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk::validation {

std::string light_name(Light l) {
  switch (l) {
    case Light::Green:
      return "green";
    case Light::Amber:
      return "amber";
    case Light::Red:
      return "red";
    case Light::NotApplicable:
      break;
  }
  return "n/a";
}

Light worse(Light a, Light b) {
  const auto rank = [](Light l) {
    return l == Light::Red ? 3 : l == Light::Amber ? 2 : l == Light::Green ? 1 : 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

namespace {

// An amber threshold must warn before red does: for "below is bad" tests amber >= red, for
// "above is bad" tests amber <= red.
void order(const char* what, double amber, double red, bool low_is_bad) {
  if (low_is_bad ? amber < red : amber > red) {
    throw UsageError(std::string("[validation] ") + what + "_amber (" + format_double(amber) +
                     ") must be " + (low_is_bad ? "at least" : "at most") + " " + what + "_red (" +
                     format_double(red) + "): amber warns before red fails");
  }
}

}  // namespace

void Gates::validate() const {
  order("jeffreys", jeffreys_amber, jeffreys_red, true);
  order("hosmer_lemeshow", hosmer_lemeshow_amber, hosmer_lemeshow_red, true);
  order("ece", ece_amber, ece_red, false);
  order("auc", auc_amber, auc_red, true);
  order("auc_decline", auc_decline_amber, auc_decline_red, true);
  order("herfindahl", herfindahl_amber, herfindahl_red, false);
  order("psi", psi_amber, psi_red, false);
}

nlohmann::json Gates::to_json() const {
  return {{"jeffreys_amber", jeffreys_amber},
          {"jeffreys_red", jeffreys_red},
          {"min_grade_customers", min_grade_customers},
          {"hosmer_lemeshow_amber", hosmer_lemeshow_amber},
          {"hosmer_lemeshow_red", hosmer_lemeshow_red},
          {"ece_amber", ece_amber},
          {"ece_red", ece_red},
          {"auc_amber", auc_amber},
          {"auc_red", auc_red},
          {"auc_decline_amber", auc_decline_amber},
          {"auc_decline_red", auc_decline_red},
          {"auc_compare_red", auc_compare_red},
          {"herfindahl_amber", herfindahl_amber},
          {"herfindahl_red", herfindahl_red},
          {"psi_amber", psi_amber},
          {"psi_red", psi_red}};
}

Gates gates_from_toml_text(std::string_view text, const std::string& source) {
  const toml::table root = parse_toml(text, source);
  Gates g;
  const toml::node* node = root.get("validation");
  if (!node) return g;
  const TomlSection t(source, *node, "validation", TomlStyle::Located, "validation.");
  t.check_keys({"auc_amber", "auc_compare_red", "auc_decline_amber", "auc_decline_red", "auc_red",
                "ece_amber", "ece_red", "herfindahl_amber", "herfindahl_red",
                "hosmer_lemeshow_amber", "hosmer_lemeshow_red", "jeffreys_amber", "jeffreys_red",
                "min_grade_customers", "psi_amber", "psi_red"});
  const NumberRange p{.min = 0, .max = 1, .min_open = true, .max_open = true};
  const NumberRange unit{.min = 0, .max = 1};
  t.number("jeffreys_amber", g.jeffreys_amber, p, "a p-value, e.g. 0.05");
  t.number("jeffreys_red", g.jeffreys_red, p, "a p-value, e.g. 0.01");
  t.integer("min_grade_customers", g.min_grade_customers, 1, 1'000'000'000);
  t.number("hosmer_lemeshow_amber", g.hosmer_lemeshow_amber, p, "a p-value, e.g. 0.05");
  t.number("hosmer_lemeshow_red", g.hosmer_lemeshow_red, p, "a p-value, e.g. 0.01");
  t.number("ece_amber", g.ece_amber, unit, "e.g. 0.02");
  t.number("ece_red", g.ece_red, unit, "e.g. 0.05");
  t.number("auc_amber", g.auc_amber, unit, "e.g. 0.7");
  t.number("auc_red", g.auc_red, unit, "e.g. 0.6");
  t.number("auc_decline_amber", g.auc_decline_amber, p, "a p-value, e.g. 0.05");
  t.number("auc_decline_red", g.auc_decline_red, p, "a p-value, e.g. 0.01");
  t.number("auc_compare_red", g.auc_compare_red, p, "a p-value, e.g. 0.05");
  t.number("herfindahl_amber", g.herfindahl_amber, unit, "e.g. 0.2");
  t.number("herfindahl_red", g.herfindahl_red, unit, "e.g. 0.3");
  t.number("psi_amber", g.psi_amber, {.min = 0}, "e.g. 0.1");
  t.number("psi_red", g.psi_red, {.min = 0}, "e.g. 0.25");
  try {
    g.validate();
  } catch (const UsageError& e) {
    throw UsageError(source + ": " + e.what());
  }
  return g;
}

Gates gates_from_toml(const std::filesystem::path& file) {
  return gates_from_toml_text(read_toml_file(file), file.string());
}

}  // namespace loanrisk::validation
