// Anomaly bits: first-class rule inputs ("drop TCAP with a global opcode"), not only log lines.
// The catalogue lives in anomalies.def so that names, indices and docs come from one list.
#pragma once

#include <cstdint>

namespace sigwall {

enum class Anomaly : uint8_t {
#define X(id, name, description) k##id,
#include "anomalies.def"
#undef X
  kCount
};

static_assert(static_cast<unsigned>(Anomaly::kCount) <= 128, "AnomalySet holds 128 bits");

struct AnomalyInfo {
  const char* name;
  const char* description;
};

inline constexpr AnomalyInfo kAnomalyInfo[] = {
#define X(id, name, description) {name, description},
#include "anomalies.def"
#undef X
};

// 128-bit set; plain data so that it can be copied into event records and tables.
struct AnomalySet {
  uint64_t bits[2] = {0, 0};

  void set(Anomaly a) {
    const unsigned i = static_cast<unsigned>(a);
    bits[i >> 6] |= uint64_t{1} << (i & 63);
  }
  bool has(Anomaly a) const {
    const unsigned i = static_cast<unsigned>(a);
    return (bits[i >> 6] >> (i & 63)) & 1;
  }
  bool any() const { return (bits[0] | bits[1]) != 0; }
  void merge(const AnomalySet& other) {
    bits[0] |= other.bits[0];
    bits[1] |= other.bits[1];
  }
};

inline const char* anomaly_name(Anomaly a) { return kAnomalyInfo[static_cast<unsigned>(a)].name; }

}  // namespace sigwall
