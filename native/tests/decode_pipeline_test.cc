// DecodePipeline entry points beyond decode_frame: decode_user_message_bytes (one SCTP user
// message through the adaptation layer, SCCP, TCAP and MAP/CAP) and reset() (reassembly state
// and statistics forgotten, so that one pipeline can be reused as if new).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/decode_pipeline.h"

namespace sigwall {
namespace {

using Bytes = std::vector<uint8_t>;

ByteView view_of(const Bytes& bytes) { return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())}; }
std::string text(const Digits& digits) { return std::string(digits.text, digits.count); }

std::string names(const AnomalySet& anomalies) {
  std::string out;
  for (unsigned i = 0; i < static_cast<unsigned>(Anomaly::kCount); ++i)
    if (anomalies.has(static_cast<Anomaly>(i))) out += (out.empty() ? "" : " ") + std::string(kAnomalyInfo[i].name);
  return out;
}

// Keeps a copy of what the tests look at (the record's views die with the callback).
struct Record {
  Adaptation adaptation = Adaptation::kNone;
  uint64_t frame = 0;
  uint32_t ppid = 0;
  uint16_t src_port = 0, dst_port = 0;
  Mtp3Route route;
  bool has_sccp = false;
  SccpView sccp;  // data not used after the callback
  uint16_t sccp_segments = 0;
  bool has_tcap = false;
  TcapMessageType tcap_type = TcapMessageType::kNone;
  Bytes otid;
  uint8_t components_decoded = 0;
  ComponentType component_type = ComponentType::kReject;
  int32_t invoke_id = -1;
  CodeForm opcode_form = CodeForm::kNone;
  int32_t opcode = -1;
  Application application = Application::kUnknown;
  std::string msisdn, service_centre_address;
  AnomalySet anomalies;
  DecodeStatus status = DecodeStatus::kOk;
};

struct Collect final : MessageSink {
  std::vector<Record> records;
  void on_message(const Ss7Message& m) override {
    Record r;
    r.adaptation = m.adaptation;
    r.frame = m.frame;
    r.ppid = m.data.ppid;
    r.src_port = m.src_port;
    r.dst_port = m.dst_port;
    r.route = m.route;
    r.has_sccp = m.has_sccp;
    r.sccp = m.sccp;
    r.sccp_segments = m.sccp_segments;
    r.has_tcap = m.has_tcap;
    r.tcap_type = m.tcap.type;
    r.otid.assign(m.tcap.otid.data, m.tcap.otid.data + m.tcap.otid.size);
    r.components_decoded = m.tcap.components_decoded;
    if (m.tcap.components_decoded > 0) {
      const TcapComponent& c = m.tcap.components[0];
      r.component_type = c.type;
      r.invoke_id = c.invoke_id;
      r.opcode_form = c.opcode_form;
      r.opcode = c.opcode;
      r.msisdn = text(m.map[0].msisdn.digits);
      r.service_centre_address = text(m.map[0].service_centre_address.digits);
    }
    r.application = m.application;
    r.anomalies = m.anomalies;
    r.status = m.status;
    records.push_back(r);
  }
};

// M3UA DATA (RFC 4666 §3.3.1) carrying an SCCP UDT (Q.713 §4.10) carrying a TCAP Begin (Q.773)
// with one Invoke of sendRoutingInfoForSM (TS 29.002 §17.6.2, opcode 45).
const Bytes kM3uaUdtBegin = {
    // M3UA common header (§3.1)
    0x01,                    // version 1
    0x00,                    // reserved
    0x01,                    // message class 1: Transfer
    0x01,                    // message type 1: DATA
    0x00, 0x00, 0x00, 0x68,  // message length 104 (header, parameters, final padding)
    // Routing Context (§3.3.1)
    0x00, 0x06, 0x00, 0x08,  // tag 0x0006, length 8
    0x00, 0x00, 0x00, 0x01,  //   routing context 1
    // Protocol Data (§3.3.1)
    0x02, 0x10, 0x00, 0x57,  // tag 0x0210, length 87 (16 + 71 octets of SCCP)
    0x00, 0x00, 0x00, 0x64,  //   OPC 100
    0x00, 0x00, 0x00, 0xC8,  //   DPC 200
    0x03,                    //   SI 3: SCCP
    0x02,                    //   NI 2: national
    0x00,                    //   MP 0
    0x05,                    //   SLS 5
    // SCCP UDT (Q.713 §4.10), 71 octets
    0x09,                    //   message type UDT
    0x00,                    //   protocol class 0, no special handling
    0x03,                    //   pointer to called party address (offset 2 + 3 = 5)
    0x0E,                    //   pointer to calling party address (3 + 14 = 17)
    0x19,                    //   pointer to data (4 + 25 = 29)
    0x0B,                    //   called party address, 11 octets
    0x12,                    //     AI: route on GT, GTI 4, SSN present, no PC
    0x06,                    //     SSN 6 (HLR)
    0x00,                    //     translation type 0
    0x12,                    //     numbering plan 1 (E.164), encoding scheme 2 (BCD, even)
    0x04,                    //     nature of address 4 (international)
    0x44, 0x21, 0x43, 0x65, 0x87, 0x09,  // digits 441234567890
    0x0B,                    //   calling party address, 11 octets
    0x12,                    //     AI: route on GT, GTI 4, SSN present, no PC
    0x08,                    //     SSN 8 (MSC)
    0x00,                    //     translation type 0
    0x12,                    //     numbering plan 1, encoding scheme 2
    0x04,                    //     nature of address 4
    0x94, 0x71, 0x02, 0x00, 0x00, 0x00,  // digits 491720000000
    0x29,                    //   data, 41 octets: TCAP
    0x62, 0x27,              //     Begin [APPLICATION 2], 39 octets
    0x48, 0x04,              //       otid [APPLICATION 8], 4 octets
    0x00, 0x00, 0x00, 0x01,  //         1
    0x6C, 0x1F,              //       component portion [APPLICATION 12], 31 octets
    0xA1, 0x1D,              //         invoke [1], 29 octets
    0x02, 0x01, 0x01,        //           invokeID 1
    0x02, 0x01, 0x2D,        //           opCode localValue 45 (sendRoutingInfoForSM)
    0x30, 0x15,              //           RoutingInfoForSM-Arg SEQUENCE, 21 octets
    0x80, 0x07,              //             msisdn [0], 7 octets
    0x91,                    //               international, E.164
    0x44, 0x77, 0x00, 0x09, 0x10, 0x32,  //   447700900123
    0x81, 0x01, 0xFF,        //             sm-RP-PRI [1] TRUE
    0x82, 0x07,              //             serviceCentreAddress [2], 7 octets
    0x91,                    //               international, E.164
    0x44, 0x77, 0x00, 0x00, 0x00, 0x60,  //   447700000006
    0x00,                    // padding of Protocol Data to 4 octets
};

TEST(DecodeUserMessageBytes, M3uaUdtBeginInvoke) {
  DecodePipeline pipeline(DecodeOptions{});
  Collect sink;
  pipeline.decode_user_message_bytes(FrameInfo{7, 1'000'000'000, 1}, sctp_ppid::kM3ua, 2905, 2906,
                                     view_of(kM3uaUdtBegin), sink);
  ASSERT_EQ(sink.records.size(), 1u);
  const Record& r = sink.records[0];
  EXPECT_EQ(r.frame, 7u);
  EXPECT_EQ(r.ppid, sctp_ppid::kM3ua);
  EXPECT_EQ(r.src_port, 2905);
  EXPECT_EQ(r.dst_port, 2906);
  EXPECT_EQ(r.adaptation, Adaptation::kM3ua);
  ASSERT_TRUE(r.route.present);
  EXPECT_EQ(r.route.opc, 100u);
  EXPECT_EQ(r.route.dpc, 200u);
  EXPECT_EQ(r.route.si, mtp3_si::kSccp);
  EXPECT_EQ(r.route.sls, 5);

  ASSERT_TRUE(r.has_sccp);
  EXPECT_EQ(r.sccp.message_type, sccp_type::kUdt);
  EXPECT_EQ(r.sccp.protocol_class, 0);
  EXPECT_EQ(r.sccp.called.gti, 4);
  EXPECT_EQ(r.sccp.called.ssn, 6);
  EXPECT_EQ(text(r.sccp.called.digits), "441234567890");
  EXPECT_EQ(r.sccp.calling.ssn, 8);
  EXPECT_EQ(text(r.sccp.calling.digits), "491720000000");
  EXPECT_EQ(r.sccp_segments, 1);

  ASSERT_TRUE(r.has_tcap);
  EXPECT_EQ(r.tcap_type, TcapMessageType::kBegin);
  EXPECT_EQ(r.otid, (Bytes{0x00, 0x00, 0x00, 0x01}));
  ASSERT_EQ(r.components_decoded, 1);
  EXPECT_EQ(r.component_type, ComponentType::kInvoke);
  EXPECT_EQ(r.invoke_id, 1);
  EXPECT_EQ(r.opcode_form, CodeForm::kLocal);
  EXPECT_EQ(r.opcode, 45);
  // No application context: MAP by SSN (6 is not a CAP SSN).
  EXPECT_EQ(r.application, Application::kMap);
  EXPECT_EQ(r.msisdn, "447700900123");
  EXPECT_EQ(r.service_centre_address, "447700000006");
  // A Begin without a dialogue portion (MAP v1 style) is the one thing flagged.
  EXPECT_EQ(names(r.anomalies), "tcap.no_dialogue");
  EXPECT_EQ(r.status, DecodeStatus::kAnomaly);

  // Counted as one DATA chunk's message, not as a frame.
  EXPECT_EQ(pipeline.stats().frames, 0u);
  EXPECT_EQ(pipeline.stats().data_chunks, 1u);
  EXPECT_EQ(pipeline.stats().messages, 1u);
  EXPECT_EQ(pipeline.stats().tcap_messages, 1u);
}

TEST(DecodeUserMessageBytes, ZeroPpidFallsBackToThePort) {
  // PPID 0 (unspecified) between M3UA's IANA port 2905 and an ephemeral one, as in decode_frame.
  DecodePipeline pipeline(DecodeOptions{});
  Collect sink;
  pipeline.decode_user_message_bytes(FrameInfo{1, 0, 1}, 0, 40000, 2905, view_of(kM3uaUdtBegin), sink);
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.records[0].adaptation, Adaptation::kM3ua);
  EXPECT_TRUE(sink.records[0].has_tcap);
}

TEST(DecodeUserMessageBytes, UnknownPpidIsFlagged) {
  DecodePipeline pipeline(DecodeOptions{});
  Collect sink;
  pipeline.decode_user_message_bytes(FrameInfo{1, 0, 1}, 46, 3868, 3868, view_of(kM3uaUdtBegin), sink);
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.records[0].adaptation, Adaptation::kNone);
  EXPECT_TRUE(sink.records[0].anomalies.has(Anomaly::kUnknownPayloadProtocol));
}

// ---- reset() -----------------------------------------------------------------------------------

// The TCAP Begin of kM3uaUdtBegin (its last 41 octets before the padding).
Bytes tcap_begin() { return Bytes(kM3uaUdtBegin.end() - 42, kM3uaUdtBegin.end() - 1); }

// An XUDT (Q.713 §4.18) segment between the same addresses as kM3uaUdtBegin, with a
// Segmentation parameter (§3.17): `first`, `remaining`, local reference 0x030201.
Bytes xudt_segment(bool first, uint8_t remaining, const Bytes& data) {
  Bytes sccp = {
      0x11,        // message type XUDT
      0x00,        // protocol class 0
      0x0F,        // hop counter 15
      0x04,        // pointer to called party address (3 + 4 = 7)
      0x0F,        // pointer to calling party address (4 + 15 = 19)
      0x1A,        // pointer to data (5 + 26 = 31)
      static_cast<uint8_t>(0x1A + data.size()),  // pointer to the optional part (6 + 26 + n = 32 + n)
      0x0B, 0x12, 0x06, 0x00, 0x12, 0x04, 0x44, 0x21, 0x43, 0x65, 0x87, 0x09,  // called: GT, SSN 6
      0x0B, 0x12, 0x08, 0x00, 0x12, 0x04, 0x94, 0x71, 0x02, 0x00, 0x00, 0x00,  // calling: GT, SSN 8
      static_cast<uint8_t>(data.size()),  // data length
  };
  sccp.insert(sccp.end(), data.begin(), data.end());
  const Bytes optional = {
      0x10, 0x04,  // Segmentation, 4 octets
      static_cast<uint8_t>((first ? 0x80 : 0x00) | remaining),  // F bit, class 0, remaining segments
      0x01, 0x02, 0x03,  // segmentation local reference (least significant octet first)
      0x00,              // end of optional parameters
  };
  sccp.insert(sccp.end(), optional.begin(), optional.end());
  return sccp;
}

// M3UA DATA with the same routing label as kM3uaUdtBegin around `sccp`.
Bytes m3ua_data(const Bytes& sccp) {
  const uint32_t protocol_data_length = 16 + static_cast<uint32_t>(sccp.size());
  const uint32_t padding = (4 - protocol_data_length % 4) % 4;
  const uint32_t length = 8 + protocol_data_length + padding;
  Bytes m3ua = {
      0x01, 0x00, 0x01, 0x01,  // version 1, Transfer, DATA
      0x00, 0x00, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length),  // message length
      0x02, 0x10, static_cast<uint8_t>(protocol_data_length >> 8),
      static_cast<uint8_t>(protocol_data_length),  // Protocol Data
      0x00, 0x00, 0x00, 0x64,  // OPC 100
      0x00, 0x00, 0x00, 0xC8,  // DPC 200
      0x03, 0x02, 0x00, 0x05,  // SI 3, NI 2, MP 0, SLS 5
  };
  m3ua.insert(m3ua.end(), sccp.begin(), sccp.end());
  m3ua.insert(m3ua.end(), padding, 0x00);
  return m3ua;
}

TEST(DecodePipelineReset, HeldSccpSegmentIsForgotten) {
  const Bytes begin = tcap_begin();
  const Bytes first = m3ua_data(xudt_segment(true, 1, Bytes(begin.begin(), begin.begin() + 20)));
  const Bytes last = m3ua_data(xudt_segment(false, 0, Bytes(begin.begin() + 20, begin.end())));

  // Without reset the second segment completes the Begin.
  {
    DecodePipeline pipeline(DecodeOptions{});
    Collect sink;
    pipeline.decode_user_message_bytes(FrameInfo{1, 0, 1}, sctp_ppid::kM3ua, 2905, 2905, view_of(first), sink);
    pipeline.decode_user_message_bytes(FrameInfo{2, 0, 1}, sctp_ppid::kM3ua, 2905, 2905, view_of(last), sink);
    ASSERT_EQ(sink.records.size(), 2u);
    EXPECT_TRUE(sink.records[0].anomalies.has(Anomaly::kSccpSegmentIncomplete));
    EXPECT_TRUE(sink.records[1].anomalies.has(Anomaly::kSccpSegmented));
    EXPECT_EQ(sink.records[1].sccp_segments, 2);
    EXPECT_EQ(sink.records[1].opcode, 45);
  }

  // With reset between them the first is gone: the second is an orphan.
  DecodePipeline pipeline(DecodeOptions{});
  Collect sink;
  pipeline.decode_user_message_bytes(FrameInfo{1, 0, 1}, sctp_ppid::kM3ua, 2905, 2905, view_of(first), sink);
  ASSERT_EQ(pipeline.sccp_reassembly().segments_held, 1u);
  pipeline.reset();
  EXPECT_EQ(pipeline.sccp_reassembly().segments_held, 0u);
  EXPECT_EQ(pipeline.sccp_reassembly().messages_completed, 0u);
  EXPECT_EQ(pipeline.stats().messages, 0u);
  EXPECT_EQ(pipeline.stats().data_chunks, 0u);
  EXPECT_EQ(pipeline.stats().anomalies[static_cast<unsigned>(Anomaly::kSccpSegmentIncomplete)], 0u);

  pipeline.decode_user_message_bytes(FrameInfo{2, 0, 1}, sctp_ppid::kM3ua, 2905, 2905, view_of(last), sink);
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_TRUE(sink.records[1].anomalies.has(Anomaly::kSccpSegmentSequence));
  EXPECT_FALSE(sink.records[1].has_tcap);
  EXPECT_EQ(pipeline.sccp_reassembly().sequence_errors, 1u);
  EXPECT_EQ(pipeline.stats().messages, 1u);  // counted from zero again
}

// Raw IPv4 (LINKTYPE_RAW) + SCTP with one DATA chunk carrying `fragment` with `flags` (B 0x02,
// E 0x01). The SCTP checksum is not verified by these tests' pipeline.
Bytes raw_frame(uint32_t tsn, uint8_t flags, const Bytes& fragment) {
  Bytes sctp = {
      0x0B, 0x59, 0x0B, 0x59,  // source port 2905, destination port 2905
      0x00, 0x00, 0x00, 0x01,  // verification tag 1
      0x00, 0x00, 0x00, 0x00,  // checksum (not verified)
      0x00, flags,             // DATA (RFC 9260 §3.3.1), flags
      static_cast<uint8_t>((16 + fragment.size()) >> 8), static_cast<uint8_t>(16 + fragment.size()),  // length
      static_cast<uint8_t>(tsn >> 24), static_cast<uint8_t>(tsn >> 16), static_cast<uint8_t>(tsn >> 8),
      static_cast<uint8_t>(tsn),  // TSN
      0x00, 0x01,                 // stream 1
      0x00, 0x00,                 // SSN 0
      0x00, 0x00, 0x00, 0x03,     // PPID 3 (M3UA)
  };
  sctp.insert(sctp.end(), fragment.begin(), fragment.end());
  while (sctp.size() % 4 != 0) sctp.push_back(0x00);
  const uint16_t total = static_cast<uint16_t>(20 + sctp.size());
  Bytes frame = {
      0x45, 0x00, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total),  // IPv4, total length
      0x00, 0x00, 0x40, 0x00,  // identification, DF
      0x40, 0x84, 0x00, 0x00,  // TTL 64, protocol 132 (SCTP), header checksum (below)
      10, 0, 0, 1,             // source 10.0.0.1
      10, 0, 0, 2,             // destination 10.0.0.2
  };
  uint32_t sum = 0;  // RFC 791 header checksum, so that the IP layer is clean
  for (size_t i = 0; i < 20; i += 2) sum += (frame[i] << 8) | frame[i + 1];
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  frame[10] = static_cast<uint8_t>(~sum >> 8);
  frame[11] = static_cast<uint8_t>(~sum);
  frame.resize(20 + sctp.size());  // (not insert(): GCC 12 warns falsely on it, -Warray-bounds)
  std::copy(sctp.begin(), sctp.end(), frame.begin() + 20);
  return frame;
}

TEST(DecodePipelineReset, HeldSctpFragmentIsForgotten) {
  constexpr uint32_t kLinkTypeRaw = static_cast<uint32_t>(LinkType::kRaw);
  DecodeOptions options;
  options.verify_crc = false;
  const Bytes first = raw_frame(10, 0x02, Bytes(kM3uaUdtBegin.begin(), kM3uaUdtBegin.begin() + 50));
  const Bytes last = raw_frame(11, 0x01, Bytes(kM3uaUdtBegin.begin() + 50, kM3uaUdtBegin.end()));

  // Without reset the two fragments make the whole M3UA message.
  {
    DecodePipeline pipeline(options);
    Collect sink;
    pipeline.decode_frame(FrameInfo{1, 0, kLinkTypeRaw}, view_of(first), sink);
    pipeline.decode_frame(FrameInfo{2, 0, kLinkTypeRaw}, view_of(last), sink);
    ASSERT_EQ(sink.records.size(), 1u);
    EXPECT_TRUE(sink.records[0].anomalies.has(Anomaly::kSctpReassembled));
    EXPECT_EQ(sink.records[0].opcode, 45);
  }

  DecodePipeline pipeline(options);
  Collect sink;
  pipeline.decode_frame(FrameInfo{1, 0, kLinkTypeRaw}, view_of(first), sink);
  EXPECT_TRUE(sink.records.empty());  // held, nothing to inspect yet
  ASSERT_EQ(pipeline.sctp_reassembly().fragments_held, 1u);
  ASSERT_EQ(pipeline.stats().frames, 1u);
  pipeline.reset();
  EXPECT_EQ(pipeline.sctp_reassembly().fragments_held, 0u);
  EXPECT_EQ(pipeline.stats().frames, 0u);
  EXPECT_EQ(pipeline.stats().bytes, 0u);
  EXPECT_EQ(pipeline.stats().data_chunks, 0u);
  EXPECT_EQ(pipeline.stats().sctp_packets, 0u);

  pipeline.decode_frame(FrameInfo{2, 0, kLinkTypeRaw}, view_of(last), sink);
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_TRUE(sink.records[0].anomalies.has(Anomaly::kSctpFragmentSequence));
  EXPECT_FALSE(sink.records[0].has_tcap);
  EXPECT_EQ(pipeline.sctp_reassembly().sequence_errors, 1u);
  EXPECT_EQ(pipeline.stats().frames, 1u);
}

TEST(DecodePipelineReset, ResetPipelineDecodesAsANewOne) {
  DecodePipeline reused(DecodeOptions{});
  Collect ignored;
  const Bytes begin = tcap_begin();
  const Bytes first = m3ua_data(xudt_segment(true, 1, Bytes(begin.begin(), begin.begin() + 20)));
  reused.decode_user_message_bytes(FrameInfo{1, 0, 1}, sctp_ppid::kM3ua, 2905, 2905, view_of(first), ignored);
  reused.reset();

  DecodePipeline fresh(DecodeOptions{});
  Collect a, b;
  reused.decode_user_message_bytes(FrameInfo{1, 0, 1}, sctp_ppid::kM3ua, 2905, 2905, view_of(kM3uaUdtBegin), a);
  fresh.decode_user_message_bytes(FrameInfo{1, 0, 1}, sctp_ppid::kM3ua, 2905, 2905, view_of(kM3uaUdtBegin), b);
  ASSERT_EQ(a.records.size(), 1u);
  ASSERT_EQ(b.records.size(), 1u);
  EXPECT_EQ(a.records[0].anomalies.bits[0], b.records[0].anomalies.bits[0]);
  EXPECT_EQ(a.records[0].anomalies.bits[1], b.records[0].anomalies.bits[1]);
  EXPECT_EQ(a.records[0].opcode, b.records[0].opcode);
  EXPECT_EQ(std::memcmp(&reused.stats(), &fresh.stats(), sizeof(DecodeStats)), 0);
  EXPECT_EQ(std::memcmp(&reused.sccp_reassembly(), &fresh.sccp_reassembly(), sizeof(SccpReassemblyStats)), 0);
}

}  // namespace
}  // namespace sigwall
