#pragma once
// Exception types thrown by gad. Every error a user can cause (bad files,
// bad shapes, bad hyperparameters) surfaces as one of these with a message
// that names what was expected, never as a crash or a silently wrong number.
#include <stdexcept>
#include <string>

namespace gad {

/// Base of every exception gad throws on purpose.
struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A caller passed an argument outside its documented domain.
struct invalid_argument : error {
  using error::error;
};

/// A data file is missing, unreadable or malformed.
struct data_error : error {
  using error::error;
};

/// Training produced non-finite values or otherwise cannot continue.
struct training_error : error {
  using error::error;
};

/// A checkpoint does not match the detector it is loaded into.
struct checkpoint_error : error {
  using error::error;
};

}  // namespace gad
