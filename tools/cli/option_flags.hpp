#pragma once
// Every field of a detector's options becomes a command-line flag ("batch_size" ->
// --batch-size), from the same field list that checkpoints use (visit_algan_options,
// visit_bigan_options), so a new option is a new flag without touching the tool.
#include <gad/alad/options_io.hpp>
#include <gad/algan/options_io.hpp>
#include <gad/core/error.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace gad_cli {

using json = nlohmann::ordered_json;

/// "batch_size" -> "--batch-size".
inline std::string flag_name(const std::string& field) {
  std::string flag = "--" + field;
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return flag;
}

/// One-line help per option field. A field without an entry stops the tool at start-up (and so
/// fails its smoke tests): an option cannot become an undocumented flag.
inline const std::map<std::string, std::string>& option_help() {
  static const std::map<std::string, std::string> help = {
      {"channels", "image channels (default: taken from the data)"},
      {"height", "image height in pixels (default: taken from the data)"},
      {"width", "image width in pixels (default: taken from the data)"},
      {"z_dim", "latent dimension of the generator"},
      {"architecture",
       "ALGAN networks: mlp (the reference) or conv (DCGAN-like; the widths become channel "
       "counts, by default G 64,32 and D 32,64)"},
      {"generator_hidden", "widths of G's hidden layers, comma separated"},
      {"discriminator_hidden", "widths of D's hidden layers, comma separated"},
      {"leaky_relu_slope", "negative slope of D's LeakyReLU"},
      {"batch_norm_eps", "BatchNorm epsilon in G"},
      {"batch_norm_momentum", "BatchNorm momentum in G"},
      {"epochs", "training epochs"},
      {"batch_size", "samples per iteration"},
      {"generator_lr", "Adam learning rate of G"},
      {"discriminator_lr", "Adam learning rate of D"},
      {"learning_rate", "Adam learning rate of every network"},
      {"adam_beta1", "Adam beta1"},
      {"adam_beta2", "Adam beta2"},
      {"adam_eps", "Adam epsilon"},
      {"discriminator_steps", "D updates per G update"},
      {"resampling", "latent resampling: reference (the authors' schedule) or every-iteration"},
      {"fused_d_forward", "one D call per D step (faster; changes the spectral-norm trajectory)"},
      {"reuse_d_step_fakes",
       "make the fakes once per iteration for all D steps (faster; one BatchNorm update less)"},
      {"compute_precision",
       "float32, or bfloat16 matrix products (faster only on AMX/AVX512-BF16 CPUs and Ampere+ "
       "GPUs)"},
      {"sigma", "standard deviation of the pseudo-anomalous latents"},
      {"alpha", "weight of fake-normal against pseudo-anomalous loss terms"},
      {"xi", "weight of fresh against replay-buffered loss terms"},
      {"buffer_capacity", "images per replay buffer, 0 = twice the batch size"},
      {"ema_decay",
       "decay of the moving average of the scoring networks (ALGAN: 0 = no averaging)"},
      {"degree", "degree of the norms in the fm and EGBAD scores"},
      {"egbad_weight", "EGBAD weight w of the discriminator term"},
      {"validate_every", "validate every this many epochs (when there is a validation set)"},
      {"select_from_epoch",
       "a validation may become the kept checkpoint once this many epochs have run"},
      {"validation_score",
       "ALAD/EGBAD, validation on normals only: the rule whose mean score picks the kept "
       "epoch (default: the model's own)"},
      {"score_batch_size", "samples per forward pass when scoring"},
      {"threshold", "decision threshold on the score (overrides any contamination)"},
      {"contamination", "share of training scores at or above the threshold, in (0, 1)"},
      {"seed", "master seed of every random stream"},
      {"threads", "intra-op CPU threads, 0 = all hardware threads"},
      {"device", "auto, cpu, cuda or cuda:N"},
  };
  return help;
}

inline std::string help_for(const std::string& field) {
  const auto it = option_help().find(field);
  return it == option_help().end() ? std::string() : it->second;
}

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<c10::optional<T>> : std::true_type {};
}  // namespace detail

/// Adds one flag per field of `options` to `app`; the fields are written when the command line
/// is parsed. Returns the names of the fields so a caller can ask app.count(flag_name(...)).
template <class Options, class Visit>
std::vector<std::string> add_option_flags(CLI::App& app, Options& options, Visit visit) {
  std::vector<std::string> fields;
  visit(options, [&](const char* name, auto& field) {
    using T = std::decay_t<decltype(field)>;
    const std::string flag = flag_name(name);
    const std::string help = help_for(name);
    if (help.empty()) {
      throw std::logic_error(std::string("option field '") + name +
                             "' has no help text in tools/cli/option_flags.hpp");
    }
    fields.emplace_back(name);
    if constexpr (std::is_same_v<T, bool>) {
      app.add_flag(flag + ",!--no-" + std::string(flag).substr(2), field, help)
          ->capture_default_str();
    } else if constexpr (std::is_enum_v<T>) {
      using text = gad::io::enum_text<T>;
      app.add_option_function<std::string>(
             flag,
             [&field, flag](const std::string& value) {
               if (!text::from_text(value, field)) {
                 throw CLI::ValidationError(
                     flag, "unknown value '" + value + "' (known: " + text::names() + ")");
               }
             },
             help)
          ->default_str(text::to_text(field));
    } else if constexpr (detail::is_optional<T>::value) {
      app.add_option_function<typename T::value_type>(
             flag, [&field](const typename T::value_type& v) { field = v; }, help)
          ->default_str(field ? std::to_string(*field) : std::string("unset"));
    } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
      app.add_option(flag, field, help)->delimiter(',')->capture_default_str();
    } else {
      app.add_option(flag, field, help)->capture_default_str();
    }
  });
  return fields;
}

/// The options as a JSON object, field by field, for result files.
template <class Options, class Visit>
json options_json(const Options& options, Visit visit) {
  json out = json::object();
  visit(options, [&](const char* name, const auto& field) {
    using T = std::decay_t<decltype(field)>;
    if constexpr (std::is_enum_v<T>) {
      out[name] = gad::io::enum_text<T>::to_text(field);
    } else if constexpr (detail::is_optional<T>::value) {
      out[name] = field ? json(*field) : json(nullptr);
    } else {
      out[name] = field;
    }
  });
  return out;
}

inline json options_json(const gad::algan_options& o) {
  return options_json(o, [](const auto& opts, auto&& f) { gad::visit_algan_options(opts, f); });
}
inline json options_json(const gad::bigan_options& o) {
  json out = options_json(o, [](const auto& opts, auto&& f) { gad::visit_bigan_options(opts, f); });
  out["network"] = o.network.name;
  return out;
}

}  // namespace gad_cli
