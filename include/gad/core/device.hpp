#pragma once
// Device choice: CUDA when LibTorch sees a GPU, CPU otherwise, unless the user
// names one. A request that cannot be honoured is an error, not a silent fallback.
#include <gad/core/error.hpp>

#include <c10/core/Device.h>
#include <torch/cuda.h>
#include <torch/types.h>

#include <string>

namespace gad {

/// Parses "auto", "cpu", "cuda" or "cuda:N" into a device usable here.
inline c10::Device select_device(const std::string& spec = "auto") {
  if (spec.empty() || spec == "auto") {
    return torch::cuda::is_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  }
  c10::Device device(c10::kCPU);
  try {
    device = c10::Device(spec);
  } catch (const std::exception&) {
    throw invalid_argument("unknown device '" + spec + "': expected auto, cpu, cuda or cuda:N");
  }
  if (device.is_cuda()) {
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (count == 0) {
      throw invalid_argument("device '" + spec + "' requested but LibTorch sees no CUDA device " +
                             "(this LibTorch may be a CPU-only build)");
    }
    const int index = device.has_index() ? device.index() : 0;
    if (index >= count) {
      throw invalid_argument("device '" + spec + "' requested but only " + std::to_string(count) +
                             " CUDA device(s) exist");
    }
    return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  if (!device.is_cpu()) {
    throw invalid_argument("device '" + spec + "' is not supported: expected cpu or cuda");
  }
  return device;
}

/// Copies a tensor made on the host (latents and shuffles drawn from a CPU generator) to the
/// training device without waiting for the kernels already queued there: a plain copy to a
/// GPU synchronizes its stream, once per draw. The source may be freed right away (CUDA stages
/// pageable memory before the call returns). A no-op on the CPU.
inline torch::Tensor host_to_device(const torch::Tensor& t, const c10::Device& device) {
  return t.to(device, /*non_blocking=*/true);
}

}  // namespace gad
