// Host/device portability: functions marked TTCG_HD compile for the CPU with any C++ compiler and for both the host
// and the device under nvcc. Headers that kernels include must stay C++17 and free of std:: containers.
#pragma once

#if defined(__CUDACC__)
#define TTCG_HD __host__ __device__
#else
#define TTCG_HD
#endif
