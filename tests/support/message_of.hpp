#pragma once
// Turns an expected exception into its message, so a test can match the text users will read.
// Free of LibTorch, so the torch-free metrics tests can use it too.
#include <string>

namespace gad_test {

/// The message of the `Error` that `f()` throws, or a marker that matches no expected text
/// when it throws nothing (any other exception propagates and fails the test).
template <class Error, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(the expected exception was not thrown)";
}

}  // namespace gad_test
