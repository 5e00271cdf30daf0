// One run per output folder: gad::io::folder_lock.
#include <gad/io/folder_lock.hpp>

#include "support/fixture.hpp"
#include "support/message_of.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/catch.hpp"

#include <string>

TEST_CASE("a second run into a locked output folder fails at once, naming the holder",
          "[io][lock]") {
  gad_test::temp_dir dir;
  {
    const gad::io::folder_lock first(dir.path());
    const std::string message =
        gad_test::message_of<gad::error>([&] { gad::io::folder_lock second(dir.path()); });
    CHECK_THAT(message, gad_test::contains(dir.path().string()) &&
                            gad_test::contains("is in use by another gad run") &&
                            gad_test::contains("(process " + std::to_string(::getpid()) + ")"));
  }
  // Released with its owner: the next run locks the folder.
  CHECK_NOTHROW(gad::io::folder_lock(dir.path()));
}

TEST_CASE("a lock left by a run that died does not block the next one", "[io][lock]") {
  gad_test::temp_dir dir;
  const std::string file = (dir / ".gad.lock").string();
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Takes the lock and dies without releasing it (only async-signal-safe calls here).
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT, 0644);
    ::_exit(fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK_NOTHROW(gad::io::folder_lock(dir.path()));
}

TEST_CASE("a folder that cannot hold the lock file is reported, not ignored", "[io][lock]") {
  gad_test::temp_dir dir;
  const std::string message =
      gad_test::message_of<gad::error>([&] { gad::io::folder_lock lock(dir / "missing"); });
  CHECK_THAT(message, gad_test::contains("cannot lock output folder") &&
                          gad_test::contains("No such file or directory"));
}
