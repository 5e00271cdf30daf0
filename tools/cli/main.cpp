// gad: train, evaluate, score and inspect GAN anomaly detectors from the command line.
//
//   gad train algan --data data/mnist --out out/algan              # ALGAN, 0 vs 1, reference setup
//   gad train alad --data data/mnist --anomalous 3 --score l2 --dzz --epochs 2
//   gad evaluate --model out/algan/model.gad --data data/mnist
//   gad score --model out/algan/model.gad --images digits-idx3-ubyte.gz --out scores.csv
//   gad inspect out/algan/model.gad
//
// Exit status: 0 success; 1 unusable input, data or model file; 3 training diverged; CLI11's
// own codes (100 and up) for a malformed command line; 2 anything unexpected.
#include "commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

namespace {

using namespace gad_cli;

struct model_flags {
  std::string normalization;
  std::string scoring = "fm";
  std::string latent_shift = "pseudo_anomaly";
  bool dzz = false;
};

std::string joined(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

policy_choice choice_for(const std::string& model, const model_flags& f) {
  if (model == "algan") return {"{D_x}", f.normalization, "neg_logit", f.latent_shift};
  if (model == "alad") {
    return {f.dzz ? "{D_xz, D_xx, D_zz}" : "{D_xz, D_xx}", f.normalization, f.scoring, "none"};
  }
  return {"{D_xz}", f.normalization, "egbad<" + f.scoring + ">", "none"};
}

// One `gad train <model>` subcommand; its option flags write into request.options.
struct train_subcommand {
  CLI::App* app = nullptr;
  std::vector<std::string> fields;
};

void add_output_flags(CLI::App& app, output_flags& out) {
  app.add_flag("--quiet,-q", out.quiet, "no progress output (errors and results only)");
  app.add_flag("--no-plots", out.no_plots, "do not write PNG figures");
}

void add_runtime_overrides(CLI::App& app, model_request& r) {
  app.add_option_function<int>(
         "--threads", [&r](int t) { r.threads = t; },
         "intra-op CPU threads, 0 = all (default: all)")
      ->check(CLI::NonNegativeNumber);
  app.add_option_function<std::string>(
      "--device", [&r](const std::string& d) { r.device = d; },
      "auto, cpu, cuda or cuda:N (default: auto)");
}

void add_model_flag(CLI::App& app, model_request& r) {
  app.add_option("--model,model", r.model_path, "model file written by gad train")
      ->required()
      ->check(CLI::ExistingFile);
}

void add_threshold_flag(CLI::App& app, model_request& r) {
  app.add_option_function<double>(
      "--threshold", [&r](double t) { r.threshold = t; },
      "decide with this threshold instead of the model's");
}

int run_training(train_request& r, const train_subcommand& sub) {
  for (const auto& field : sub.fields) {
    if (sub.app->count(flag_name(field)) > 0) r.given.insert(field);
  }
  command c;
  c.choice = &r.policies;
  c.train = &r;
  for (auto family : {run_algan_family, run_alad_family, run_egbad_family}) {
    if (auto result = family(c)) return *result;
  }
  throw gad::invalid_argument("this build of gad has no " + r.model + " detector with " +
                              r.policies.describe());
}

int run_on_model(const model_request& r) {
  const gad::checkpoint_summary s = gad::inspect_checkpoint(r.model_path);
  command c;
  c.signature = s.policies;
  c.model = &r;
  const auto families =
      s.family == "algan"
          ? std::vector<decltype(&run_algan_family)>{run_algan_family}
          : std::vector<decltype(&run_algan_family)>{run_alad_family, run_egbad_family};
  for (auto family : families) {
    if (auto result = family(c)) return *result;
  }
  throw gad::checkpoint_error(r.model_path + ": this build of gad cannot load detectors with " +
                              s.policies);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gad: GAN-based anomaly detectors (ALGAN, ALAD, EGBAD) on LibTorch"};
  app.require_subcommand(1);
  const std::string command_line = joined(argc, argv);

  // ---- train <model> ----
  CLI::App* train = app.add_subcommand("train", "train a detector, save it and evaluate it");
  train->require_subcommand(1);
  train_request request;
  request.command_line = command_line;
  model_flags policy;
  gad::algan_options algan_options;
  gad::bigan_options alad_options = gad::alad_mnist_options();
  gad::bigan_options egbad_options = gad::egbad_mnist_options();
  std::vector<std::pair<std::string, train_subcommand>> models;
  const auto add_model = [&](const std::string& name, const std::string& what) {
    train_subcommand sub;
    sub.app = train->add_subcommand(name, what);
    add_data_flags(*sub.app, request.data, name == "algan" ? "two-class" : "anomalous-class");
    sub.app->add_option("--out,-o", request.output.dir, "output folder (default out/<model>)");
    add_output_flags(*sub.app, request.output);
    sub.app
        ->add_option("--checkpoint-every", request.checkpoint_every,
                     "write a resumable <out>/checkpoint.gad every this many epochs")
        ->check(CLI::NonNegativeNumber);
    sub.app
        ->add_option("--early-stop", request.early_stop,
                     "stop after this many validations in the selection window without a new "
                     "best (0 = never); the best checkpoint is kept")
        ->check(CLI::NonNegativeNumber);
    sub.app
        ->add_option("--resume", request.resume,
                     "continue the training saved in this checkpoint (its options are used; "
                     "the data flags must be the same)")
        ->check(CLI::ExistingFile);
    return sub;
  };

  train_subcommand algan = add_model("algan", "ALGAN: one discriminator, pseudo-anomalies");
  algan.app->add_option("--normalization", policy.normalization, "spectral or none")
      ->check(CLI::IsMember({"spectral", "none"}))
      ->default_str("spectral");
  algan.app
      ->add_option("--latent-shift", policy.latent_shift,
                   "pseudo_anomaly (ALGAN) or none (the plain-GAN ablation)")
      ->check(CLI::IsMember({"pseudo_anomaly", "none"}))
      ->capture_default_str();
  algan.fields = add_option_flags(*algan.app, algan_options,
                                  [](auto& o, auto&& f) { gad::visit_algan_options(o, f); });

  train_subcommand alad = add_model("alad", "ALAD: D_xz, D_xx and optionally D_zz");
  alad.app->add_option("--normalization", policy.normalization, "spectral or none")
      ->check(CLI::IsMember({"spectral", "none"}))
      ->default_str("none");
  alad.app->add_option("--score", policy.scoring, "scoring rule: fm, ch, l1 or l2")
      ->check(CLI::IsMember({"fm", "ch", "l1", "l2"}))
      ->capture_default_str();
  alad.app->add_flag("--dzz", policy.dzz, "add D_zz and its latent-cycle loss");
  alad.fields = add_option_flags(*alad.app, alad_options,
                                 [](auto& o, auto&& f) { gad::visit_bigan_options(o, f); });

  train_subcommand egbad = add_model("egbad", "EGBAD: D_xz only");
  egbad.app->add_option("--normalization", policy.normalization, "spectral or none")
      ->check(CLI::IsMember({"spectral", "none"}))
      ->default_str("none");
  egbad.app->add_option("--term", policy.scoring, "discriminator term of the score: fm or ch")
      ->check(CLI::IsMember({"fm", "ch"}))
      ->capture_default_str();
  egbad.fields = add_option_flags(*egbad.app, egbad_options,
                                  [](auto& o, auto&& f) { gad::visit_bigan_options(o, f); });

  // ---- evaluate / score / inspect ----
  model_request on_model;
  on_model.command_line = command_line;
  CLI::App* evaluate =
      app.add_subcommand("evaluate", "score a protocol's test set with a saved model");
  add_model_flag(*evaluate, on_model);
  add_data_flags(*evaluate, on_model.data, "two-class for ALGAN models, else anomalous-class");
  evaluate->add_option_function<std::uint64_t>(
      "--seed", [&](std::uint64_t s) { on_model.seed = s; },
      "seed of the split (default: the model's, which reproduces its training split)");
  add_threshold_flag(*evaluate, on_model);
  add_runtime_overrides(*evaluate, on_model);
  evaluate->add_option("--out,-o", on_model.output.dir,
                       "output folder (default: <model folder>/evaluation)");
  add_output_flags(*evaluate, on_model.output);

  CLI::App* score =
      app.add_subcommand("score", "anomaly scores of images (IDX file or folder) or table rows");
  add_model_flag(*score, on_model);
  auto* score_images =
      score
          ->add_option("--images", on_model.images,
                       "IDX image file (raw or .gz), or a folder of PNG/JPEG/BMP files, read as "
                       "the model's training images were (for models trained with --images)")
          ->check(CLI::ExistingPath);
  auto* score_table =
      score
          ->add_option("--csv", on_model.table,
                       "CSV table, read and scaled as the model's training rows were (for "
                       "models trained with --csv); the label column may be left out")
          ->check(CLI::ExistingFile)
          ->excludes(score_images);
  score_images->excludes(score_table);
  score->add_flag("--skip-unreadable", on_model.skip_unreadable,
                  "a folder: leave out files that cannot be decoded instead of failing");
  on_model.scores_file = "scores.csv";
  score->add_option("--out,-o", on_model.scores_file, "CSV file: index,score,prediction")
      ->capture_default_str();
  add_threshold_flag(*score, on_model);
  add_runtime_overrides(*score, on_model);

  CLI::App* inspect = app.add_subcommand("inspect", "print what a model file holds, as JSON");
  add_model_flag(*inspect, on_model);

  CLI11_PARSE(app, argc, argv);

  try {
    if (train->parsed()) {
      for (auto* sub : {&algan, &alad, &egbad}) {
        if (!sub->app->parsed()) continue;
        request.model = sub->app->get_name();
        if (request.output.dir.empty()) request.output.dir = "out/" + request.model;
        if (policy.normalization.empty()) {
          policy.normalization = request.model == "algan" ? "spectral" : "none";
        }
        if (request.model == "algan") request.options = algan_options;
        if (request.model == "alad") request.options = alad_options;
        if (request.model == "egbad") request.options = egbad_options;
        if (request.data.protocol.empty()) {
          request.data.protocol = request.model == "algan" ? "two-class" : "anomalous-class";
        }
        // The convolutional presets of ALAD and EGBAD read 28x28 images.
        if (request.model != "algan" && sub->app->count("--image-size") == 0) {
          request.data.image.size = 28;
        }
        if (!request.data.images.empty() &&
            (request.data.normal >= 0 || request.data.anomalous >= 0)) {
          throw gad::invalid_argument(
              "--normal and --anomalous choose digits of --data; with --images the folders say "
              "what is normal (--normal-class)");
        }
        if (!request.data.table.file.empty() &&
            (request.data.normal >= 0 || request.data.anomalous >= 0 ||
             sub->app->count("--protocol") > 0)) {
          throw gad::invalid_argument(
              "--normal, --anomalous and --protocol cut --data; with --csv the label column "
              "says what is normal (--label-column, --normal-label, --anomalous-label)");
        }
        request.policies = choice_for(request.model, policy);
        return run_training(request, *sub);
      }
    }
    if (evaluate->parsed()) {
      on_model.what = model_request::action::evaluate;
      if (on_model.data.protocol.empty()) {
        on_model.data.protocol = gad::inspect_checkpoint(on_model.model_path).family == "algan"
                                     ? "two-class"
                                     : "anomalous-class";
      }
      if (on_model.output.dir.empty()) {
        on_model.output.dir =
            (std::filesystem::path(on_model.model_path).parent_path() / "evaluation").string();
      }
    } else if (score->parsed()) {
      on_model.what = model_request::action::score;
      if (on_model.images.empty() && on_model.table.empty()) {
        throw gad::invalid_argument("gad score: give --images (IDX file or folder) or --csv");
      }
    } else {
      on_model.what = model_request::action::inspect;
    }
    return run_on_model(on_model);
  } catch (const gad::training_error& e) {
    std::cerr << "gad: " << e.what() << std::endl;
    return 3;
  } catch (const gad::error& e) {
    std::cerr << "gad: " << e.what() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "gad: unexpected error: " << e.what() << std::endl;
    return 2;
  }
}
