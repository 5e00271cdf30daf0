#pragma once
// The one place the tests take their device from: GAD_TEST_DEVICE (cpu, cuda or cuda:N;
// default cpu), so the same assertions run on a GPU machine with GAD_TEST_DEVICE=cuda. A name
// the machine cannot honour fails the tests that train, with gad::select_device's message.
#include <cstdlib>
#include <string>

namespace gad_test {

inline std::string device_name() {
  const char* v = std::getenv("GAD_TEST_DEVICE");
  return v != nullptr && *v != '\0' ? std::string(v) : std::string("cpu");
}

}  // namespace gad_test
