// The building blocks of ALAD / EGBAD checked on their own: TF SAME padding, the layer shapes of
// every reference network, spectral-norm placement, initialization, the losses, the moving
// average and the score formulas, each against numbers worked out by hand.
#include <gad/alad/architecture.hpp>
#include <gad/alad/ema.hpp>
#include <gad/alad/layer_stack.hpp>
#include <gad/alad/losses.hpp>
#include <gad/alad/networks.hpp>
#include <gad/alad/presets.hpp>
#include <gad/alad/scores.hpp>
#include <gad/alad/tf_same_padding.hpp>
#include <gad/core/error.hpp>
#include <gad/core/random.hpp>

#include <ATen/Parallel.h>
#include <torch/nn/modules/batchnorm.h>
#include "support/catch.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace {

using gad::nn::layer_spec;
using gad::nn::tf_pad;
using shape = std::vector<std::int64_t>;

shape dims(const torch::Tensor& t) { return shape(t.sizes().begin(), t.sizes().end()); }

const double ln2 = std::log(2.0);

}  // namespace

TEST_CASE("TF SAME padding matches hand-computed pads", "[alad][padding]") {
  using gad::nn::tf_same_padding;
  // pad_total = max((ceil(in / s) - 1) * s + k - in, 0); the odd pixel goes after.
  CHECK(tf_same_padding(28, 4, 2) == tf_pad{1, 1});  // (14 - 1) * 2 + 4 - 28 = 2
  CHECK(tf_same_padding(14, 4, 2) == tf_pad{1, 1});  // 6 * 2 + 4 - 14 = 2
  CHECK(tf_same_padding(7, 4, 2) == tf_pad{1, 2});   // 3 * 2 + 4 - 7 = 3: asymmetric
  CHECK(tf_same_padding(56, 5, 2) == tf_pad{1, 2});  // 27 * 2 + 5 - 56 = 3
  CHECK(tf_same_padding(28, 5, 2) == tf_pad{1, 2});  // 13 * 2 + 5 - 28 = 3
  CHECK(tf_same_padding(14, 5, 2) == tf_pad{1, 2});  // 6 * 2 + 5 - 14 = 3
  CHECK(tf_same_padding(28, 3, 1) == tf_pad{1, 1});
  CHECK(tf_same_padding(28, 3, 2) == tf_pad{0, 1});  // EGBAD's encoder: 13 * 2 + 3 - 28 = 1
  CHECK(tf_same_padding(5, 1, 1) == tf_pad{0, 0});
  CHECK(tf_same_padding(2, 1, 4) == tf_pad{0, 0});  // max(.., 0)
  CHECK(gad::nn::tf_same_output(7, 2) == 4);
  CHECK(gad::nn::tf_valid_output(4, 4, 1) == 1);
  CHECK(gad::nn::tf_same_pad_2d(56, 28, 5, 2) == std::array<std::int64_t, 4>{1, 2, 1, 2});
  CHECK(gad::nn::tf_same_transposed_crop(7, 4, 2) == tf_pad{1, 1});
  CHECK_THROWS_AS(tf_same_padding(0, 3, 1), gad::invalid_argument);
  CHECK_THROWS_AS(gad::nn::tf_valid_output(3, 4, 1), gad::invalid_argument);
}

TEST_CASE("an asymmetric SAME convolution pads bottom/right", "[alad][padding]") {
  at::set_num_threads(1);
  // One 4x4 all-ones kernel, stride 2, on a 7x7 all-ones image: each output counts the real
  // pixels under its window. With pads (1, 2) the top-left window covers rows/cols -1..2
  // (3 x 3 real pixels) and the bottom-right one rows/cols 5..8 (2 x 2).
  gad::nn::LayerStack<gad::norm::none> stack(
      std::vector<layer_spec>{layer_spec::conv_layer(1, 4, 2)}, shape{1, 7, 7}, 0, 1e-3, 0.01,
      "probe");
  REQUIRE(stack->output_shape() == shape{1, 4, 4});
  auto conv = stack->modules(false).at(0)->as<torch::nn::Conv2d>();
  REQUIRE(conv != nullptr);
  {
    torch::NoGradGuard no_grad;
    conv->weight.fill_(1.0);
    conv->bias.zero_();
  }
  const torch::Tensor out = stack->forward(torch::ones({1, 1, 7, 7}));
  CHECK(out[0][0][0][0].item<double>() == 9.0);
  CHECK(out[0][0][3][3].item<double>() == 4.0);
  CHECK(out[0][0][0][3].item<double>() == 6.0);
}

TEST_CASE("ALAD MNIST networks have the reference shapes", "[alad][networks]") {
  at::set_num_threads(1);
  const auto a = gad::nn::alad_mnist_architecture();
  const torch::Tensor x = torch::rand({2, 1, 28, 28}) * 2 - 1;
  const torch::Tensor z = torch::randn({2, 100});

  gad::nn::AladEncoder<gad::norm::none> E(a);
  CHECK(E->stack->layer_output_shape(0) == shape{128, 14, 14});
  CHECK(E->stack->layer_output_shape(1) == shape{256, 7, 7});
  CHECK(E->stack->layer_output_shape(2) == shape{512, 4, 4});  // 7 -> 4, pads (1, 2)
  CHECK(E->stack->layer_output_shape(3) == shape{100, 1, 1});
  CHECK(dims(E(x)) == shape{2, 100});
  CHECK(dims(E(x.reshape({2, 784}))) == shape{2, 100});  // flattened rows are accepted

  gad::nn::AladGenerator G(a);
  CHECK(G->stack->layer_output_shape(1) == shape{6272});
  CHECK(G->stack->layer_output_shape(2) == shape{128, 7, 7});
  CHECK(G->stack->layer_output_shape(3) == shape{128, 14, 14});
  CHECK(G->stack->layer_output_shape(4) == shape{1, 28, 28});
  const torch::Tensor g = G(z);
  CHECK(dims(g) == shape{2, 1, 28, 28});
  CHECK(g.abs().max().item<double>() <= 1.0);  // tanh

  gad::nn::AladDxz<gad::norm::none> Dxz(a);
  CHECK(Dxz->x_stack->output_shape() == shape{512, 4, 4});  // 8192 features
  CHECK(Dxz->z_stack->output_shape() == shape{512});
  const auto dxz = Dxz->forward(x, z);
  CHECK(dims(dxz.logits) == shape{2});
  CHECK(dims(dxz.features) == shape{2, 1024});

  gad::nn::AladDxx<gad::norm::none> Dxx(a);
  CHECK(Dxx->stack->input_shape() == shape{1, 56, 28});  // x stacked above x'
  CHECK(Dxx->stack->layer_output_shape(0) == shape{64, 28, 14});
  CHECK(Dxx->stack->layer_output_shape(1) == shape{128, 14, 7});
  const auto dxx = Dxx->forward(x, g);
  CHECK(dims(dxx.logits) == shape{2});
  CHECK(dims(dxx.features) == shape{2, 12544});

  auto channels = a;
  channels.dxx_merge = gad::nn::pair_merge::channels;
  gad::nn::AladDxx<gad::norm::none> Dxx_c(channels);
  CHECK(Dxx_c->stack->input_shape() == shape{2, 28, 28});
  CHECK(dims(Dxx_c->forward(x, g).features) == shape{2, 128 * 7 * 7});

  gad::nn::AladDzz<gad::norm::none> Dzz(a);
  const auto dzz = Dzz->forward(z, z);
  CHECK(dims(dzz.logits) == shape{2});
  CHECK(dims(dzz.features) == shape{2, 32});

  CHECK_THROWS_AS(E(torch::zeros({2, 1, 32, 32})), gad::invalid_argument);
  CHECK_THROWS_AS(Dxx->forward(x, x.slice(0, 0, 1)), gad::invalid_argument);
}

TEST_CASE("spectral norm wraps exactly the layers the reference normalizes", "[alad][networks]") {
  const auto a = gad::nn::alad_mnist_architecture();
  gad::nn::AladEncoder<gad::norm::spectral> E(a);
  CHECK(E->stack->normalized_count() == 3);  // not the latent projection
  gad::nn::AladDxz<gad::norm::spectral> Dxz(a);
  CHECK(Dxz->x_stack->normalized_count() == 3);
  CHECK(Dxz->z_stack->normalized_count() == 2);
  CHECK(Dxz->joint->normalized_count() == 1);
  gad::nn::AladDxx<gad::norm::spectral> Dxx(a);
  CHECK(Dxx->stack->normalized_count() == 2);
  gad::nn::AladDzz<gad::norm::spectral> Dzz(a);
  CHECK(Dzz->stack->normalized_count() == 2);
  gad::nn::AladEncoder<gad::norm::none> plain(a);
  CHECK(plain->stack->normalized_count() == 0);
  // Logit layers stay plain Linear layers, so the parameter is "weight", not "weight_orig".
  CHECK(Dxx->logit->named_parameters().contains("weight"));
}

TEST_CASE("EGBAD and KDD presets have the reference shapes", "[alad][networks]") {
  at::set_num_threads(1);
  const auto e = gad::nn::egbad_mnist_architecture();
  gad::nn::AladEncoder<gad::norm::none> E(e);
  CHECK(E->stack->layer_output_shape(0) == shape{32, 28, 28});
  CHECK(E->stack->layer_output_shape(1) == shape{64, 14, 14});  // pads (0, 1)
  CHECK(E->stack->layer_output_shape(2) == shape{128, 7, 7});
  const torch::Tensor x = torch::rand({2, 1, 28, 28}) * 2 - 1;
  const torch::Tensor z = E(x);
  CHECK(dims(z) == shape{2, 200});
  gad::nn::AladGenerator G(e);
  CHECK(G->stack->layer_output_shape(3) == shape{64, 14, 14});
  CHECK(dims(G(z)) == shape{2, 1, 28, 28});
  gad::nn::AladDxz<gad::norm::none> D(e);
  CHECK(D->x_stack->output_shape() == shape{64, 7, 7});  // 3136 features
  CHECK(dims(D->forward(x, z).features) == shape{2, 1024});
  CHECK_THROWS_WITH(gad::nn::AladDxx<gad::norm::none>(e),
                    gad_test::contains("EGBAD presets have no D_xx"));
  CHECK(gad::nn::egbad_mnist_architecture(false).encoder[0].act == gad::nn::activation::none);

  const auto k = gad::nn::alad_kdd_architecture(121);
  const torch::Tensor t = torch::randn({3, 121});
  gad::nn::AladEncoder<gad::norm::spectral> Ek(k);
  CHECK(Ek->stack->normalized_count() == 1);
  const torch::Tensor zk = Ek(t);
  CHECK(dims(zk) == shape{3, 32});
  gad::nn::AladGenerator Gk(k);
  CHECK(dims(Gk(zk)) == shape{3, 121});
  gad::nn::AladDxz<gad::norm::none> Dk(k);
  CHECK(dims(Dk->forward(t, zk).features) == shape{3, 128});
  gad::nn::AladDxx<gad::norm::none> Xk(k);
  CHECK(Xk->stack->input_shape() == shape{242});
  CHECK(dims(Xk->forward(t, t).features) == shape{3, 128});
  gad::nn::AladDzz<gad::norm::none> Zk(k);
  CHECK(dims(Zk->forward(zk, zk).features) == shape{3, 32});
}

TEST_CASE("layer tables that cannot work are rejected when built", "[alad][networks]") {
  auto a = gad::nn::alad_mnist_architecture();
  a.generator.back().out = 3;  // 3 x 28 x 28 != 1 x 28 x 28
  CHECK_THROWS_WITH(gad::nn::AladGenerator(a),
                    gad_test::contains("generator") && gad_test::contains("expected [1, 28, 28]"));
  auto b = gad::nn::alad_mnist_architecture();
  b.encoder.back() = layer_spec::conv_layer(64, 4, 1, gad::nn::tf_padding::valid);
  CHECK_THROWS_WITH(gad::nn::AladEncoder<gad::norm::none>(b),
                    gad_test::contains("latent_dim = 100"));
  auto c = gad::nn::alad_mnist_architecture();
  c.generator.erase(c.generator.begin() + 2);  // drop the unflatten before the deconvolutions
  CHECK_THROWS_WITH(gad::nn::AladGenerator(c),
                    gad_test::contains("generator layer 2") && gad_test::contains("unflatten"));
}

TEST_CASE("initialization is N(0, std) with zero biases, drawn from the seed", "[alad][init]") {
  const auto a = gad::nn::alad_mnist_architecture();
  gad::nn::AladDxz<gad::norm::spectral> D(a);
  gad::nn::AladDxz<gad::norm::spectral> D2(a);
  at::Generator g1 = gad::make_generator(7, "init");
  at::Generator g2 = gad::make_generator(7, "init");
  D->initialize(a, g1);
  D2->initialize(a, g2);
  const auto params = D->named_parameters();
  const auto params2 = D2->named_parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    CHECK(torch::equal(params[i].value(), params2[i].value()));
  }
  const torch::Tensor joint_w = D->joint->named_parameters()["layer0.weight_orig"];
  CHECK(joint_w.std().item<double>() == Approx(0.01).epsilon(0.02));
  CHECK(joint_w.mean().item<double>() == Approx(0.0).margin(1e-4));
  CHECK(D->joint->named_parameters()["layer0.bias"].abs().max().item<double>() == 0.0);
  CHECK(D->logit->bias.abs().max().item<double>() == 0.0);
  const torch::Tensor bn_gamma = D->x_stack->named_parameters()["bn1.weight"];
  CHECK(bn_gamma.min().item<double>() == 1.0);
  auto bn = D->x_stack->named_children()["bn1"]->as<torch::nn::BatchNorm2d>();
  REQUIRE(bn != nullptr);
  CHECK(bn->options.eps() == 1e-3);
  CHECK(bn->options.momentum().value() == 0.01);
}

TEST_CASE("losses equal hand-computed binary cross-entropies", "[alad][losses]") {
  namespace L = gad::losses;
  const torch::Tensor zero = torch::zeros({4});
  // Every BCE term on a zero logit is ln 2, whatever the label.
  CHECK(L::pair_discriminator_loss(zero, zero).item<double>() == Approx(2 * ln2));
  CHECK(L::cycle_loss(zero, zero).item<double>() == Approx(2 * ln2));
  const torch::Tensor cycle = L::cycle_loss(zero, zero);
  CHECK(L::bigan_generator_loss(zero, cycle).item<double>() == Approx(3 * ln2));
  CHECK(L::bigan_encoder_loss(zero).item<double>() == Approx(ln2));

  // BCE(l, 1) = ln(1 + e^-l), BCE(l, 0) = ln(1 + e^l), averaged over the batch.
  const torch::Tensor real = torch::tensor({2.0, -1.0});
  const torch::Tensor fake = torch::tensor({0.5, 3.0});
  const auto sp = [](double v) { return std::log1p(std::exp(v)); };
  const double d = (sp(-2.0) + sp(1.0)) / 2 + (sp(0.5) + sp(3.0)) / 2;
  CHECK(L::pair_discriminator_loss(real, fake).item<double>() == Approx(d));
  const double c = (sp(2.0) + sp(-1.0)) / 2 + (sp(-0.5) + sp(-3.0)) / 2;
  CHECK(L::cycle_loss(real, fake).item<double>() == Approx(c));
  CHECK(L::bigan_generator_loss(fake).item<double>() == Approx((sp(-0.5) + sp(-3.0)) / 2));
  CHECK(L::bigan_encoder_loss(real, cycle).item<double>() ==
        Approx((sp(2.0) + sp(-1.0)) / 2 + 2 * ln2));
}

TEST_CASE("one moving-average step by hand", "[alad][ema]") {
  torch::nn::BatchNorm1d source(2);
  torch::nn::BatchNorm1d shadow(2);
  {
    torch::NoGradGuard no_grad;
    shadow->weight.fill_(1.0);
    source->weight.fill_(3.0);
    shadow->bias.fill_(-1.0);
    source->bias.fill_(1.0);
    source->running_mean.fill_(5.0);
  }
  gad::nn::ema_update(*shadow, *source, 0.9);
  // 0.9 * 1 + 0.1 * 3 = 1.2; 0.9 * -1 + 0.1 * 1 = -0.8; buffers copied as they are.
  CHECK(shadow->weight[0].item<double>() == Approx(1.2));
  CHECK(shadow->bias[1].item<double>() == Approx(-0.8));
  CHECK(shadow->running_mean[0].item<double>() == 5.0);
  gad::nn::ema_update(*shadow, *source, 0.9);
  CHECK(shadow->weight[1].item<double>() == Approx(0.9 * 1.2 + 0.3));
  gad::nn::ema_reset(*shadow, *source);
  CHECK(torch::equal(shadow->weight, source->weight));
  torch::nn::BatchNorm1d other(3);
  CHECK_THROWS_AS(gad::nn::ema_reset(*other, *source), gad::invalid_argument);
  CHECK_THROWS_AS(gad::nn::ema_update(*shadow, *source, 1.5), gad::invalid_argument);
}

TEST_CASE("score rules on constructed cases", "[alad][scores]") {
  namespace S = gad::scoring;
  const torch::Tensor x = torch::randn({3, 1, 4, 4});
  CHECK(S::l1(x, x).abs().max().item<double>() == 0.0);  // perfect reconstruction
  CHECK(S::l2(x, x).abs().max().item<double>() == 0.0);

  const torch::Tensor a = torch::zeros({2, 2});
  const torch::Tensor b = torch::tensor({{3.0, -4.0}, {0.0, 1.0}});
  CHECK(S::l1(a, b)[0].item<double>() == Approx(7.0));
  CHECK(S::l2(a, b)[0].item<double>() == Approx(5.0));  // not squared
  CHECK(S::l1(a, b)[1].item<double>() == Approx(1.0));
  CHECK(S::fm(a, b, 1.0)[0].item<double>() == Approx(7.0));
  CHECK(S::fm(a, b, 3.0)[0].item<double>() == Approx(std::cbrt(27.0 + 64.0)));

  // ch = BCE(logit, 1) = softplus(-logit): ln 2 at 0, near 0 for a confident "real".
  const torch::Tensor ch = S::ch(torch::tensor({0.0, 20.0, -3.0}));
  CHECK(ch[0].item<double>() == Approx(ln2));
  CHECK(ch[1].item<double>() == Approx(0.0).margin(1e-8));
  CHECK(ch[2].item<double>() == Approx(std::log1p(std::exp(3.0))));

  // (1 - 0.1) * 7 + 0.1 * 2 = 6.5
  const torch::Tensor eg = S::egbad(a, b, torch::tensor({2.0, 0.0}), 0.1, 1.0);
  CHECK(eg[0].item<double>() == Approx(6.5));
  CHECK(eg[1].item<double>() == Approx(0.9));

  CHECK_THROWS_AS(S::fm(a, b, 0.5), gad::invalid_argument);
  CHECK_THROWS_AS(S::egbad(a, b, torch::zeros({2}), 1.5), gad::invalid_argument);
  CHECK_THROWS_AS(S::l1(a, torch::zeros({2, 3})), gad::invalid_argument);
}

TEST_CASE("image presets follow the image size and channels", "[alad][networks][sizes]") {
  at::set_num_threads(1);
  // 28x28x1 is the reference preset itself, so MNIST models are unchanged.
  CHECK(gad::nn::alad_image_architecture(28, 1).name == "alad-mnist");
  CHECK(gad::nn::egbad_image_architecture(28, 1).name == "egbad-mnist");
  for (const auto& sc :
       std::vector<std::pair<std::int64_t, std::int64_t>>{{32, 3}, {64, 1}, {128, 3}}) {
    const std::int64_t size = sc.first;
    const std::int64_t channels = sc.second;
    CAPTURE(size, channels);
    const torch::Tensor x = torch::rand({2, channels, size, size}) * 2 - 1;
    const auto a = gad::nn::alad_image_architecture(size, channels);
    CHECK(a.name == "alad-image-" + std::to_string(size) + "x" + std::to_string(size) + "x" +
                        std::to_string(channels));
    gad::nn::AladEncoder<gad::norm::none> E(a);
    const torch::Tensor z = E(x);
    CHECK(dims(z) == shape{2, 100});
    gad::nn::AladGenerator G(a);
    CHECK(dims(G(z)) == shape{2, channels, size, size});
    gad::nn::AladDxz<gad::norm::none> D(a);
    CHECK(D->x_stack->output_shape() == shape{512, 4, 4});
    CHECK(dims(D->forward(x, z).features) == shape{2, 1024});
    gad::nn::AladDxx<gad::norm::none> X(a);
    CHECK(X->stack->output_shape()[2] <= 8);  // widths halved down to at most 8
    CHECK(dims(X->forward(x, x).features).size() == 2);

    const auto e = gad::nn::egbad_image_architecture(size, channels);
    gad::nn::AladEncoder<gad::norm::none> Ee(e);
    const torch::Tensor ze = Ee(x);
    CHECK(dims(ze) == shape{2, 200});
    gad::nn::AladGenerator Ge(e);
    CHECK(dims(Ge(ze)) == shape{2, channels, size, size});
    gad::nn::AladDxz<gad::norm::none> De(e);
    CHECK(De->x_stack->output_shape()[1] == 8);
  }
  CHECK_THROWS_WITH(gad::nn::alad_image_architecture(100, 1),
                    gad_test::contains("100 is not") && gad_test::contains("64"));
  // The smallest size: one stride-2 step in each network.
  const auto small = gad::nn::alad_image_architecture(16, 1);
  CHECK(dims(gad::nn::AladGenerator(small)(torch::randn({2, 100}))) == shape{2, 1, 16, 16});
  CHECK_THROWS_WITH(gad::nn::alad_image_architecture(8, 1), gad_test::contains("16 to 1024"));
  CHECK_THROWS_WITH(gad::nn::egbad_image_architecture(64, 2),
                    gad_test::contains("1 or 3 channels") && gad_test::contains("64x64x2"));
}
