#pragma once
// A replay buffer of past generator outputs, as ALGAN's reference code keeps one for
// fake-normal and one for pseudo-anomalous images: showing D fakes from earlier generators
// keeps it from forgetting regions G has moved away from.
//
// Insertion shuffles the incoming batch, appends it and keeps a uniformly random subset of at
// most `capacity` rows; sampling draws rows without replacement. All randomness comes from the
// buffer's own CPU generator, so a seed fixes the buffer's content on every device.
#include <gad/core/device.hpp>
#include <gad/core/error.hpp>

#include <ATen/core/Generator.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

namespace gad {

class replay_buffer {
 public:
  replay_buffer(std::int64_t capacity, at::Generator gen)
      : capacity_(capacity), gen_(std::move(gen)) {
    if (capacity_ <= 0) {
      throw invalid_argument("replay_buffer: capacity must be > 0, got " +
                             std::to_string(capacity_));
    }
  }

  std::int64_t capacity() const noexcept { return capacity_; }
  std::int64_t size() const noexcept { return data_.defined() ? data_.size(0) : 0; }
  bool empty() const noexcept { return size() == 0; }
  /// The stored rows, [size, ...] (undefined while empty).
  const torch::Tensor& data() const noexcept { return data_; }

  /// Adds `batch` ([n, ...], detached and copied) and trims back to capacity at random.
  void insert(const torch::Tensor& batch) {
    if (!batch.defined() || batch.dim() < 1 || batch.size(0) == 0) {
      throw invalid_argument("replay_buffer::insert: expected a non-empty batch [n, ...]");
    }
    if (!empty() && batch.sizes().slice(1) != data_.sizes().slice(1)) {
      throw invalid_argument("replay_buffer::insert: batch rows do not match the stored rows");
    }
    torch::NoGradGuard no_grad;
    const torch::Tensor fresh = batch.detach().index_select(0, permutation(batch.size(0), batch));
    if (empty()) {
      data_ = fresh.size(0) <= capacity_ ? fresh : fresh.slice(0, 0, capacity_);
      return;
    }
    const torch::Tensor pool = torch::cat({data_, fresh}, 0);
    const std::int64_t keep = std::min(pool.size(0), capacity_);
    data_ = pool.index_select(0, permutation(pool.size(0), pool).slice(0, 0, keep));
  }

  /// `n` distinct stored rows chosen uniformly at random (a fresh choice on every call).
  torch::Tensor sample(std::int64_t n) {
    if (n <= 0 || n > size()) {
      throw invalid_argument("replay_buffer::sample: cannot draw " + std::to_string(n) +
                             " distinct rows from a buffer holding " + std::to_string(size()));
    }
    return data_.index_select(0, permutation(size(), data_).slice(0, 0, n));
  }

  void clear() noexcept { data_ = torch::Tensor(); }

  /// The buffer's random stream, saved and restored with it so that a resumed fit samples
  /// what the uninterrupted one would have.
  at::Generator& generator() noexcept { return gen_; }
  const at::Generator& generator() const noexcept { return gen_; }

  /// Replaces the content (a checkpoint's) with `rows` ([n, ...], n <= capacity, or undefined
  /// for an empty buffer).
  void assign(torch::Tensor rows) {
    if (rows.defined() && (rows.dim() < 1 || rows.size(0) > capacity_)) {
      throw invalid_argument("replay_buffer::assign: expected at most " +
                             std::to_string(capacity_) + " rows");
    }
    data_ = rows.defined() && rows.size(0) > 0 ? std::move(rows) : torch::Tensor();
  }

 private:
  // A random permutation from the CPU generator, placed where `like` lives.
  torch::Tensor permutation(std::int64_t n, const torch::Tensor& like) {
    return host_to_device(torch::randperm(n, gen_, torch::TensorOptions().dtype(torch::kLong)),
                          like.device());
  }

  std::int64_t capacity_;
  at::Generator gen_;
  torch::Tensor data_;
};

}  // namespace gad
