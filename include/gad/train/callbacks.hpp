#pragma once
// Training callbacks, in the style of ensmallen: fit() accepts any number of objects and calls
// whichever of these hooks each one defines; none is required.
//
//   on_iteration_end(const iteration_info&)    after every generator update
//   on_epoch_end(const epoch_info&)            after every epoch (before its validation)
//   on_validation(const validation_info&)      after every validation
//   on_checkpoint(const checkpoint_info&)      after every complete epoch and its validation,
//                                              and once more when a fit stops inside an
//                                              epoch, when info.save(path) can write a
//                                              resumable checkpoint (gad/train/checkpoints.hpp)
//   on_train_end(const train_end_info&)        once, after a fit that did not throw
//
// A hook returns void, or bool where true asks the trainer to stop after the current step
// (the best checkpoint is still restored). A stop asked from on_iteration_end ends the fit
// inside its epoch; the checkpoint offered then resumes at the next iteration. Hooks are found at
// compile time, so a callback with a misspelt hook is simply never called: the has_on_* traits
// below let a test assert it.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace gad::train {

/// Losses or other scalars by name, in a fixed order for a given detector.
using named_values = std::vector<std::pair<std::string, double>>;

struct iteration_info {
  int epoch = 0;  ///< 0-based
  int epochs = 0;
  std::int64_t iteration = 0;  ///< 0-based, counted over the whole fit
  std::int64_t iteration_in_epoch = 0;
  std::int64_t iterations_per_epoch = 0;
  named_values losses;  ///< this iteration's values (the last D step's, for D)
};

struct epoch_info {
  int epoch = 0;  ///< 0-based
  int epochs = 0;
  std::int64_t iterations = 0;  ///< iterations finished so far in the fit
  named_values losses;          ///< means over the epoch's iterations
  double epoch_seconds = 0.0;
  double elapsed_seconds = 0.0;  ///< since fit() started, validations included
  double eta_seconds = 0.0;      ///< remaining epochs at the average pace so far
};

struct validation_info {
  int epoch = 0;
  std::string criterion = "AUROC";  ///< what `value` measures (see gad::validation_criterion)
  double value = 0.0;
  bool eligible = false;  ///< late enough to be kept as the best checkpoint
  bool selected = false;  ///< this validation became the best checkpoint
  int best_epoch = -1;    ///< best eligible epoch so far, -1 if none
  double best_value = 0.0;
  double seconds = 0.0;
};

struct checkpoint_info {
  int epoch = 0;  ///< the epoch just finished, or the one stopped inside (0-based)
  int epochs = 0;
  bool improved = false;  ///< this epoch's validation became the best checkpoint
  /// The fit stops here before its last epoch (a callback or a stop_request asked): no later
  /// checkpoint will be offered, so a run that wants to continue later saves now.
  bool stopping = false;
  /// The fit stopped inside `epoch`: save() writes the state after the last iteration run,
  /// and resume() continues with the next one.
  bool inside_epoch = false;
  /// Writes the whole training state (weights, optimizers, random streams, buffers, history)
  /// atomically to a file from which resume() continues exactly as if never interrupted.
  std::function<void(const std::filesystem::path&)> save;
};

struct train_end_info {
  int epochs_run = 0;
  std::int64_t iterations = 0;
  double wall_seconds = 0.0;
  bool stopped_early = false;       ///< a callback asked to stop
  int best_epoch = -1;              ///< epoch whose weights the detector now holds, -1 = the last
  std::string criterion = "AUROC";  ///< what best_value measures
  double best_value = 0.0;
};

// ---- Hook detection -----------------------------------------------------------------------
namespace detail {
// SFINAE-friendly callers: invocable exactly when the callback declares the hook.
inline constexpr auto call_iteration_end =
    [](auto& cb, const iteration_info& i) -> decltype(cb.on_iteration_end(i)) {
  return cb.on_iteration_end(i);
};
inline constexpr auto call_epoch_end = [](auto& cb,
                                          const epoch_info& i) -> decltype(cb.on_epoch_end(i)) {
  return cb.on_epoch_end(i);
};
inline constexpr auto call_validation =
    [](auto& cb, const validation_info& i) -> decltype(cb.on_validation(i)) {
  return cb.on_validation(i);
};
inline constexpr auto call_checkpoint =
    [](auto& cb, const checkpoint_info& i) -> decltype(cb.on_checkpoint(i)) {
  return cb.on_checkpoint(i);
};
inline constexpr auto call_train_end = [](auto& cb,
                                          const train_end_info& i) -> decltype(cb.on_train_end(i)) {
  return cb.on_train_end(i);
};

template <class Caller, class Callback, class Info>
inline constexpr bool has_hook = std::is_invocable_v<Caller, Callback&, const Info&>;

// Calls the hook if present; returns true when it asked training to stop.
template <class Caller, class Callback, class Info>
bool invoke_hook(const Caller& caller, Callback& cb, const Info& info) {
  if constexpr (has_hook<Caller, Callback, Info>) {
    using result = std::invoke_result_t<Caller, Callback&, const Info&>;
    static_assert(std::is_void_v<result> || std::is_convertible_v<result, bool>,
                  "a training callback hook must return void or bool (true = stop training)");
    if constexpr (std::is_void_v<result>) {
      caller(cb, info);
      return false;
    } else {
      return static_cast<bool>(caller(cb, info));
    }
  } else {
    (void)caller;
    (void)cb;
    (void)info;
    return false;
  }
}
}  // namespace detail

template <class C>
inline constexpr bool has_on_iteration_end_v =
    detail::has_hook<decltype(detail::call_iteration_end), std::remove_reference_t<C>,
                     iteration_info>;
template <class C>
inline constexpr bool has_on_epoch_end_v =
    detail::has_hook<decltype(detail::call_epoch_end), std::remove_reference_t<C>, epoch_info>;
template <class C>
inline constexpr bool has_on_validation_v =
    detail::has_hook<decltype(detail::call_validation), std::remove_reference_t<C>,
                     validation_info>;
template <class C>
inline constexpr bool has_on_checkpoint_v =
    detail::has_hook<decltype(detail::call_checkpoint), std::remove_reference_t<C>,
                     checkpoint_info>;
template <class C>
inline constexpr bool has_on_train_end_v =
    detail::has_hook<decltype(detail::call_train_end), std::remove_reference_t<C>, train_end_info>;

/// Calls on_iteration_end on every callback that has it, in the order they were passed to
/// fit() (every one is called, also after one asked to stop); true if any asked to stop.
template <class... Callbacks>
bool notify_iteration_end(const iteration_info& info, Callbacks&... cbs) {
  bool stop = false;
  ((stop = detail::invoke_hook(detail::call_iteration_end, cbs, info) || stop), ...);
  return stop;
}
template <class... Callbacks>
bool notify_epoch_end(const epoch_info& info, Callbacks&... cbs) {
  bool stop = false;
  ((stop = detail::invoke_hook(detail::call_epoch_end, cbs, info) || stop), ...);
  return stop;
}
template <class... Callbacks>
bool notify_validation(const validation_info& info, Callbacks&... cbs) {
  bool stop = false;
  ((stop = detail::invoke_hook(detail::call_validation, cbs, info) || stop), ...);
  return stop;
}
template <class... Callbacks>
bool notify_checkpoint(const checkpoint_info& info, Callbacks&... cbs) {
  bool stop = false;
  ((stop = detail::invoke_hook(detail::call_checkpoint, cbs, info) || stop), ...);
  return stop;
}
template <class... Callbacks>
void notify_train_end(const train_end_info& info, Callbacks&... cbs) {
  (detail::invoke_hook(detail::call_train_end, cbs, info), ...);
}

/// True for a type that defines at least one hook, which is what fit() accepts as a callback.
template <class C>
inline constexpr bool is_callback_v =
    has_on_iteration_end_v<C> || has_on_epoch_end_v<C> || has_on_validation_v<C> ||
    has_on_checkpoint_v<C> || has_on_train_end_v<C>;

/// Pairs values with their names (both in the same order).
inline named_values named(const std::vector<std::string>& names,
                          const std::vector<double>& values) {
  named_values out;
  out.reserve(values.size());
  for (std::size_t i = 0; i < values.size() && i < names.size(); ++i) {
    out.emplace_back(names[i], values[i]);
  }
  return out;
}

}  // namespace gad::train
