// Named caps on every loop and buffer of the decode path (STYLE.md: hitting a cap is an
// anomaly, counted). Changing one changes the data plane's worst-case work per packet.
#pragma once

#include <cstdint>

namespace sigwall::limits {

inline constexpr unsigned kMaxVlanDepth = 2;             // 802.1ad outer + 802.1Q inner
inline constexpr unsigned kMaxIpv6ExtensionHeaders = 8;
inline constexpr unsigned kMaxSctpChunks = 128;          // chunks walked per packet (above kMaxMessagesPerPacket)
inline constexpr unsigned kMaxMessagesPerPacket = 64;    // SS7 messages produced per packet
inline constexpr unsigned kMaxDigits = 32;               // GT / IMSI / MSISDN digits kept
inline constexpr unsigned kMaxBerDepth = 12;             // nested constructed BER elements
inline constexpr unsigned kMaxComponents = 16;           // TCAP components decoded per message
inline constexpr unsigned kMaxOidBytes = 32;             // application-context / global opcode OID
inline constexpr unsigned kMaxTidBytes = 8;              // transaction id bytes kept (longer: anomaly)
inline constexpr unsigned kMaxArgumentElements = 64;     // elements walked per SEQUENCE (OF) of a MAP/CAP argument
inline constexpr unsigned kMaxAdaptationParameters = 32; // M3UA/SUA parameters walked per message or address
inline constexpr unsigned kMaxSccpOptionalParameters = 16; // SCCP optional-part parameters walked

// SCTP user-message reassembly (B/E fragments).
inline constexpr uint32_t kMaxReassembledMessageBytes = 64 * 1024;
inline constexpr unsigned kMaxFragmentsPerMessage = 64;
inline constexpr unsigned kMaxPendingSctpMessages = 256;  // streams with a message in progress
// SCCP XUDT/LUDT segment reassembly (Q.714 §4.1.1.2: at most 16 segments).
inline constexpr uint32_t kMaxSccpReassembledBytes = 4096;
inline constexpr unsigned kMaxSccpSegments = 16;
inline constexpr unsigned kMaxPendingSccpMessages = 256;
// A partial message older than this (capture or wall time) is discarded and counted.
inline constexpr uint64_t kReassemblyTimeoutNs = 10ull * 1000 * 1000 * 1000;

}  // namespace sigwall::limits
