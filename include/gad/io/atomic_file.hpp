#pragma once
// The one way gad writes a whole file: to a temporary sibling, flushed, then renamed over the
// destination, with every system call checked. A crash leaves the previous file; a full disk
// or a read-only folder is an exception naming the file and the reason, never a half-written
// file or a stray temporary one.
#include <gad/core/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

namespace gad::io {

/// Writes `size` bytes to `path` through a temporary file in the same folder, flushed to disk
/// and renamed over `path`, so that `path` holds either its previous content or all of the new
/// one. Every failure (no space, read-only, a missing folder, ...) throws `Error` (a gad
/// exception type) naming `path` and the system's reason, and leaves no temporary file behind.
template <class Error = error>
void write_bytes_atomically(const std::filesystem::path& path, const char* data, std::size_t size) {
  namespace fs = std::filesystem;
  std::random_device entropy;
  const fs::path tmp =
      path.string() + ".tmp-" + std::to_string(entropy()) + std::to_string(entropy());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const auto fail = [&](const std::string& doing, int err) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw Error("cannot write " + path.string() + " (" + doing + "): " + std::strerror(err));
  };
  if (fd < 0) fail("creating " + tmp.filename().string(), errno);
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("writing", errno);
    }
    done += static_cast<std::size_t>(n);
  }
  // Some file systems report a full disk only here.
  if (::fsync(fd) != 0) fail("flushing", errno);
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail("closing", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("moving it into place", errno);
}

/// Removes the temporary files write_bytes_atomically left in `folder` (not its subfolders)
/// when a process was killed inside a write. Call it only while holding the folder's
/// io::folder_lock: then no other run can be writing them. Returns how many it removed.
inline int remove_stale_temporaries(const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto at = name.rfind(".tmp-");
    if (at == std::string::npos || at + 5 == name.size()) continue;
    if (name.find_first_not_of("0123456789", at + 5) != std::string::npos) continue;
    std::error_code gone;
    if (it->is_regular_file(gone) && fs::remove(it->path(), gone)) ++removed;
  }
  return removed;
}

}  // namespace gad::io
