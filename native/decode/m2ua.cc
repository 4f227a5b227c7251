#include "m2ua.h"

#include "limits.h"
#include "sigtran_common.h"

namespace sigwall {

namespace {

constexpr uint8_t kVersion = 1;       // RFC 3331 §3.1.1
constexpr uint32_t kHeaderBytes = kSigtranHeaderBytes;  // §3.1: version, spare, class, type, length
constexpr uint32_t kTlvHeaderBytes = 4;

// Message classes and types of RFC 3331 §3.1.3 (the classes M2UA uses of the common list).
constexpr SigtranClassTypes kClassTypes[] = {
    {m2ua_class::kMgmt, 0, 1},   // ERR, NTFY
    {m2ua_class::kAspsm, 1, 6},  // ASPUP, ASPDN, BEAT and their ACKs
    {m2ua_class::kAsptm, 1, 4},  // ASPAC, ASPIA and their ACKs
    {m2ua_class::kMaup, 1, 15},  // DATA, Establish, Release, State, Data Retrieval, Congestion, Data Ack
    {m2ua_class::kIim, 1, 4},    // REG REQ/RSP, DEREG REQ/RSP
};


// Parameter tags (§3.2 common, §3.3.1.1 MAUP DATA).
namespace tag {
constexpr uint16_t kInterfaceIdInteger = 0x0001, kProtocolData1 = 0x0300, kProtocolData2 = 0x0301;
}

}  // namespace

DecodeStatus decode_m2ua(ByteView message, Mtp3Variant variant, M2uaView& out, AnomalySet& anomalies) {
  out = M2uaView{};
  if (!read_sigtran_header(message, out)) {
    anomalies.set(Anomaly::kM2uaTruncated);
    return DecodeStatus::kMalformed;
  }
  if (out.version != kVersion) {
    anomalies.set(Anomaly::kM2uaBadVersion);
    return DecodeStatus::kMalformed;
  }
  // §3.1.4: the length counts the header and the parameters; one SCTP user message is one
  // M2UA message. Longer than the bytes cannot be decoded; shorter leaves trailing bytes.
  DecodeStatus status = DecodeStatus::kOk;
  if (out.length < kHeaderBytes || out.length > message.size) {
    anomalies.set(Anomaly::kM2uaBadLength);
    return DecodeStatus::kMalformed;
  }
  if (out.length != message.size) {
    anomalies.set(Anomaly::kM2uaBadLength);
    status = DecodeStatus::kAnomaly;
  }
  if (!defined_class_and_type(kClassTypes, out.message_class, out.message_type)) {
    anomalies.set(Anomaly::kM2uaUnknownClass);
    status = worst(status, DecodeStatus::kAnomaly);
  }

  // §3.2: Tag (2), Length (2, header included, padding excluded), value, padding to 4.
  Cursor parameters(message.sub(kHeaderBytes, out.length - kHeaderBytes));
  bool has_protocol_data = false;
  for (unsigned count = 0; !parameters.at_end(); ++count) {
    if (count == limits::kMaxAdaptationParameters) {
      anomalies.set(Anomaly::kM2uaBadParameter);
      return DecodeStatus::kMalformed;
    }
    uint16_t parameter_tag, parameter_length;
    ByteView value;
    if (!parameters.read_be16(parameter_tag) || !parameters.read_be16(parameter_length) ||
        parameter_length < kTlvHeaderBytes || !parameters.read_view(parameter_length - kTlvHeaderBytes, value)) {
      anomalies.set(Anomaly::kM2uaBadParameter);
      return DecodeStatus::kMalformed;
    }
    const uint32_t padding = (4 - parameter_length % 4) % 4;
    if (!parameters.skip(padding)) parameters.skip(parameters.remaining());

    switch (parameter_tag) {
      case tag::kInterfaceIdInteger:
        if (value.size != 4) {
          anomalies.set(Anomaly::kM2uaBadParameter);
          status = worst(status, DecodeStatus::kAnomaly);
        } else {
          out.has_interface_id = true;
          Cursor(value).read_be32(out.interface_id);
        }
        break;
      case tag::kProtocolData1:
      case tag::kProtocolData2: {
        if (!out.is_data() || has_protocol_data) {  // one MSU per DATA message (§3.3.1.1)
          anomalies.set(Anomaly::kM2uaBadParameter);
          status = worst(status, DecodeStatus::kAnomaly);
          break;
        }
        has_protocol_data = true;
        ByteView msu = value;
        // Protocol Data 2 (TTC, §3.3.1.1) starts with a priority octet before the SIO.
        if (parameter_tag == tag::kProtocolData2) msu = value.from(1);
        status = worst(status, decode_mtp3(msu, variant, out.route, out.user_data, anomalies));
        break;
      }
      default:
        break;  // other parameters carry nothing screened
    }
  }
  if (out.is_data() && !has_protocol_data) {
    anomalies.set(Anomaly::kM2uaMissingProtocolData);
    status = worst(status, DecodeStatus::kAnomaly);
  }
  return status;
}

}  // namespace sigwall
