#include "m2pa.h"

#include "sigtran_common.h"

namespace sigwall {

namespace {

constexpr uint8_t kVersion = 1;            // RFC 4165 §2.1.1
constexpr uint8_t kClassM2pa = 11;         // §2.1.3
constexpr uint8_t kTypeUserData = 1;       // §2.1.4
constexpr uint8_t kTypeLinkStatus = 2;
constexpr uint32_t kCommonHeaderBytes = kSigtranHeaderBytes;  // §2.1: version, spare, class, type, length
constexpr uint32_t kM2paHeaderBytes = 8;   // §2.2: unused + BSN (24), unused + FSN (24)

}  // namespace

DecodeStatus decode_m2pa(ByteView message, Mtp3Variant variant, M2paView& out, AnomalySet& anomalies) {
  out = M2paView{};
  if (!read_sigtran_header(message, out)) {
    anomalies.set(Anomaly::kM2paTruncated);
    return DecodeStatus::kMalformed;
  }
  if (out.version != kVersion) {
    anomalies.set(Anomaly::kM2paBadVersion);
    return DecodeStatus::kMalformed;
  }
  // §2.1.3: M2PA is message class 11 alone; another class is not an M2PA message at all.
  if (out.message_class != kClassM2pa) {
    anomalies.set(Anomaly::kM2paUnknownClass);
    return DecodeStatus::kMalformed;
  }

  // §2.1.5: the length counts both headers and the message data. One SCTP user message is
  // one M2PA message: longer than the bytes cannot be decoded; shorter leaves trailing
  // bytes a peer might read differently (flagged, the declared message decoded).
  DecodeStatus status = DecodeStatus::kOk;
  if (out.length < kCommonHeaderBytes + kM2paHeaderBytes || out.length > message.size) {
    anomalies.set(message.size < kCommonHeaderBytes + kM2paHeaderBytes ? Anomaly::kM2paTruncated
                                                                       : Anomaly::kM2paBadLength);
    return DecodeStatus::kMalformed;
  }
  if (out.length != message.size) {
    anomalies.set(Anomaly::kM2paBadLength);
    status = DecodeStatus::kAnomaly;
  }

  // §2.2: each sequence number is one unused octet then 24 bits.
  Cursor body(message.sub(kCommonHeaderBytes, out.length - kCommonHeaderBytes));
  uint8_t unused;
  body.read_u8(unused);
  body.read_be24(out.bsn);
  body.read_u8(unused);
  body.read_be24(out.fsn);

  switch (out.message_type) {
    case kTypeUserData: {
      // §2.3.2: an empty User Data message is a bare acknowledgement (no MSU).
      if (body.at_end()) return status;
      // The priority octet: MTP3 message priority in its two most significant bits.
      uint8_t priority;
      body.read_u8(priority);
      out.priority = priority >> 6;
      const DecodeStatus mtp3 = decode_mtp3(body.rest(), variant, out.route, out.user_data, anomalies);
      return worst(status, mtp3);
    }
    case kTypeLinkStatus:
      return status;  // §2.3.1: link state and filler, nothing SS7 to inspect
    default:
      anomalies.set(Anomaly::kM2paUnknownClass);
      return worst(status, DecodeStatus::kAnomaly);
  }
}

}  // namespace sigwall
