// Trains gad's faithful ALGAN loop for a few epochs on the MNIST fixture and writes what the
// PyTorch mirror needs to replay the same run step for step (tests/parity/algan_parity.py):
// the training images, the initial and final state of G and D, the seeds of the four random
// streams the loop draws from, and every logged loss of every iteration.
//
//   algan_trace OUT.pt [--reference-widths]
//
// The default networks are narrow so that the test is fast; --reference-widths keeps the
// reference's (z 100, G 512-1024, D 1024-512), as the authors' own modules need.
//
// The file is a pickled dict (tensors, numbers, the loss names), read by Python's torch.load.
#include <gad/algan.hpp>
#include <gad/core/random.hpp>

#include <support/fixture.hpp>

#include "trace_writer.hpp"

#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

namespace {

// Narrow networks and few epochs keep the test fast; the rest is the reference configuration.
gad::algan_options trace_options(bool reference_widths) {
  gad::algan_options o;
  if (!reference_widths) {
    o.z_dim = 16;
    o.generator_hidden = {64, 128};
    o.discriminator_hidden = {128, 64};
  }
  // The fixture's 64 training zeros give 4 iterations per epoch: 24 in all, over three
  // even epochs (latents redrawn every iteration) and three odd ones (latents kept).
  o.batch_size = 16;
  o.epochs = 6;
  o.runtime.seed = 20261203;
  o.runtime.threads = 1;
  o.runtime.device = "cpu";
  return o;
}

// Stored bit for bit as int64; Python's Generator.manual_seed takes the signed form.
std::int64_t seed_of(const gad::algan_options& o, const char* stream) {
  return static_cast<std::int64_t>(gad::derive_seed(o.runtime.seed, stream));
}

}  // namespace

int main(int argc, char** argv) {
  const bool reference_widths = argc == 3 && std::string(argv[2]) == "--reference-widths";
  if (argc != 2 && !reference_widths) {
    std::cerr << "usage: algan_trace OUT.pt [--reference-widths]\n";
    return 2;
  }
  try {
    const gad::algan_options o = trace_options(reference_widths);
    const auto& data = gad_test::algan_fixture();
    gad::algan<> detector(o);
    c10::impl::GenericDict out = gad_trace::new_trace();
    // fit() re-draws the initial weights from the seed's init stream: the values recorded here
    // are the ones it starts from (the losses of the first step would disagree otherwise).
    gad_trace::add_state(out, "init/G/", *detector.generator());
    gad_trace::add_state(out, "init/D/", *detector.discriminator());
    gad_trace::loss_recorder losses;
    detector.fit(data.train, nullptr, losses);
    gad_trace::add_state(out, "final/G/", *detector.generator());
    gad_trace::add_state(out, "final/D/", *detector.discriminator());

    out.insert("data", data.train.images.reshape({data.train.images.size(0), -1}).contiguous());
    losses.write(out);
    for (const char* s : {"algan/shuffle", "algan/latent", "algan/replay-n", "algan/replay-a"}) {
      out.insert(std::string("seed/") + s, seed_of(o, s));
    }
    out.insert("z_dim", o.z_dim);
    out.insert("batch_size", o.batch_size);
    out.insert("epochs", static_cast<std::int64_t>(o.epochs));
    out.insert("discriminator_steps", static_cast<std::int64_t>(o.discriminator_steps));
    out.insert("replay_capacity", o.replay_capacity());
    out.insert("sigma", o.sigma);
    out.insert("alpha", o.alpha);
    out.insert("xi", o.xi);
    out.insert("generator_lr", o.generator_lr);
    out.insert("discriminator_lr", o.discriminator_lr);
    out.insert("adam_betas", c10::List<double>({o.adam_beta1, o.adam_beta2}));
    out.insert("adam_eps", o.adam_eps);
    out.insert("leaky_relu_slope", o.leaky_relu_slope);

    gad_trace::write(out, argv[1]);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "algan_trace: " << e.what() << "\n";
    return 1;
  }
}
