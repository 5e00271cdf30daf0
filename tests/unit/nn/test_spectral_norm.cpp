// Spectral normalization: convergence of sigma, gradients against finite differences, buffer
// update semantics, equality with the plain layers, serialization and option checks.
#include <gad/core/error.hpp>
#include <gad/core/random.hpp>
#include <gad/nn/spectral_conv2d.hpp>
#include <gad/nn/spectral_linear.hpp>
#include <gad/nn/spectral_norm.hpp>

#include "support/catch.hpp"
#include <torch/nn/modules/container/sequential.h>
#include <torch/serialize.h>

#include <ATen/Parallel.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <set>
#include <string>

namespace {

namespace F = torch::nn::functional;
using gad::nn::SpectralConv2d;
using gad::nn::SpectralLinear;
using gad::nn::SpectralNormOptions;

void single_thread() { at::set_num_threads(1); }

double top_singular_value(const torch::Tensor& weight) {
  const auto mat = weight.detach().reshape({weight.size(0), -1}).to(torch::kDouble);
  return at::linalg_svdvals(mat)[0].item<double>();
}

bool same(const torch::Tensor& a, const torch::Tensor& b) { return torch::equal(a, b); }

// Manual reference of one PyTorch power-iteration step.
void manual_step(const torch::Tensor& w, torch::Tensor& u, torch::Tensor& v, double eps = 1e-12) {
  v = torch::mv(w.t(), u);
  v = v / v.norm().clamp_min(eps);
  u = torch::mv(w, v);
  u = u / u.norm().clamp_min(eps);
}

// Central differences of `f` with respect to every element of `x` (modified in place and
// restored), in double precision.
torch::Tensor numerical_gradient(const std::function<double()>& f, torch::Tensor x,
                                 double h = 1e-6) {
  torch::NoGradGuard no_grad;
  auto flat = x.view({-1});
  auto grad = torch::zeros_like(flat);
  for (std::int64_t i = 0; i < flat.numel(); ++i) {
    const double orig = flat[i].item<double>();
    flat[i].fill_(orig + h);
    const double plus = f();
    flat[i].fill_(orig - h);
    const double minus = f();
    flat[i].fill_(orig);
    grad[i].fill_((plus - minus) / (2 * h));
  }
  return grad.view_as(x);
}

double max_rel_err(const torch::Tensor& a, const torch::Tensor& b) {
  const double scale = std::max(1.0, b.abs().max().item<double>());
  return (a - b).abs().max().item<double>() / scale;
}

// A smooth scalar loss with nonzero curvature, so wrong gradients cannot cancel out.
torch::Tensor loss_of(const torch::Tensor& out, const torch::Tensor& r) {
  return (out * r).sum() + 0.3 * out.pow(2).sum();
}

std::filesystem::path temp_path(const std::string& stem) {
  return std::filesystem::temp_directory_path() /
         (stem + "_" + std::to_string(reinterpret_cast<std::uintptr_t>(&stem)) + ".pt");
}

}  // namespace

TEST_CASE("spectral norm: registered names and shapes match PyTorch", "[nn][spectral]") {
  single_thread();
  SpectralLinear lin(torch::nn::LinearOptions(12, 16), gad::make_generator(1, "sn"));
  std::set<std::string> params, buffers;
  for (const auto& p : lin->named_parameters()) params.insert(p.key());
  for (const auto& b : lin->named_buffers()) buffers.insert(b.key());
  CHECK(params == std::set<std::string>{"weight_orig", "bias"});
  CHECK(buffers == std::set<std::string>{"weight_u", "weight_v"});
  CHECK(lin->weight_orig.sizes() == torch::IntArrayRef({16, 12}));
  CHECK(lin->weight_u.sizes() == torch::IntArrayRef({16}));
  CHECK(lin->weight_v.sizes() == torch::IntArrayRef({12}));
  CHECK(lin->weight_u.norm().item<double>() == Approx(1.0).epsilon(1e-6));
  CHECK(lin->weight_v.norm().item<double>() == Approx(1.0).epsilon(1e-6));
  CHECK_FALSE(lin->weight_u.requires_grad());

  SpectralLinear nobias(torch::nn::LinearOptions(3, 2).bias(false));
  CHECK(nobias->named_parameters().size() == 1);
  CHECK_FALSE(nobias->bias.defined());

  SpectralConv2d conv(torch::nn::Conv2dOptions(4, 6, {3, 2}).groups(2),
                      gad::make_generator(1, "sn"));
  CHECK(conv->weight_orig.sizes() == torch::IntArrayRef({6, 2, 3, 2}));
  CHECK(conv->weight_u.sizes() == torch::IntArrayRef({6}));
  CHECK(conv->weight_v.sizes() == torch::IntArrayRef({12}));

  // Inside a container the keys are PyTorch's "<index>.weight_orig" etc.
  torch::nn::Sequential seq(SpectralLinear(4, 3));
  std::set<std::string> keys;
  for (const auto& p : seq->named_parameters()) keys.insert(p.key());
  for (const auto& b : seq->named_buffers()) keys.insert(b.key());
  CHECK(keys == std::set<std::string>{"0.weight_orig", "0.bias", "0.weight_u", "0.weight_v"});
}

TEST_CASE("spectral norm: seeded construction is reproducible and matches LibTorch init",
          "[nn][spectral]") {
  single_thread();
  SpectralLinear a(torch::nn::LinearOptions(12, 16), gad::make_generator(7, "d"));
  SpectralLinear b(torch::nn::LinearOptions(12, 16), gad::make_generator(7, "d"));
  SpectralLinear c(torch::nn::LinearOptions(12, 16), gad::make_generator(8, "d"));
  CHECK(same(a->weight_orig, b->weight_orig));
  CHECK(same(a->weight_u, b->weight_u));
  CHECK(same(a->weight_v, b->weight_v));
  CHECK_FALSE(same(a->weight_u, c->weight_u));

  // Without a generator the weight and bias come from the default stream exactly as
  // torch::nn::Linear / Conv2d draw them.
  torch::manual_seed(123);
  torch::nn::Linear plain(12, 16);
  torch::manual_seed(123);
  SpectralLinear sn(12, 16);
  CHECK(torch::allclose(plain->weight, sn->weight_orig, 1e-6, 1e-7));
  CHECK(torch::allclose(plain->bias, sn->bias, 1e-6, 1e-7));

  torch::manual_seed(5);
  torch::nn::Conv2d plain_conv(torch::nn::Conv2dOptions(3, 8, 3));
  torch::manual_seed(5);
  SpectralConv2d sn_conv(3, 8, 3);
  CHECK(torch::allclose(plain_conv->weight, sn_conv->weight_orig, 1e-6, 1e-7));
  CHECK(torch::allclose(plain_conv->bias, sn_conv->bias, 1e-6, 1e-7));
}

TEST_CASE("spectral norm: training forwards drive the spectral norm of weight() to 1",
          "[nn][spectral]") {
  single_thread();
  auto gen = gad::make_generator(2024, "sn-converge");
  SECTION("Linear 12 -> 16") {
    SpectralLinear lin(torch::nn::LinearOptions(12, 16), gen);
    const auto x = torch::randn({4, 12}, gen);
    lin->train();
    for (int i = 0; i < 300; ++i) lin->forward(x);
    CHECK(top_singular_value(lin->weight()) == Approx(1.0).margin(1e-3));
    CHECK(lin->sigma().item<double>() ==
          Approx(top_singular_value(lin->weight_orig)).epsilon(1e-3));
  }
  SECTION("Conv2d 3 -> 8, 3x3") {
    SpectralConv2d conv(torch::nn::Conv2dOptions(3, 8, 3).padding(1), gen);
    const auto x = torch::randn({2, 3, 5, 5}, gen);
    conv->train();
    for (int i = 0; i < 300; ++i) conv->forward(x);
    CHECK(top_singular_value(conv->weight()) == Approx(1.0).margin(1e-3));
  }
}

TEST_CASE("spectral norm: known value for diag(3, 1)", "[nn][spectral]") {
  single_thread();
  SpectralLinear lin(torch::nn::LinearOptions(2, 2).bias(false));
  lin->reset_weight(torch::tensor({{3.0F, 0.0F}, {0.0F, 1.0F}}));
  {
    torch::NoGradGuard no_grad;
    lin->weight_u.copy_(torch::tensor({1.0F, 1.0F}) / std::sqrt(2.0F));
    lin->weight_v.copy_(torch::tensor({1.0F, 1.0F}) / std::sqrt(2.0F));
  }
  // Before any iteration: u . W v = (3 + 1) / 2.
  CHECK(lin->sigma().item<double>() == Approx(2.0).epsilon(1e-6));
  lin->train();
  const auto x = torch::ones({1, 2});
  for (int i = 0; i < 20; ++i) lin->forward(x);
  CHECK(lin->sigma().item<double>() == Approx(3.0).epsilon(1e-6));
  CHECK(torch::allclose(lin->weight(), torch::tensor({{1.0F, 0.0F}, {0.0F, 1.0F / 3.0F}}), 1e-5,
                        1e-6));
  lin->eval();
  CHECK(torch::allclose(lin->forward(x), torch::tensor({{1.0F, 1.0F / 3.0F}}), 1e-5, 1e-6));
}

TEST_CASE("spectral norm: u and v move once per training forward and never in eval",
          "[nn][spectral]") {
  single_thread();
  auto gen = gad::make_generator(3, "sn-iter");
  SpectralLinear lin(torch::nn::LinearOptions(12, 16), gen);
  const auto x = torch::randn({5, 12}, gen);

  lin->eval();
  const auto u0 = lin->weight_u.clone();
  const auto v0 = lin->weight_v.clone();
  lin->forward(x);
  lin->forward(x);
  CHECK(same(lin->weight_u, u0));
  CHECK(same(lin->weight_v, v0));

  lin->train();
  torch::Tensor u = u0.clone();
  torch::Tensor v = v0.clone();
  const auto w = lin->weight_orig.detach();
  for (int call = 0; call < 3; ++call) {
    lin->forward(x);
    manual_step(w, u, v);
    CHECK(torch::allclose(lin->weight_u, u, 1e-6, 1e-7));
    CHECK(torch::allclose(lin->weight_v, v, 1e-6, 1e-7));
  }
  // The buffers are written in place: tensors taken earlier see the new values.
  const auto alias = lin->named_buffers()["weight_u"];
  lin->forward(x);
  CHECK(same(alias, lin->weight_u));

  SECTION("n_power_iterations = 3 runs three steps per call") {
    SpectralLinear multi(torch::nn::LinearOptions(12, 16),
                         SpectralNormOptions().n_power_iterations(3), gen);
    torch::Tensor mu = multi->weight_u.clone();
    torch::Tensor mv = multi->weight_v.clone();
    multi->train();
    multi->forward(x);
    for (int i = 0; i < 3; ++i) manual_step(multi->weight_orig.detach(), mu, mv);
    CHECK(torch::allclose(multi->weight_u, mu, 1e-6, 1e-7));
    CHECK(torch::allclose(multi->weight_v, mv, 1e-6, 1e-7));
  }
  SECTION("Conv2d follows the same rule on the reshaped kernel") {
    SpectralConv2d conv(torch::nn::Conv2dOptions(2, 4, 3), gen);
    const auto cx = torch::randn({1, 2, 6, 6}, gen);
    torch::Tensor cu = conv->weight_u.clone();
    torch::Tensor cv = conv->weight_v.clone();
    conv->eval();
    conv->forward(cx);
    CHECK(same(conv->weight_u, cu));
    conv->train();
    conv->forward(cx);
    manual_step(conv->weight_orig.detach().reshape({4, -1}), cu, cv);
    CHECK(torch::allclose(conv->weight_u, cu, 1e-6, 1e-7));
    CHECK(torch::allclose(conv->weight_v, cv, 1e-6, 1e-7));
  }
}

TEST_CASE("spectral norm: output equals the plain layer with weight W / sigma", "[nn][spectral]") {
  single_thread();
  auto gen = gad::make_generator(4, "sn-plain");
  SECTION("Linear, training and eval") {
    SpectralLinear lin(torch::nn::LinearOptions(12, 16), gen);
    const auto x = torch::randn({5, 12}, gen);
    lin->train();
    const auto y = lin->forward(x);
    const auto w = lin->weight_orig.detach();
    const auto sigma = torch::dot(lin->weight_u, torch::mv(w, lin->weight_v));
    CHECK(torch::allclose(y, F::linear(x, w / sigma, lin->bias), 1e-5, 1e-6));
    lin->eval();
    CHECK(torch::allclose(lin->forward(x), y, 1e-5, 1e-6));
    CHECK(torch::allclose(lin->fold()->forward(x), y, 1e-5, 1e-6));
    // Works on any leading shape, like torch::nn::Linear.
    CHECK(lin->forward(torch::randn({2, 3, 12}, gen)).sizes() == torch::IntArrayRef({2, 3, 16}));
  }
  SECTION("Conv2d with stride, padding, dilation and groups") {
    SpectralConv2d conv(
        torch::nn::Conv2dOptions(4, 6, 3).stride(2).padding(2).dilation(2).groups(2), gen);
    const auto x = torch::randn({2, 4, 9, 9}, gen);
    conv->train();
    const auto y = conv->forward(x);
    const auto w = conv->weight_orig.detach();
    const auto sigma = torch::dot(conv->weight_u, torch::mv(w.reshape({6, -1}), conv->weight_v));
    const auto expected = F::conv2d(
        x, w / sigma,
        F::Conv2dFuncOptions().bias(conv->bias).stride(2).padding(2).dilation(2).groups(2));
    CHECK(torch::allclose(y, expected, 1e-5, 1e-6));
    conv->eval();
    CHECK(torch::allclose(conv->fold()->forward(x), y, 1e-5, 1e-6));
  }
  SECTION("Conv2d padding modes agree with torch::nn::Conv2d") {
    for (const auto& opts :
         {torch::nn::Conv2dOptions(2, 3, 3).padding(1).padding_mode(torch::kCircular),
          torch::nn::Conv2dOptions(2, 3, 3).padding(1).padding_mode(torch::kReflect),
          torch::nn::Conv2dOptions(2, 3, {3, 2}).padding({1, 0}).padding_mode(torch::kReplicate),
          torch::nn::Conv2dOptions(2, 3, 3).padding(torch::kSame).padding_mode(torch::kReflect),
          torch::nn::Conv2dOptions(2, 3, 3).padding(torch::kSame).bias(false)}) {
      SpectralConv2d conv(opts, gen);
      conv->eval();
      const auto x = torch::randn({2, 2, 6, 7}, gen);
      const auto y = conv->forward(x);
      CHECK(y.sizes() == conv->fold()->forward(x).sizes());
      CHECK(torch::allclose(conv->fold()->forward(x), y, 1e-5, 1e-6));
    }
  }
}

TEST_CASE("spectral norm: gradients agree with finite differences (double)", "[nn][spectral]") {
  single_thread();
  auto gen = gad::make_generator(5, "sn-grad");

  SECTION("Linear, eval mode: d/d weight_orig, d/d input, d/d bias") {
    SpectralLinear lin(torch::nn::LinearOptions(6, 5), gen);
    lin->to(torch::kDouble);
    lin->eval();
    auto x = torch::randn({3, 6}, gen).to(torch::kDouble).requires_grad_(true);
    const auto r = torch::randn({3, 5}, gen).to(torch::kDouble);
    loss_of(lin->forward(x), r).backward();
    const auto f = [&] { return loss_of(lin->forward(x), r).item<double>(); };
    CHECK(max_rel_err(lin->weight_orig.grad(), numerical_gradient(f, lin->weight_orig)) < 1e-6);
    CHECK(max_rel_err(x.grad(), numerical_gradient(f, x)) < 1e-6);
    CHECK(max_rel_err(lin->bias.grad(), numerical_gradient(f, lin->bias)) < 1e-6);
  }

  SECTION("Linear, training mode: u and v are constants after the iteration") {
    SpectralLinear lin(torch::nn::LinearOptions(6, 5), gen);
    lin->to(torch::kDouble);
    auto x = torch::randn({3, 6}, gen).to(torch::kDouble).requires_grad_(true);
    const auto r = torch::randn({3, 5}, gen).to(torch::kDouble);
    lin->train();
    loss_of(lin->forward(x), r).backward();
    const auto train_grad = lin->weight_orig.grad().clone();
    const auto train_x_grad = x.grad().clone();
    // With the post-iteration u, v frozen (eval mode), the loss is the function whose exact
    // gradient PyTorch's training step reports.
    lin->eval();
    const auto f = [&] { return loss_of(lin->forward(x), r).item<double>(); };
    CHECK(max_rel_err(train_grad, numerical_gradient(f, lin->weight_orig)) < 1e-6);
    CHECK(max_rel_err(train_x_grad, numerical_gradient(f, x)) < 1e-6);
    lin->zero_grad();
    loss_of(lin->forward(x), r).backward();
    CHECK(torch::allclose(lin->weight_orig.grad(), train_grad, 1e-12, 1e-14));
  }

  SECTION("Conv2d, eval and training mode") {
    SpectralConv2d conv(torch::nn::Conv2dOptions(2, 3, 3).padding(1).stride(2), gen);
    conv->to(torch::kDouble);
    auto x = torch::randn({2, 2, 5, 5}, gen).to(torch::kDouble).requires_grad_(true);
    const auto r = torch::randn({2, 3, 3, 3}, gen).to(torch::kDouble);
    conv->train();
    loss_of(conv->forward(x), r).backward();
    const auto train_grad = conv->weight_orig.grad().clone();
    const auto train_x_grad = x.grad().clone();
    conv->eval();
    const auto f = [&] { return loss_of(conv->forward(x), r).item<double>(); };
    CHECK(max_rel_err(train_grad, numerical_gradient(f, conv->weight_orig)) < 1e-6);
    CHECK(max_rel_err(train_x_grad, numerical_gradient(f, x)) < 1e-6);
  }

  SECTION("a pending backward survives a later training forward") {
    SpectralLinear lin(torch::nn::LinearOptions(6, 5), gen);
    lin->train();
    const auto x = torch::randn({3, 6}, gen);
    auto first = lin->forward(x).sum();
    auto second = lin->forward(x).sum();  // updates u, v in place
    REQUIRE_NOTHROW((first + second).backward());
    CHECK(lin->weight_orig.grad().defined());
  }
}

TEST_CASE("spectral norm: torch::save / torch::load round-trips weights and u, v",
          "[nn][spectral]") {
  single_thread();
  auto gen = gad::make_generator(6, "sn-save");
  SECTION("Linear") {
    SpectralLinear lin(torch::nn::LinearOptions(12, 16), gen);
    const auto x = torch::randn({4, 12}, gen);
    lin->train();
    for (int i = 0; i < 5; ++i) lin->forward(x);
    lin->eval();
    const auto y = lin->forward(x);
    const auto path = temp_path("gad_sn_linear");
    torch::save(lin, path.string());

    SpectralLinear fresh(torch::nn::LinearOptions(12, 16), gad::make_generator(99, "other"));
    CHECK_FALSE(same(fresh->weight_u, lin->weight_u));
    torch::load(fresh, path.string());
    std::filesystem::remove(path);
    CHECK(same(fresh->weight_orig, lin->weight_orig));
    CHECK(same(fresh->bias, lin->bias));
    CHECK(same(fresh->weight_u, lin->weight_u));
    CHECK(same(fresh->weight_v, lin->weight_v));
    fresh->eval();
    CHECK(same(fresh->forward(x), y));
  }
  SECTION("Conv2d without bias") {
    SpectralConv2d conv(torch::nn::Conv2dOptions(3, 4, 3).bias(false), gen);
    const auto x = torch::randn({1, 3, 6, 6}, gen);
    conv->train();
    conv->forward(x);
    conv->eval();
    const auto y = conv->forward(x);
    const auto path = temp_path("gad_sn_conv");
    torch::save(conv, path.string());
    SpectralConv2d fresh(torch::nn::Conv2dOptions(3, 4, 3).bias(false),
                         gad::make_generator(99, "other"));
    torch::load(fresh, path.string());
    std::filesystem::remove(path);
    CHECK(same(fresh->weight_u, conv->weight_u));
    CHECK(same(fresh->weight_v, conv->weight_v));
    fresh->eval();
    CHECK(same(fresh->forward(x), y));
  }
}

TEST_CASE("spectral norm: clone copies state and is independent", "[nn][spectral]") {
  single_thread();
  auto gen = gad::make_generator(8, "sn-clone");
  SpectralLinear lin(torch::nn::LinearOptions(5, 4), gen);
  auto copy = std::dynamic_pointer_cast<gad::nn::SpectralLinearImpl>(lin->clone());
  REQUIRE(copy);
  CHECK(same(copy->weight_orig, lin->weight_orig));
  CHECK(same(copy->weight_u, lin->weight_u));
  const auto u_before = lin->weight_u.clone();
  copy->train();
  copy->forward(torch::randn({2, 5}, gen));
  CHECK(same(lin->weight_u, u_before));
  CHECK_FALSE(same(copy->weight_u, u_before));
}

TEST_CASE("spectral norm: invalid options and inputs throw gad::invalid_argument",
          "[nn][spectral]") {
  single_thread();
  using gad::invalid_argument;
  const auto lin_opts = torch::nn::LinearOptions(3, 2);
  CHECK_THROWS_AS(SpectralLinear(lin_opts, SpectralNormOptions().n_power_iterations(0)),
                  invalid_argument);
  CHECK_THROWS_AS(SpectralLinear(lin_opts, SpectralNormOptions().n_power_iterations(-2)),
                  invalid_argument);
  CHECK_THROWS_AS(SpectralLinear(lin_opts, SpectralNormOptions().eps(0.0)), invalid_argument);
  CHECK_THROWS_AS(SpectralLinear(lin_opts, SpectralNormOptions().eps(-1e-3)), invalid_argument);
  CHECK_THROWS_AS(
      SpectralLinear(lin_opts, SpectralNormOptions().eps(std::numeric_limits<double>::quiet_NaN())),
      invalid_argument);
  CHECK_THROWS_AS(SpectralLinear(0, 2), invalid_argument);
  CHECK_THROWS_AS(SpectralConv2d(torch::nn::Conv2dOptions(2, 2, 3), SpectralNormOptions().eps(0)),
                  invalid_argument);
  CHECK_THROWS_AS(SpectralConv2d(torch::nn::Conv2dOptions(3, 4, 3).groups(2)), invalid_argument);
  CHECK_THROWS_AS(SpectralConv2d(torch::nn::Conv2dOptions(2, 4, 0)), invalid_argument);
  CHECK_THROWS_AS(SpectralConv2d(torch::nn::Conv2dOptions(2, 4, 3).stride(0)), invalid_argument);
  CHECK_THROWS_AS(SpectralConv2d(torch::nn::Conv2dOptions(2, 4, 3).padding(torch::kSame).stride(2)),
                  invalid_argument);

  SpectralLinear lin(3, 2);
  CHECK_THROWS_AS(lin->forward(torch::randn({4, 5})), invalid_argument);
  CHECK_THROWS_AS(lin->reset_weight(torch::zeros({3, 2})), invalid_argument);
  SpectralConv2d conv(2, 4, 3);
  CHECK_THROWS_AS(conv->forward(torch::randn({1, 3, 5, 5})), invalid_argument);
  CHECK_THROWS_AS(conv->forward(torch::randn({5, 5})), invalid_argument);
  CHECK_NOTHROW(SpectralNormOptions().n_power_iterations(1).eps(1e-12));
  CHECK_NOTHROW(gad::nn::check_spectral_norm_options(SpectralNormOptions()));
}

TEST_CASE("spectral norm: weight_orig can be re-initialized after construction", "[nn][spectral]") {
  single_thread();
  SpectralLinear lin(torch::nn::LinearOptions(12, 16), gad::make_generator(9, "sn-init"));
  const auto u = lin->weight_u.clone();
  torch::nn::init::xavier_uniform_(lin->weight_orig);
  const double bound = std::sqrt(6.0 / (12 + 16));
  CHECK(lin->weight_orig.abs().max().item<double>() <= bound);
  CHECK(lin->weight_orig.requires_grad());
  CHECK(same(lin->weight_u, u));
  const auto w = torch::randn({16, 12});
  lin->reset_weight(w);
  CHECK(same(lin->weight_orig.detach(), w));
  CHECK(same(lin->weight_u, u));
}
