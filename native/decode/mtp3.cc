#include "mtp3.h"

namespace sigwall {

namespace {

// Routing label sizes (Q.704 §2.2.1; JT-Q704 for TTC; T1.111.4 §2.2 for ANSI).
constexpr uint32_t kItuLabelBytes = 4;    // DPC 14 + OPC 14 + SLS 4 bits
constexpr uint32_t kJapanLabelBytes = 5;  // DPC 16 + OPC 16 + SLS octet
constexpr uint32_t kAnsiLabelBytes = 7;   // DPC 24 + OPC 24 + SLS octet

uint32_t label_bytes(Mtp3Variant variant) {
  switch (variant) {
    case Mtp3Variant::kJapan: return kJapanLabelBytes;
    case Mtp3Variant::kAnsi: return kAnsiLabelBytes;
    case Mtp3Variant::kItu: break;
  }
  return kItuLabelBytes;
}

}  // namespace

DecodeStatus decode_mtp3(ByteView msu, Mtp3Variant variant, Mtp3Route& route, ByteView& user_data,
                         AnomalySet& anomalies) {
  route = Mtp3Route{};
  user_data = ByteView{};
  Cursor cursor(msu);

  // Q.704 §14.2: service indicator in bits D-A, network indicator in bits D-C of the
  // subservice field; bits B-A of it are spare in international use and carry the message
  // priority in national networks (ANSI T1.111.4 §14.2, TTC), so they are kept as mp.
  uint8_t sio;
  if (!cursor.read_u8(sio) || cursor.remaining() < label_bytes(variant)) {
    anomalies.set(Anomaly::kMtp3Truncated);
    return DecodeStatus::kMalformed;
  }
  route.si = sio & 0x0F;
  route.ni = sio >> 6;
  route.mp = (sio >> 4) & 0x03;

  switch (variant) {
    case Mtp3Variant::kItu: {
      // Q.704 §2.2.1, Figure 3: a 32-bit label sent least significant bit first:
      // DPC bits 1-14, OPC bits 15-28, SLS bits 29-32.
      uint32_t label = 0;
      cursor.read_le32(label);
      route.dpc = label & 0x3FFF;
      route.opc = (label >> 14) & 0x3FFF;
      route.sls = static_cast<uint8_t>(label >> 28);
      break;
    }
    case Mtp3Variant::kJapan: {
      // TTC JT-Q704: 16-bit DPC, 16-bit OPC, then an octet whose low 4 bits are the SLS
      // (the high 4 are spare; Wireshark's default, mtp3.japan_5_bit_sls off).
      uint16_t dpc = 0, opc = 0;
      uint8_t sls = 0;
      cursor.read_le16(dpc);
      cursor.read_le16(opc);
      cursor.read_u8(sls);
      route.dpc = dpc;
      route.opc = opc;
      route.sls = sls & 0x0F;
      break;
    }
    case Mtp3Variant::kAnsi: {
      // T1.111.4 §2.2: 24-bit DPC and OPC (member, cluster, network octets, in that order)
      // and an 8-bit SLS (Wireshark's default, mtp3.ansi_5_bit_sls off).
      // The label's length was checked above; the zeros only keep the compiler's flow analysis quiet.
      uint32_t dpc_low = 0, opc_low = 0;
      uint8_t dpc_high = 0, opc_high = 0, sls = 0;
      uint16_t low16 = 0;
      cursor.read_le16(low16);
      dpc_low = low16;
      cursor.read_u8(dpc_high);
      cursor.read_le16(low16);
      opc_low = low16;
      cursor.read_u8(opc_high);
      cursor.read_u8(sls);
      route.dpc = dpc_low | (uint32_t{dpc_high} << 16);
      route.opc = opc_low | (uint32_t{opc_high} << 16);
      route.sls = sls;
      break;
    }
  }
  route.present = true;
  user_data = cursor.rest();
  return DecodeStatus::kOk;
}

}  // namespace sigwall
