// A save that fails half-way (here through the file-size limit, which makes write() fail the
// way a full disk does) is a checkpoint_error naming the file and the system's reason; no
// temporary file is left and the previous file is untouched.
#include <gad/algan.hpp>
#include <gad/io/atomic_file.hpp>
#include <gad/report/csv_loss_log.hpp>
#include <gad/train/callbacks.hpp>

#include "support/fixture.hpp"
#include "support/message_of.hpp"

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "support/catch.hpp"

namespace {
// Lowers this process's file-size limit; SIGXFSZ is ignored so that write() fails with EFBIG
// instead of the signal ending the test.
class file_size_limit {
 public:
  explicit file_size_limit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit lower = saved_;
    lower.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lower);
    previous_ = std::signal(SIGXFSZ, SIG_IGN);
  }
  ~file_size_limit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_);
  }
  file_size_limit(const file_size_limit&) = delete;
  file_size_limit& operator=(const file_size_limit&) = delete;

 private:
  rlimit saved_{};
  void (*previous_)(int) = nullptr;
};

std::string bytes_of(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("a save that runs out of space fails cleanly and keeps the previous file",
          "[io][errors]") {
  gad_test::temp_dir dir;
  gad::algan_options o;
  o.z_dim = 8;
  o.generator_hidden = {16, 32};
  o.discriminator_hidden = {32, 16};
  o.batch_size = 16;
  o.epochs = 1;
  o.runtime.threads = 1;
  o.runtime.device = "cpu";
  gad::algan<> detector(o);
  detector.fit(gad_test::algan_fixture().train);
  const auto path = dir / "model.gad";
  detector.save(path);
  const std::string before = bytes_of(path);
  REQUIRE(before.size() > 4096);

  std::string message;
  {
    const file_size_limit limit(4096);
    message = gad_test::message_of<gad::checkpoint_error>([&] { detector.save(path); });
  }
  CHECK_THAT(message, gad_test::contains("cannot write " + path.string()) &&
                          gad_test::contains("File too large"));
  CHECK(bytes_of(path) == before);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++files;
  }
  CHECK(files == 1);  // no temporary file left
  // The file still loads.
  gad::algan<> loaded(o);
  CHECK_NOTHROW(loaded.load(path));
}

TEST_CASE("temporaries of a write killed half-way are removed by the next run, nothing else",
          "[io][write]") {
  gad_test::temp_dir dir;
  const auto touch = [&](const std::string& name) { std::ofstream(dir / name) << "x"; };
  touch("model.gad.tmp-12345678901234");  // as write_bytes_atomically names them
  touch("summary.json.tmp-42");
  touch("model.gad");
  touch("notes.tmp-draft");  // not one of gad's: the suffix is not a number
  touch("loss_log.csv.partial");
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "sub" / "x.gad.tmp-7") << "x";  // another folder's business
  CHECK(gad::io::remove_stale_temporaries(dir.path()) == 2);
  CHECK_FALSE(std::filesystem::exists(dir / "model.gad.tmp-12345678901234"));
  CHECK_FALSE(std::filesystem::exists(dir / "summary.json.tmp-42"));
  for (const char* kept :
       {"model.gad", "notes.tmp-draft", "loss_log.csv.partial", "sub/x.gad.tmp-7"}) {
    CHECK(std::filesystem::exists(dir / kept));
  }
  CHECK(gad::io::remove_stale_temporaries(dir / "missing") == 0);
}

TEST_CASE("a loss log that runs out of space says why and leaves the earlier log alone",
          "[io][errors]") {
  gad_test::temp_dir dir;
  std::ofstream(dir / "loss_log.csv") << "an earlier run's log\n";
  std::string message;
  {
    gad::report::csv_loss_log log(dir / "loss_log.csv");
    gad::train::iteration_info it;
    it.losses = {{"d", 0.123456789}, {"g", 9.87654321}};
    const file_size_limit limit(4096);
    message = gad_test::message_of<gad::error>([&] {
      for (it.iteration = 0; it.iteration < 100000; ++it.iteration) log.on_iteration_end(it);
    });
  }
  CHECK_THAT(message, gad_test::contains((dir / "loss_log.csv.partial").string()) &&
                          gad_test::contains("File too large"));
  CHECK_FALSE(std::filesystem::exists(dir / "loss_log.csv.partial"));
  CHECK(bytes_of(dir / "loss_log.csv") == "an earlier run's log\n");
}
