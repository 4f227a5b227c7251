#include "m3ua.h"

#include "limits.h"
#include "sigtran_common.h"

namespace sigwall {

namespace {

constexpr uint8_t kVersion = 1;        // RFC 4666 §3.1.1
constexpr uint32_t kHeaderBytes = kSigtranHeaderBytes;  // §3.1: version, reserved, class, type, length
constexpr uint32_t kTlvHeaderBytes = 4;

// The message classes and types of RFC 4666 §3.1.2. Classes 5-8 and 10 belong to other
// adaptation layers (QPTM, MAUP, SUA, IIM) and are not M3UA.
constexpr SigtranClassTypes kClassTypes[] = {
    {m3ua_class::kMgmt, 0, 1},      // ERR, NTFY
    {m3ua_class::kTransfer, 1, 1},  // DATA
    {m3ua_class::kSsnm, 1, 6},      // DUNA, DAVA, DAUD, SCON, DUPU, DRST
    {m3ua_class::kAspsm, 1, 6},     // ASPUP, ASPDN, BEAT, ASPUP ACK, ASPDN ACK, BEAT ACK
    {m3ua_class::kAsptm, 1, 4},     // ASPAC, ASPIA, ASPAC ACK, ASPIA ACK
    {m3ua_class::kRkm, 1, 4},       // REG REQ, REG RSP, DEREG REQ, DEREG RSP
};


// Parameter tags used here (RFC 4666 §3.2, §3.3.1).
namespace tag {
constexpr uint16_t kRoutingContext = 0x0006, kCorrelationId = 0x0013, kNetworkAppearance = 0x0200,
                   kProtocolData = 0x0210;
}

// §3.3.1: OPC (4), DPC (4), SI, NI, MP, SLS, then the user protocol data.
constexpr uint32_t kProtocolDataFixedBytes = 12;

// Decodes the Protocol Data value into the route and the user data.
void decode_protocol_data(ByteView value, M3uaView& out) {
  Cursor cursor(value);
  FixedBytes<kProtocolDataFixedBytes> fixed;
  cursor.read_fixed(fixed);  // the caller checked that the value holds them
  out.route.opc = fixed.be32<0>();
  out.route.dpc = fixed.be32<4>();
  out.route.si = fixed.u8<8>();
  out.route.ni = fixed.u8<9>();
  out.route.mp = fixed.u8<10>();
  out.route.sls = fixed.u8<11>();
  out.route.present = true;
  out.user_data = cursor.rest();
}

}  // namespace

DecodeStatus decode_m3ua(ByteView message, M3uaView& out, AnomalySet& anomalies) {
  out = M3uaView{};
  if (!read_sigtran_header(message, out)) {
    anomalies.set(Anomaly::kM3uaTruncated);
    return DecodeStatus::kMalformed;
  }
  // §3.1.1: only release 1 exists; another version's layout is unknown.
  if (out.version != kVersion) {
    anomalies.set(Anomaly::kM3uaBadVersion);
    return DecodeStatus::kMalformed;
  }
  // §3.1.4: the length counts the header and all parameters, padding included. One SCTP
  // user message carries one M3UA message, so the two must agree. Shorter than the header or
  // longer than the bytes: nothing trustworthy to decode. Shorter than the bytes: decode the
  // declared message and flag the trailing bytes (a peer might read them differently), unless
  // they are only the last parameter's zero padding, which some senders leave out of the
  // length (pwnss7's tools do; Wireshark accepts it): nothing hides in padding.
  DecodeStatus status = DecodeStatus::kOk;
  if (out.length < kHeaderBytes || out.length > message.size) {
    anomalies.set(Anomaly::kM3uaBadLength);
    return DecodeStatus::kMalformed;
  }
  if (out.length != message.size && !is_final_padding(message, out.length)) {
    anomalies.set(Anomaly::kM3uaBadLength);
    status = DecodeStatus::kAnomaly;
  }
  if (!defined_class_and_type(kClassTypes, out.message_class, out.message_type)) {
    anomalies.set(Anomaly::kM3uaUnknownClass);
    status = worst(status, DecodeStatus::kAnomaly);
  }

  // §3.2: Tag (2), Length (2, header included, padding excluded), value, padding to a
  // multiple of 4. All parameters are walked: RFC 4666 fixes no order.
  Cursor parameters(message.sub(kHeaderBytes, out.length - kHeaderBytes));
  bool has_protocol_data = false;
  for (unsigned count = 0; !parameters.at_end(); ++count) {
    if (count == limits::kMaxAdaptationParameters) {
      anomalies.set(Anomaly::kM3uaParameterCap);
      return DecodeStatus::kMalformed;
    }
    FixedBytes<kTlvHeaderBytes> tlv;
    if (!parameters.read_fixed(tlv)) {
      anomalies.set(Anomaly::kM3uaTruncated);
      return DecodeStatus::kMalformed;
    }
    const uint16_t parameter_tag = tlv.be16<0>(), parameter_length = tlv.be16<2>();
    if (parameter_length < kTlvHeaderBytes) {
      anomalies.set(Anomaly::kM3uaBadParameter);
      return DecodeStatus::kMalformed;
    }
    ByteView value;
    if (!parameters.read_view(parameter_length - kTlvHeaderBytes, value)) {
      anomalies.set(Anomaly::kM3uaTruncated);
      return DecodeStatus::kMalformed;
    }
    // The last parameter's padding may be missing on the wire; nothing follows it then.
    const uint32_t padding = (4 - parameter_length % 4) % 4;
    if (!parameters.skip(padding)) parameters.skip(parameters.remaining());

    bool bad = false;
    switch (parameter_tag) {
      case tag::kRoutingContext:  // §3.3.1: one or more 32-bit contexts; the first is kept
        if (value.size == 0 || value.size % 4 != 0) {
          bad = true;
        } else if (!out.has_routing_context) {
          out.has_routing_context = true;
          Cursor(value).read_be32(out.routing_context);
        }
        break;
      case tag::kNetworkAppearance:  // §3.3.1: 32 bits
        if (value.size != 4) {
          bad = true;
        } else {
          out.has_network_appearance = true;
          Cursor(value).read_be32(out.network_appearance);
        }
        break;
      case tag::kCorrelationId:  // §3.3.1: 32 bits
        if (value.size != 4) {
          bad = true;
        } else {
          out.has_correlation_id = true;
          Cursor(value).read_be32(out.correlation_id);
        }
        break;
      case tag::kProtocolData:
        if (!out.is_data()) break;  // only DATA delivers it (§3.3.1): the view's route is DATA's
        if (value.size < kProtocolDataFixedBytes) {
          bad = true;
        } else if (has_protocol_data) {
          // §3.3.1 has one Protocol Data; a second could be read by a peer instead of the
          // first, so it is flagged and the first one kept.
          bad = true;
        } else {
          has_protocol_data = true;
          decode_protocol_data(value, out);
        }
        break;
      default:
        break;  // other parameters (Info String, Diagnostic, Affected PC, ...): not inspected
    }
    if (bad) {
      anomalies.set(Anomaly::kM3uaBadParameter);
      status = worst(status, DecodeStatus::kAnomaly);
    }
  }

  // §3.3.1: Protocol Data is mandatory in DATA. Pre-RFC drafts (e.g. draft 6's "Protocol
  // Data 1", tag 0x0002, carrying a whole MSU) land here too: they are flagged, not guessed.
  if (out.is_data() && !has_protocol_data) {
    anomalies.set(Anomaly::kM3uaMissingProtocolData);
    return DecodeStatus::kMalformed;
  }
  return status;
}

}  // namespace sigwall
