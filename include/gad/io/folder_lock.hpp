#pragma once
// One run per output folder. A run that writes into a folder holds an advisory lock on the
// file `.gad.lock` in it (flock, exclusive, never waiting); a second run into the same folder
// fails at once, naming the folder and the holder's process ID, instead of interleaving its
// files with the first run's. The kernel drops the lock when the holder exits, however it
// exits, so a lock left by a killed run never blocks the next one. The lock file itself stays:
// removing it while another run opens it would let two runs lock two different files.
#include <gad/core/error.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace gad::io {

class folder_lock {
 public:
  /// Locks `folder` (which must exist) for this process; throws gad::error when another run
  /// holds it, or when the lock file cannot be opened.
  explicit folder_lock(const std::filesystem::path& folder) : path_(folder / ".gad.lock") {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw error("cannot lock output folder " + folder.string() + ": " + std::strerror(errno));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int why = errno;
      const std::string holder = read_holder();
      ::close(fd_);
      fd_ = -1;
      if (why == EWOULDBLOCK) {
        throw error("output folder " + folder.string() + " is in use by another gad run" +
                    (holder.empty() ? std::string() : " (process " + holder + ")") +
                    "; wait for it to finish or choose another output folder");
      }
      throw error("cannot lock output folder " + folder.string() + ": " + std::strerror(why));
    }
    // Ours now: record who holds it, for the message of a run that finds it taken.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) {
      [[maybe_unused]] const auto written = ::pwrite(fd_, pid.data(), pid.size(), 0);
    }
  }

  folder_lock(const folder_lock&) = delete;
  folder_lock& operator=(const folder_lock&) = delete;
  ~folder_lock() {
    if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the lock
  }

 private:
  std::string read_holder() const {
    std::ifstream in(path_);
    std::string pid;
    std::getline(in, pid);
    return pid;
  }

  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace gad::io
