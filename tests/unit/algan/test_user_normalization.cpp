// A normalization policy written outside gad: a tag with a name and a specialization of
// gad::nn::normalized that says which layer it builds. Nothing in gad lists it, yet a detector
// takes it, builds only its layers, trains, and saves and loads under its name.
#include <gad/algan.hpp>
#include <gad/nn/normalized_layer.hpp>
#include <gad/policy/signature.hpp>

#include "support/catch.hpp"
#include "support/device.hpp"
#include "support/fixture.hpp"

#include <torch/torch.h>

#include <string>
#include <type_traits>

namespace {

// Each weight row scaled to unit length in the forward pass (a crude relative of weight norm).
struct unit_rows {
  static constexpr const char* name = "unit-rows";
};

class UnitRowLinearImpl : public torch::nn::Cloneable<UnitRowLinearImpl> {
 public:
  explicit UnitRowLinearImpl(torch::nn::LinearOptions o) : options(std::move(o)) { reset(); }
  void reset() override {
    weight =
        register_parameter("weight", torch::randn({options.out_features(), options.in_features()}));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return torch::nn::functional::linear(x, weight / weight.norm(2, {1}, /*keepdim=*/true));
  }
  torch::nn::LinearOptions options;
  torch::Tensor weight;
};
TORCH_MODULE(UnitRowLinear);

}  // namespace

template <>
struct gad::nn::normalized<unit_rows> {
  static constexpr bool changes_layers = true;
  using linear_layer = UnitRowLinear;
  using conv_layer = torch::nn::Conv2d;  // not used by ALGAN's MLP
  template <class Layer>
  static torch::Tensor& weight(Layer& l) {
    return l->weight;
  }
  template <class Layer>
  static void prepare(Layer&, at::Generator&) {}
};

TEST_CASE("a normalization defined outside gad builds ALGAN's hidden layers",
          "[algan][policy][normalization]") {
  using detector = gad::algan<unit_rows>;
  STATIC_REQUIRE(
      std::is_same_v<detector::discriminator_type::ContainedType::hidden_layer, UnitRowLinear>);
  CHECK(gad::policy_signature<detector::policy_type>().find("unit-rows") != std::string::npos);

  gad::algan_options o;
  o.z_dim = 8;
  o.generator_hidden = {16};
  o.discriminator_hidden = {32, 16};
  o.batch_size = 16;
  o.epochs = 2;
  o.runtime = gad::runtime_options{3, 2, gad_test::device_name()};
  detector det(o);
  // Only the policy's layers: no spectral-norm vectors, and the weights are the user's.
  CHECK(det.discriminator()->named_buffers().size() == 0);
  CHECK(det.discriminator()->named_parameters().contains("linear0.weight"));

  const auto& data = gad_test::algan_fixture();
  det.fit(data.train);
  const torch::Tensor scores = det.decision_function(data.test.images);
  CHECK(torch::isfinite(scores).all().item<bool>());

  gad_test::temp_dir dir;
  det.save(dir / "model.gad");
  const auto loaded = gad::load_detector<detector>(dir / "model.gad");
  CHECK(torch::equal(loaded.decision_function(data.test.images), scores));
  // A model of another normalization is refused by name.
  CHECK_THROWS_WITH(gad::load_detector<gad::algan<>>(dir / "model.gad"),
                    gad_test::contains("unit-rows"));
}
