// Trains gad's ALAD (D_xz, D_xx and D_zz, no spectral norm) for a few epochs on the MNIST
// fixture and writes what the PyTorch mirror needs to replay it step for step
// (tests/parity/alad_parity.py): the training images, the initial state of the five networks,
// their final state and that of the four averaged copies, the seeds of the shuffle and latent
// streams, and every logged loss of every iteration.
//
//   alad_trace OUT.pt
//
// The networks are the reference MNIST ones with every hidden width divided by 8 (the latent
// and the image keep their sizes) and without dropout, whose masks come from a generator the
// mirror cannot share; dropout's own arithmetic is LibTorch's and PyTorch's same kernel.
#include <gad/alad.hpp>
#include <gad/core/random.hpp>

#include <support/fixture.hpp>

#include "trace_writer.hpp"

#include <cstdint>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

using detector_type = gad::alad<gad::norm::none, gad::score::fm, gad::with_dzz>;
constexpr std::int64_t width_divisor = 8;

// Divides every width but the last layer's of the encoder (the latent) and of the generator
// (the image's channels); unflatten's channels follow the dense layer before it.
void narrow(std::vector<gad::nn::layer_spec>& layers, bool keep_last) {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    layers[i].dropout = 0.0;
    if (keep_last && i + 1 == layers.size()) continue;
    layers[i].out /= width_divisor;
  }
}

gad::bigan_options trace_options() {
  gad::bigan_options o = gad::alad_mnist_options();
  auto& a = o.network;
  narrow(a.encoder, true);
  narrow(a.generator, true);
  for (auto* layers : {&a.dxz_x, &a.dxz_z, &a.dxz_joint, &a.dxx, &a.dzz}) narrow(*layers, false);
  // 64 training images, 4 iterations per epoch, 20 in all.
  o.batch_size = 16;
  o.epochs = 5;
  o.runtime.seed = 20261203;
  o.runtime.threads = 1;
  o.runtime.device = "cpu";
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: alad_trace OUT.pt\n";
    return 2;
  }
  try {
    const gad::bigan_options o = trace_options();
    const auto& data = gad_test::algan_fixture();
    detector_type detector(o);
    c10::impl::GenericDict out = gad_trace::new_trace();
    const std::vector<std::pair<std::string, torch::nn::Module*>> nets{
        {"E", detector.encoder().ptr().get()}, {"G", detector.generator().ptr().get()},
        {"D_xz", detector.dxz().ptr().get()},  {"D_xx", detector.dxx().ptr().get()},
        {"D_zz", detector.dzz().ptr().get()},
    };
    const std::vector<std::pair<std::string, torch::nn::Module*>> averages{
        {"E", detector.averaged_encoder().ptr().get()},
        {"G", detector.averaged_generator().ptr().get()},
        {"D_xz", detector.averaged_dxz().ptr().get()},
        {"D_xx", detector.averaged_dxx().ptr().get()},
    };
    // fit() re-draws the same initial weights from the seed's init stream.
    for (const auto& [name, m] : nets) {
      gad_trace::add_state(out, "init/" + name + "/", *m);
      out.insert("order/" + name, gad_trace::state_order(*m));
    }
    gad_trace::loss_recorder losses;
    detector.fit(data.train, nullptr, losses);
    for (const auto& [name, m] : nets) gad_trace::add_state(out, "final/" + name + "/", *m);
    for (const auto& [name, m] : averages) gad_trace::add_state(out, "ema/" + name + "/", *m);

    out.insert("data", data.train.images.contiguous());
    losses.write(out);
    for (const char* s : {"alad/shuffle", "alad/latent"}) {
      out.insert(std::string("seed/") + s,
                 static_cast<std::int64_t>(gad::derive_seed(o.runtime.seed, s)));
    }
    out.insert("width_divisor", width_divisor);
    out.insert("latent_dim", o.network.latent_dim);
    out.insert("batch_size", o.batch_size);
    out.insert("epochs", static_cast<std::int64_t>(o.epochs));
    out.insert("learning_rate", o.learning_rate);
    out.insert("adam_betas", c10::List<double>({o.adam_beta1, o.adam_beta2}));
    out.insert("adam_eps", o.adam_eps);
    out.insert("ema_decay", o.ema_decay);
    gad_trace::write(out, argv[1]);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "alad_trace: " << e.what() << "\n";
    return 1;
  }
}
