#include "ttcgames/core/backend.hpp"

#include "ttcgames/core/cuda_device.hpp"
#include "ttcgames/core/error.hpp"

namespace ttcg {

bool cuda_built() {
#ifdef TTCG_HAVE_CUDA
  return true;
#else
  return false;
#endif
}

const char* to_string(Backend backend) {
  return backend == Backend::cpu ? "cpu" : "cuda";
}

BackendRequest parse_backend_request(const std::string& text) {
  if (text == "auto") return BackendRequest::automatic;
  if (text == "cpu") return BackendRequest::cpu;
  if (text == "cuda") return BackendRequest::cuda;
  throw InputError("backend '" + text + "' is not one of auto, cpu, cuda");
}

bool cuda_device_available() {
  return cuda_built() && cuda::device_count() > 0;
}

std::string cuda_device_description() {
  return cuda::device_description();
}

Backend resolve_backend(BackendRequest request) {
  switch (request) {
    case BackendRequest::cpu:
      return Backend::cpu;
    case BackendRequest::automatic:
      return cuda_device_available() ? Backend::cuda : Backend::cpu;
    case BackendRequest::cuda:
      if (!cuda_device_available())
        throw InputError("--backend cuda: " + cuda_device_description() + "; use --backend cpu or auto");
      return Backend::cuda;
  }
  return Backend::cpu;
}

}  // namespace ttcg
