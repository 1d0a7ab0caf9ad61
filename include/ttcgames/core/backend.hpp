// Compute backends. cpu (OpenMP) is always built; cuda when the project is built with nvcc and a device is present.
#pragma once

#include <string>

namespace ttcg {

enum class Backend { cpu, cuda };
enum class BackendRequest { automatic, cpu, cuda };

const char* to_string(Backend backend);
BackendRequest parse_backend_request(const std::string& text);  //!< "auto" | "cpu" | "cuda"

//! True when this build contains the CUDA backend.
bool cuda_built();
//! True when the CUDA backend is built and at least one device is usable. Never throws.
bool cuda_device_available();
//! Description of the device ("NVIDIA H100 80GB HBM3, sm_90") or why none is used.
std::string cuda_device_description();

//! auto → cuda when available (else cpu); cuda without a device is an InputError naming the reason.
Backend resolve_backend(BackendRequest request);

}  // namespace ttcg
