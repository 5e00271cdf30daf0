// ALGAN checkpoints: save/load round trips, refusals of files that do not fit, atomic writes,
// and resume() continuing an interrupted fit bit for bit.
#include <gad/algan.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/train/checkpoints.hpp>

#include "support/callbacks.hpp"
#include "support/device.hpp"
#include "support/fixture.hpp"
#include "support/message_of.hpp"

#include <torch/torch.h>
#include "support/catch.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

using gad_test::algan_fixture;
using gad_test::epochs_seen;
using gad_test::identical;
using gad_test::message_of;
using gad_test::stop_after;

namespace {

gad::algan_options tiny(int epochs = 4) {
  gad::algan_options o;
  o.z_dim = 8;
  o.generator_hidden = {16, 32};
  o.discriminator_hidden = {32, 16};
  o.batch_size = 16;
  o.epochs = epochs;
  o.validate_every = 1;
  o.select_from_epoch = 1;
  o.runtime = gad::runtime_options{7, 2, gad_test::device_name()};
  return o;
}

}  // namespace

TEST_CASE("ALGAN save and load_detector give the same scores and threshold",
          "[io][algan][checkpoint]") {
  gad_test::temp_dir dir;
  const auto& data = algan_fixture();
  gad::algan_options o = tiny(2);
  o.contamination = 0.1;
  gad::algan<> trained(o);
  trained.fit(data.train, &data.validation);
  trained.save(dir / "model.gad");

  const auto summary = gad::inspect_checkpoint(dir / "model.gad");
  CHECK(summary.format_version == gad::checkpoint_format_version);
  CHECK(summary.family == "algan");
  CHECK(summary.policies == gad::algan<>::signature());
  CHECK(summary.fitted);
  CHECK_FALSE(summary.resumable);

  auto loaded = gad::load_detector<gad::algan<>>(dir / "model.gad");
  CHECK(loaded.is_fitted());
  CHECK(loaded.threshold() == trained.threshold());
  CHECK(loaded.options().contamination == o.contamination);
  CHECK(identical(loaded.decision_function(data.test.images),
                  trained.decision_function(data.test.images)));
  // Spectral-norm vectors are buffers and must travel too: eval-mode scores depend on them.
  const auto saved_buffers = trained.discriminator()->named_buffers();
  const auto loaded_buffers = loaded.discriminator()->named_buffers();
  REQUIRE(saved_buffers.size() == 4);  // u and v of two spectral-norm layers
  for (const auto& b : saved_buffers) CHECK(identical(loaded_buffers[b.key()], b.value()));
}

TEST_CASE("ALGAN load refuses other policies, other sizes and damaged files, and changes nothing",
          "[io][algan][checkpoint]") {
  gad_test::temp_dir dir;
  const auto& data = algan_fixture();
  gad::algan<> trained(tiny(1));
  trained.fit(data.train);
  trained.save(dir / "sn.gad");

  gad::algan<gad::norm::none> other_policy(tiny(1));
  CHECK_THAT(
      message_of<gad::checkpoint_error>([&] { other_policy.load(dir / "sn.gad"); }),
      gad_test::contains("normalization=spectral") && gad_test::contains("normalization=none"));

  gad::algan_options wider = tiny(1);
  wider.discriminator_hidden = {48, 16};
  gad::algan<> other_shape(wider);
  other_shape.fit(data.train);
  const torch::Tensor before = other_shape.decision_function(data.test.images);
  CHECK_THAT(message_of<gad::checkpoint_error>([&] { other_shape.load(dir / "sn.gad"); }),
             gad_test::contains("D hidden 32-16") && gad_test::contains("D hidden 48-16"));
  CHECK(identical(other_shape.decision_function(data.test.images), before));
  CHECK(other_shape.options().discriminator_hidden == wider.discriminator_hidden);

  CHECK_THAT(message_of<gad::checkpoint_error>([&] { other_shape.load(dir / "missing.gad"); }),
             gad_test::contains("missing.gad") && gad_test::contains("no such file"));

  // A truncated copy, as a crash of a non-atomic writer would leave.
  const auto size = std::filesystem::file_size(dir / "sn.gad");
  std::filesystem::copy_file(dir / "sn.gad", dir / "cut.gad");
  std::filesystem::resize_file(dir / "cut.gad", size / 2);
  CHECK_THAT(message_of<gad::checkpoint_error>([&] { trained.load(dir / "cut.gad"); }),
             gad_test::contains("cut.gad") && gad_test::contains("corrupt"));
  std::ofstream(dir / "text.gad") << "not a checkpoint\n";
  CHECK_THAT(message_of<gad::checkpoint_error>([&] { trained.load(dir / "text.gad"); }),
             gad_test::contains("text.gad"));
  CHECK(identical(
      trained.decision_function(data.test.images),
      gad::load_detector<gad::algan<>>(dir / "sn.gad").decision_function(data.test.images)));
}

TEST_CASE("ALGAN options written before the newer fields existed still read",
          "[io][algan][checkpoint]") {
  gad_test::temp_dir dir;
  auto o = tiny();
  o.epochs = 9;
  o.reuse_d_step_fakes = true;
  o.compute_precision = gad::precision::bfloat16;
  o.architecture = gad::algan_architecture::conv;
  // A file whose options section lacks the fields in `left_out`.
  const auto read_without = [&](std::initializer_list<std::string> left_out) {
    gad::io::output_archive file;
    gad::io::output_archive options = gad::io::nested_archive(file);
    gad::visit_algan_options(o, [&](const char* name, const auto& v) {
      if (std::find(left_out.begin(), left_out.end(), name) == left_out.end()) {
        gad::io::write_field(options, name, v);
      }
    });
    file.write("options", options);
    gad::io::write_atomically(file, dir / "options.gad");
    return gad::io::read_algan_options(gad::io::archive_reader(dir / "options.gad"), "options");
  };
  const gad::algan_options old = read_without({"reuse_d_step_fakes", "compute_precision"});
  CHECK_FALSE(old.reuse_d_step_fakes);  // the defaults, not the values of `o`
  CHECK(old.compute_precision == gad::precision::float32);
  CHECK(old.epochs == 9);
  CHECK(read_without({}).compute_precision == gad::precision::bfloat16);
  // Files from before the conv networks hold MLPs.
  CHECK(read_without({"architecture"}).architecture == gad::algan_architecture::mlp);
  CHECK(read_without({}).architecture == gad::algan_architecture::conv);
  // Every other field is still required.
  CHECK_THROWS_WITH(read_without({"epochs"}), gad_test::contains("epochs"));
}

TEST_CASE("ALGAN's enumerations read and write by name", "[io][algan][options]") {
  using gad::io::enum_text;
  CHECK(enum_text<gad::latent_resampling>::names() == "reference, every-iteration");
  CHECK(enum_text<gad::algan_architecture>::names() == "mlp, conv");
  CHECK(enum_text<gad::precision>::names() == "float32, bfloat16");
  gad::algan_architecture a = gad::algan_architecture::mlp;
  CHECK(enum_text<gad::algan_architecture>::from_text("conv", a));
  CHECK(a == gad::algan_architecture::conv);
  CHECK_FALSE(enum_text<gad::algan_architecture>::from_text("Conv", a));
  CHECK(a == gad::algan_architecture::conv);  // unchanged by an unknown name
  CHECK(std::string(enum_text<gad::latent_resampling>::to_text(
            gad::latent_resampling::every_iteration)) == "every-iteration");
}

TEST_CASE("ALGAN save is atomic: a failed write leaves no partial file behind",
          "[io][algan][checkpoint]") {
  gad_test::temp_dir dir;
  gad::algan<> d(tiny(1));
  d.fit(algan_fixture().train);
  // The destination is a non-empty folder, so the final rename fails after the data was
  // written: the temporary file must be removed and the folder left as it was.
  std::filesystem::create_directories(dir / "taken" / "inside");
  CHECK_THROWS_AS(d.save(dir / "taken"), gad::checkpoint_error);
  CHECK(std::filesystem::is_directory(dir / "taken" / "inside"));
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);
}

TEST_CASE("ALGAN resume continues an interrupted fit exactly", "[io][algan][checkpoint][resume]") {
  gad_test::temp_dir dir;
  const auto& data = algan_fixture();
  for (auto resampling :
       {gad::latent_resampling::reference, gad::latent_resampling::every_iteration}) {
    gad::algan_options o = tiny(4);
    o.resampling = resampling;
    gad::algan<> whole(o);
    const gad::fit_report expected = whole.fit(data.train, &data.validation);

    // Interrupted after epoch 1 (odd: the reference schedule then carries the last latents
    // into the next epoch), then resumed in a detector that never trained.
    gad::algan<> first(o);
    const gad::fit_report partial =
        first.fit(data.train, &data.validation, gad::train::checkpoint_every{dir / "run.gad", 1},
                  stop_after{1});
    CHECK(partial.epochs_run == 2);
    CHECK(partial.stopped_early);
    const auto summary = gad::inspect_checkpoint(dir / "run.gad");
    CHECK(summary.resumable);
    CHECK(summary.next_epoch == 2);

    gad::algan<> second(o);
    epochs_seen seen;
    const gad::fit_report resumed =
        second.resume(dir / "run.gad", data.train, &data.validation, seen);
    CHECK(seen.epochs == std::vector<int>{2, 3});  // it did not start over
    CHECK(resumed.epochs_run == expected.epochs_run);
    CHECK(resumed.epoch_losses == expected.epoch_losses);
    CHECK(resumed.best_epoch == expected.best_epoch);
    CHECK(resumed.validations.size() == expected.validations.size());
    // The times of the validations before the interruption come back from the file, and the
    // clock goes on from there.
    REQUIRE(partial.validations.size() == 2);
    REQUIRE(resumed.validations.size() == 4);
    for (std::size_t i = 0; i < 2; ++i) {
      CHECK(resumed.validations[i].elapsed_seconds == partial.validations[i].elapsed_seconds);
    }
    for (std::size_t i = 1; i < resumed.validations.size(); ++i) {
      CHECK(resumed.validations[i].elapsed_seconds >= resumed.validations[i - 1].elapsed_seconds);
    }
    CHECK(resumed.validations.back().elapsed_seconds <= resumed.wall_seconds);
    CHECK(gad::seconds_to_best(resumed) ==
          resumed.validations[static_cast<std::size_t>(resumed.best_epoch)].elapsed_seconds);
    CHECK(identical(second.decision_function(data.test.images),
                    whole.decision_function(data.test.images)));
  }
}

TEST_CASE("ALGAN stopped inside an epoch, twice, resumes to the same model file byte for byte",
          "[io][algan][checkpoint][resume][stop]") {
  gad_test::temp_dir dir;
  const auto& data = algan_fixture();
  gad::algan_options o = tiny(4);
  // With weight averaging the averages and the training weights must both come back.
  SECTION("raw weights") {}
  SECTION("with ema_decay") { o.ema_decay = 0.8; }
  gad::algan<> whole(o);
  const gad::fit_report expected = whole.fit(data.train, &data.validation);
  whole.save(dir / "whole.gad");
  const std::int64_t per_epoch = expected.iterations_per_epoch;
  REQUIRE(per_epoch > 3);

  // A stop asked in the middle of epoch 1; the checkpoint writer saves although its
  // period (100 epochs) has not come, because the fit is stopping.
  gad::train::stop_request stop;
  gad::algan<> first(o);
  const gad::fit_report partial =
      first.fit(data.train, &data.validation, gad_test::request_stop_at{&stop, per_epoch + 1}, stop,
                gad::train::checkpoint_every{dir / "run.gad", 100});
  CHECK(partial.stopped_early);
  CHECK(partial.epochs_run == 1);
  CHECK(partial.iterations == per_epoch + 2);
  CHECK(partial.validations.size() == 1);  // no validation of the half epoch
  CHECK(first.is_fitted());                // scores with the best weights selected so far
  const auto summary = gad::inspect_checkpoint(dir / "run.gad");
  CHECK(summary.resumable);
  CHECK(summary.next_epoch == 1);
  CHECK(summary.in_epoch == 2);

  // Resumed, and stopped again inside the same epoch's successor.
  stop.reset();
  gad::algan<> second(o);
  second.resume(dir / "run.gad", data.train, &data.validation,
                gad_test::request_stop_at{&stop, 2 * per_epoch + 1}, stop,
                gad::train::checkpoint_every{dir / "run.gad", 100});
  CHECK(gad::inspect_checkpoint(dir / "run.gad").next_epoch == 2);

  stop.reset();
  gad::algan<> third(o);
  const gad::fit_report resumed = third.resume(dir / "run.gad", data.train, &data.validation);
  CHECK_FALSE(resumed.stopped_early);
  CHECK(resumed.epoch_losses == expected.epoch_losses);
  CHECK(resumed.best_epoch == expected.best_epoch);
  CHECK(resumed.iterations == expected.iterations);
  third.save(dir / "resumed.gad");
  CHECK(gad_test::file_bytes(dir / "resumed.gad") == gad_test::file_bytes(dir / "whole.gad"));
}

TEST_CASE("ALGAN resume refuses a finished model and a different training set",
          "[io][algan][checkpoint][resume]") {
  gad_test::temp_dir dir;
  const auto& data = algan_fixture();
  gad::algan<> d(tiny(2));
  d.fit(data.train, nullptr, gad::train::checkpoint_every{dir / "run.gad", 1}, stop_after{0});
  d.save(dir / "final.gad");
  gad::algan<> other(tiny(2));
  CHECK_THAT(
      message_of<gad::checkpoint_error>([&] { other.resume(dir / "final.gad", data.train); }),
      gad_test::contains("no training state"));
  const gad::data::dataset half{data.train.images.slice(0, 0, 32),
                                data.train.labels.slice(0, 0, 32)};
  CHECK_THAT(message_of<gad::checkpoint_error>([&] { other.resume(dir / "run.gad", half); }),
             gad_test::contains("iterations per epoch"));
  CHECK_FALSE(other.is_fitted());
}

TEST_CASE("ALGAN resume refuses other data of the same size, and takes the same data",
          "[io][algan][checkpoint][resume]") {
  gad_test::temp_dir dir;
  const auto& data = algan_fixture();
  gad::algan<> d(tiny(2));
  d.fit(data.train, &data.validation, gad::train::checkpoint_every{dir / "run.gad", 1},
        stop_after{0});
  // Another class or split seed gives a training set of the same size: before the data
  // fingerprint, such a resume continued on it without a word.
  const gad::data::dataset reordered{data.train.images.flip({0}), data.train.labels};
  gad::data::dataset dimmer = data.validation;
  dimmer.images = data.validation.images * 0.5;
  gad::algan<> other(tiny(2));
  CHECK_THAT(message_of<gad::checkpoint_error>(
                 [&] { other.resume(dir / "run.gad", reordered, &data.validation); }),
             gad_test::contains("other data than the training set"));
  CHECK_THAT(
      message_of<gad::checkpoint_error>([&] { other.resume(dir / "run.gad", data.train, &dimmer); }),
      gad_test::contains("other data than the validation set"));
  CHECK_FALSE(other.is_fitted());
  // Without a validation set the recorded history is kept, so there is nothing to compare.
  gad::algan<> plain(tiny(2));
  plain.resume(dir / "run.gad", data.train);
  CHECK(plain.is_fitted());
  other.resume(dir / "run.gad", data.train, &data.validation);
  CHECK(other.is_fitted());
}

TEST_CASE("best_checkpoint keeps the weights fit() ends with", "[io][algan][checkpoint]") {
  gad_test::temp_dir dir;
  const auto& data = algan_fixture();
  gad::algan<> d(tiny(4));
  const gad::fit_report r =
      d.fit(data.train, &data.validation, gad::train::best_checkpoint{dir / "best.gad"});
  REQUIRE(r.best_epoch >= 0);
  const auto best = gad::load_detector<gad::algan<>>(dir / "best.gad");
  CHECK(identical(best.decision_function(data.test.images), d.decision_function(data.test.images)));
}

namespace {
// Turns D's first weight into NaN at the start of `epoch`, as an exploding update would.
struct poison_at_epoch {
  gad::algan<>* detector;
  int epoch;
  void on_iteration_end(const gad::train::iteration_info& it) const {
    if (it.epoch != epoch || it.iteration_in_epoch != 0) return;
    torch::NoGradGuard no_grad;
    detector->discriminator()->parameters().front().fill_(std::numeric_limits<float>::quiet_NaN());
  }
};
}  // namespace

TEST_CASE("a run that diverges keeps its last good checkpoint, which resumes cleanly",
          "[io][algan][checkpoint][errors]") {
  gad_test::temp_dir dir;
  const auto& data = algan_fixture();
  const gad::algan_options o = tiny(3);
  gad::algan<> whole(o);
  whole.fit(data.train, &data.validation);

  gad::algan<> diverging(o);
  const auto path = dir / "run.gad";
  std::string message;
  try {
    diverging.fit(data.train, &data.validation, gad::train::checkpoint_every{path, 1},
                  poison_at_epoch{&diverging, 1});
  } catch (const gad::training_error& e) {
    message = e.what();
  }
  // Stopped in the very next iteration, saying where, before epoch 1 could overwrite the file.
  CHECK_THAT(message, gad_test::contains("diverged") && gad_test::contains("epoch 1") &&
                          gad_test::contains("iteration 1"));
  const auto summary = gad::inspect_checkpoint(path);
  CHECK(summary.resumable);
  CHECK(summary.next_epoch == 1);
  CHECK_FALSE(std::filesystem::exists(path.string() + ".tmp"));

  // The kept state is the healthy epoch 0: resuming it ends exactly where the clean run did.
  gad::algan<> resumed(o);
  resumed.resume(path, data.train, &data.validation);
  CHECK(identical(resumed.decision_function(data.test.images),
                  whole.decision_function(data.test.images)));
}
