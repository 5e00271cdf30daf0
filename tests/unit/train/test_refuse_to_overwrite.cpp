// The guard both MNIST tools and the gad CLI put in front of a checkpointing fit: an existing
// checkpoint may only be continued, never silently replaced by a fresh run.
#include <gad/train/checkpoints.hpp>

#include "support/fixture.hpp"

#include "support/catch.hpp"

#include <fstream>

TEST_CASE("refuse_to_overwrite lets a fresh run start and a resume continue",
          "[train][checkpoint]") {
  gad_test::temp_dir dir;
  const auto file = dir / "checkpoint.gad";
  CHECK_NOTHROW(gad::train::refuse_to_overwrite(file));  // nothing there yet
  std::ofstream(file) << "hours of training";
  CHECK_THROWS_AS(gad::train::refuse_to_overwrite(file), gad::invalid_argument);
  CHECK_THROWS_WITH(gad::train::refuse_to_overwrite(file),
                    gad_test::contains("exists: continue it with --resume " + file.string()));
  // Resuming that very file (under another spelling of its path) is allowed...
  CHECK_NOTHROW(gad::train::refuse_to_overwrite(file, dir.path() / "." / "checkpoint.gad"));
  // ...resuming another one is not.
  std::ofstream(dir / "other.gad") << "another run";
  CHECK_THROWS_AS(gad::train::refuse_to_overwrite(file, dir / "other.gad"), gad::invalid_argument);
}

TEST_CASE("resumes_checkpoint tells a run continuing its own checkpoint from any other",
          "[train][checkpoint]") {
  gad_test::temp_dir dir;
  const auto file = dir / "checkpoint.gad";
  CHECK_FALSE(gad::train::resumes_checkpoint(file, {}));
  CHECK_FALSE(gad::train::resumes_checkpoint(file, file));  // nothing written yet
  std::ofstream(file) << "hours of training";
  CHECK_FALSE(gad::train::resumes_checkpoint(file, {}));  // a fresh run
  CHECK(gad::train::resumes_checkpoint(file, file));
  CHECK(gad::train::resumes_checkpoint(file, dir.path() / "." / "checkpoint.gad"));
  std::ofstream(dir / "other.gad") << "another run";
  CHECK_FALSE(gad::train::resumes_checkpoint(file, dir / "other.gad"));
  CHECK_FALSE(gad::train::resumes_checkpoint(file, dir / "missing.gad"));
}
