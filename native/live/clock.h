// Nanosecond readings of the kernel's clocks, shared by the workers and the backends.
#pragma once

#include <time.h>

#include <cstdint>

namespace sigwall::live {

inline uint64_t clock_ns(clockid_t clock) {
  timespec time{};
  clock_gettime(clock, &time);
  return static_cast<uint64_t>(time.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(time.tv_nsec);
}

}  // namespace sigwall::live
