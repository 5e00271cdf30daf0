#pragma once
// The validated tensors of one fit() or resume() call, and the checks every family makes on
// them; the family contributes only its own input check (shape, range, device).
#include <gad/core/error.hpp>
#include <gad/data/dataset.hpp>
#include <gad/train/data_fingerprint.hpp>
#include <gad/train/fit_loop.hpp>
#include <gad/train/validation_labels.hpp>

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gad::train {

struct fit_data {
  torch::Tensor x_train;  // as the family's networks take it, on the device
  torch::Tensor x_val;
  std::vector<int> y_val;  // empty when the validation set holds only normals
  bool validation = false;
  /// Of the data as handed to fit() (the training images; the validation images and labels,
  /// empty without a validation set), stored in checkpoints and compared by resume().
  std::string fingerprint;
  std::string validation_fingerprint;
};

/// `prepare(images, what, training_set)` is the family's input check and move to the device;
/// `what` ("training set", "validation set") is for its messages. Then the common checks: a
/// training set of at least one batch, and validation labels as train::validation_labels takes
/// them. `family` prefixes the messages ("ALGAN", "ALAD").
template <class Prepare>
fit_data prepare_fit_data(const std::string& family, const data::dataset& train,
                          const data::dataset* validation, std::int64_t batch, Prepare&& prepare) {
  fit_data d;
  d.x_train = prepare(train.images, "training set", true);
  const std::int64_t n = d.x_train.size(0);
  if (n == 0) throw invalid_argument(family + " fit: the training set is empty");
  if (batch > n) {
    throw invalid_argument(family + " fit: batch_size " + std::to_string(batch) +
                           " is larger than the training set (" + std::to_string(n) +
                           " images); lower batch_size");
  }
  if (validation != nullptr) {
    d.x_val = prepare(validation->images, "validation set", false);
    d.y_val = validation_labels(*validation, d.x_val.size(0), family);
    d.validation = true;
  }
  d.fingerprint = data_fingerprint().add(train.images).hex();
  if (validation != nullptr) {
    d.validation_fingerprint =
        data_fingerprint().add(validation->images).add(validation->labels).hex();
  }
  return d;
}

/// What a fresh fit's loop state takes from its data, the same for every family: the
/// iterations of an epoch (a tail smaller than a batch is dropped, as both references' loaders
/// do) and the fingerprints resume() compares with the data it is handed.
inline void start_loop(loop_state& loop, const fit_data& d, std::int64_t batch_size) {
  loop.report.iterations_per_epoch = d.x_train.size(0) / batch_size;
  loop.data_fingerprint = d.fingerprint;
  loop.validation_fingerprint = d.validation_fingerprint;
}

}  // namespace gad::train
