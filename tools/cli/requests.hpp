#pragma once
// What the command line asked for, after parsing, independent of the detector type that will
// carry it out. main.cpp fills these; the per-family translation units run them.
#include "protocol.hpp"

#include <gad/alad/options.hpp>
#include <gad/algan/options.hpp>

#include <c10/util/Optional.h>

#include <optional>
#include <set>
#include <string>
#include <variant>

namespace gad_cli {

/// The compile-time policies a command selects, by their gad::policy_name texts.
struct policy_choice {
  std::string discriminators;  ///< as in a policy signature, e.g. "{D_xz, D_xx}"
  std::string normalization;
  std::string scoring;
  std::string latent_shift;

  std::string describe() const {
    return "discriminators=" + discriminators + " normalization=" + normalization +
           " scoring=" + scoring + " latent_shift=" + latent_shift;
  }
};

struct output_flags {
  std::string dir;
  bool quiet = false;
  bool no_plots = false;
};

struct train_request {
  std::string model;  ///< algan, alad or egbad
  policy_choice policies;
  std::variant<gad::algan_options, gad::bigan_options> options;
  std::set<std::string> given;  ///< option fields set explicitly on the command line
  data_flags data;
  output_flags output;
  int checkpoint_every = 0;
  int early_stop = 0;  ///< patience in validations; 0 = train every epoch
  std::string resume;
  std::string command_line;
};

/// Commands on a saved model: the checkpoint picks the detector type.
struct model_request {
  enum class action { evaluate, score, inspect };
  action what = action::inspect;
  std::string model_path;
  c10::optional<int> threads;
  c10::optional<std::string> device;
  output_flags output;
  std::string command_line;
  // evaluate
  data_flags data;
  c10::optional<std::uint64_t> seed;  ///< for the split; default: the model's seed
  // score
  std::string images;
  std::string table;  ///< --csv: rows of a table instead of images
  bool skip_unreadable = false;
  std::string scores_file;
  c10::optional<double> threshold;
};

/// Either request, with the policy signature that selects the detector type.
struct command {
  std::string signature;                  ///< from the checkpoint (model commands)
  const policy_choice* choice = nullptr;  ///< from the flags (train)
  const train_request* train = nullptr;
  const model_request* model = nullptr;
};

}  // namespace gad_cli
