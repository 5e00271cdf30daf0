// The options' field lists are their one declaration: every field there has a help text and a
// unique name, two option sets compare field by field through them, and what a file stores is
// what comes back.
#include <gad/alad.hpp>
#include <gad/algan.hpp>
#include <gad/io/archive.hpp>
#include <gad/io/checkpoint.hpp>

#include "support/fixture.hpp"
#include "support/message_of.hpp"

#include "support/catch.hpp"

#include <cmath>
#include <set>
#include <string>

namespace {

template <class Options, class Visit>
void check_declarations(const Options& o, Visit visit) {
  std::set<std::string> names;
  visit(o, [&](const gad::option_field& f, const auto&) {
    INFO(f.name);
    CHECK(std::string(f.help).size() > 5);
    CHECK(names.insert(f.name).second);
  });
  CHECK(names.size() > 15);
}

}  // namespace

TEST_CASE("every option field is declared with a help text and a unique name", "[io][options]") {
  check_declarations(gad::algan_options{},
                     [](auto& o, auto&& f) { gad::visit_algan_options(o, f); });
  check_declarations(gad::alad_mnist_options(),
                     [](auto& o, auto&& f) { gad::visit_bigan_options(o, f); });
}

TEST_CASE("ALGAN options compare field by field", "[io][options][algan]") {
  const gad::algan_options a;
  gad::algan_options b;
  CHECK(gad::options_equal(a, b));
  CHECK(gad::first_different_option(a, b).empty());

  b.adam_eps = std::nextafter(a.adam_eps, 1.0);  // one ulp: no tolerance
  CHECK(gad::first_different_option(a, b) == "adam_eps");
  b = a;
  b.architecture = gad::algan_architecture::conv;
  CHECK(gad::first_different_option(a, b) == "architecture");
  b = a;
  b.contamination = 0.1;
  CHECK(gad::first_different_option(a, b) == "contamination");
  b = a;
  b.generator_hidden.push_back(8);
  CHECK(gad::first_different_option(a, b) == "generator_hidden");
  b = a;
  b.runtime.device = "cuda:1";
  CHECK_FALSE(gad::options_equal(a, b));
  CHECK(gad::first_different_option(a, b) == "device");
  // The first difference in the list's order is the one named.
  b.epochs = a.epochs + 1;
  CHECK(gad::first_different_option(a, b) == "epochs");
}

TEST_CASE("ALAD options compare field by field, the network included", "[io][options][alad]") {
  const gad::bigan_options a = gad::alad_mnist_options();
  gad::bigan_options b = a;
  CHECK(gad::options_equal(a, b));
  b.validation_score = "l1";
  CHECK(gad::first_different_option(a, b) == "validation_score");
  b = a;
  b.network.latent_dim += 1;
  CHECK(gad::first_different_option(a, b) == "network");
  CHECK_FALSE(gad::options_equal(gad::alad_mnist_options(), gad::egbad_mnist_options()));
}

TEST_CASE("options read back from a file equal the written ones", "[io][options][checkpoint]") {
  gad_test::temp_dir dir;
  gad::algan_options o;
  o.epochs = 3;
  o.ema_decay = 0.99;
  o.contamination = 0.05;
  o.compute_precision = gad::precision::bfloat16;
  o.discriminator_hidden = {32, 16};
  gad::bigan_options p = gad::egbad_mnist_options();
  p.learning_rate = 3e-5;
  p.validation_score = "l2";

  gad::io::output_archive file;
  gad::io::write_options(file, "algan", o);
  gad::io::write_options(file, "bigan", p);
  gad::io::write_atomically(file, dir / "options.gad");
  const gad::io::archive_reader r(dir / "options.gad");
  CHECK(gad::first_different_option(gad::io::read_algan_options(r, "algan"), o).empty());
  CHECK(gad::first_different_option(gad::io::read_bigan_options(r, "bigan"), p).empty());
}

TEST_CASE("validate() checks each field against the domain its declaration names",
          "[io][options]") {
  using gad_test::message_of;
  gad::algan_options o;
  CHECK_NOTHROW(gad::validate(o, true));
  o.epochs = 0;
  CHECK(message_of<gad::invalid_argument>([&] { gad::validate(o, true); }) ==
        "algan_options: epochs must be > 0, got 0");
  o = gad::algan_options{};
  o.ema_decay = 1.0;
  CHECK(message_of<gad::invalid_argument>([&] { gad::validate(o, true); }) ==
        "algan_options: ema_decay must lie in [0, 1) (0 = no averaging), got 1");
  o = gad::algan_options{};
  o.adam_beta2 = std::nan("");
  CHECK(message_of<gad::invalid_argument>([&] { gad::validate(o, true); }).find("adam_beta2") !=
        std::string::npos);
  // The pseudo-anomaly settings are read, and so checked, only with pseudo-anomalies.
  o = gad::algan_options{};
  o.sigma = 0.0;
  CHECK_NOTHROW(gad::validate(o, false));
  CHECK(message_of<gad::invalid_argument>([&] { gad::validate(o, true); }) ==
        "algan_options: sigma must be > 0, got 0");

  gad::bigan_options p = gad::alad_mnist_options();
  CHECK_NOTHROW(gad::validate(p));
  p.learning_rate = -1e-9;  // the shortest exact text, not std::to_string's "-0.000000"
  CHECK(message_of<gad::invalid_argument>([&] { gad::validate(p); }) ==
        "bigan_options: learning_rate must be > 0, got -1e-09");
  p = gad::alad_mnist_options();
  p.degree = 0.5;
  CHECK(message_of<gad::invalid_argument>([&] { gad::validate(p); }) ==
        "bigan_options: degree must be >= 1 (a norm's order), got 0.5");
  p = gad::alad_mnist_options();
  p.contamination = 0.0;
  CHECK(message_of<gad::invalid_argument>([&] { gad::validate(p); }) ==
        "bigan_options: contamination must lie in (0, 1), got 0");
}
