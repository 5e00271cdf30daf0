#pragma once
// Scoring rules of an encoder-based detector as the run time sees them: by name, for
// all_scores() and options().validation_score, computed together in one pass over the data
// (each batch runs the averaged networks once, for the first rule that needs them).
#include <gad/alad/bigan_networks.hpp>
#include <gad/alad/options.hpp>
#include <gad/alad/score_view.hpp>
#include <gad/core/error.hpp>
#include <gad/detail/module_state.hpp>
#include <gad/policy/scoring.hpp>

#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gad {

/// Scores by rule name ("ch", "l1", "l2", "fm", "egbad-fm", "egbad-ch"), each float32 [N].
using named_scores = std::vector<std::pair<std::string, torch::Tensor>>;

template <class View>
struct bigan_rule {
  const char* name;
  torch::Tensor (*compute)(const View&);
};

template <class S, class View>
bigan_rule<View> bigan_rule_of() {
  return {S::name, [](const View& v) -> torch::Tensor {
            // Without a compute() only bigan_score_rules' static_assert speaks.
            if constexpr (detail::has_compute<S, View>::value) {
              return S::compute(v);
            } else {
              return torch::Tensor();
            }
          }};
}

/// What all_scores() reports: ALAD's four rules with D_xx, EGBAD's two and the reconstruction
/// norms without, and the policy's own rule `Own` where it is none of those (EGBAD's with D_xx,
/// or a rule of the user's).
template <class Own, class View, bool HasDxx>
std::vector<bigan_rule<View>> bigan_all_rules() {
  std::vector<bigan_rule<View>> rules;
  if constexpr (HasDxx) {
    rules = {bigan_rule_of<score::ch, View>(), bigan_rule_of<score::l1, View>(),
             bigan_rule_of<score::l2, View>(), bigan_rule_of<score::fm, View>()};
  } else {
    rules = {bigan_rule_of<score::egbad<score::egbad_term::fm>, View>(),
             bigan_rule_of<score::egbad<score::egbad_term::ch>, View>(),
             bigan_rule_of<score::l1, View>(), bigan_rule_of<score::l2, View>()};
  }
  const std::string own = Own::name;
  if (std::none_of(rules.begin(), rules.end(),
                   [&](const bigan_rule<View>& r) { return own == r.name; })) {
    rules.push_back(bigan_rule_of<Own, View>());
  }
  return rules;
}

/// The rule called `wanted` among `rules`; else gad::invalid_argument, which starts with
/// `where` and lists the names `who` computes.
template <class View>
bigan_rule<View> bigan_rule_named(const std::vector<bigan_rule<View>>& rules,
                                  const std::string& wanted, const std::string& where,
                                  const std::string& who) {
  std::string known;
  for (const bigan_rule<View>& r : rules) {
    if (wanted == r.name) return r;
    known += std::string(known.empty() ? "" : ", ") + r.name;
  }
  throw invalid_argument(where + " '" + wanted + "' is not a rule " + who + " computes (" + known +
                         ")");
}

/// The scores of `rules` on `xs` ([N, input_shape...] on the device), float32 on the CPU, from
/// the averaged networks in eval mode (their previous modes restored), in batches of
/// score_batch_size. `Own` is the detector's rule, checked here for a compute().
template <class Own, class Set, class Norm>
named_scores bigan_score_rules(const bigan_options& o, const c10::Device& device,
                               const bigan_networks<Set, Norm>& n, const torch::Tensor& xs,
                               const std::vector<bigan_rule<bigan_score_view<Set, Norm>>>& rules) {
  using view_type = bigan_score_view<Set, Norm>;
  static_assert(detail::has_compute<Own, view_type>::value,
                "the scoring rule needs `template <class View> static auto compute(const View& "
                "v)`, returning one score per sample of v's batch");
  named_scores out;
  const std::int64_t count = xs.size(0);
  if (count == 0) {
    for (const auto& r : rules) out.emplace_back(r.name, torch::empty({0}, torch::kFloat));
    return out;
  }
  torch::NoGradGuard no_grad;
  detail::mode_scope eval(n.scoring_modules(), false);
  std::vector<std::vector<torch::Tensor>> parts(rules.size());
  const std::int64_t step = o.score_batch_size;
  for (std::int64_t i = 0; i < count; i += step) {
    const view_type view(o, device, n, xs.slice(0, i, std::min(count, i + step)));
    for (std::size_t k = 0; k < rules.size(); ++k) {
      parts[k].push_back(rules[k].compute(view).to(torch::kCPU, torch::kFloat));
    }
  }
  for (std::size_t k = 0; k < rules.size(); ++k) {
    out.emplace_back(rules[k].name, torch::cat(parts[k], 0));
  }
  return out;
}

}  // namespace gad
