// The three outcomes of every layer decoder (DESIGN.md "decode/"):
//   ok        the layer decoded cleanly;
//   anomaly   suspicious but decodable: bits were set, the view is filled, decoding continues;
//   malformed the layer could not be decoded: bits were set, upper layers are not attempted.
#pragma once

#include <cstdint>

namespace sigwall {

enum class DecodeStatus : uint8_t { kOk = 0, kAnomaly = 1, kMalformed = 2 };

inline DecodeStatus worst(DecodeStatus a, DecodeStatus b) { return a > b ? a : b; }

}  // namespace sigwall
