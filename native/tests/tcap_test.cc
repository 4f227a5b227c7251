// TCAP decoder (Q.773): every message type, the dialogue PDUs, every component type, the
// encodings an evasion uses, and one test per TCAP anomaly asserting exactly that anomaly.
#include "decode/tcap.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace sigwall {
namespace {

using Bytes = std::vector<uint8_t>;

struct Decoded {
  DecodeStatus status = DecodeStatus::kOk;
  TcapView view;
  AnomalySet anomalies;
  Bytes bytes;  // the decoded copy; views point into it
};

// Decodes a copy sized exactly to the message, so that AddressSanitizer catches any read past it.
// The result is heap-allocated because its views point into its own `bytes`.
std::unique_ptr<Decoded> decode(const Bytes& message) {
  auto d = std::make_unique<Decoded>();
  d->bytes = message;
  d->status = decode_tcap(ByteView{d->bytes.data(), static_cast<uint32_t>(d->bytes.size())}, d->view, d->anomalies);
  return d;
}

std::string names(const AnomalySet& set) {
  std::string out;
  for (unsigned i = 0; i < static_cast<unsigned>(Anomaly::kCount); ++i) {
    if (!set.has(static_cast<Anomaly>(i))) continue;
    if (!out.empty()) out += ",";
    out += anomaly_name(static_cast<Anomaly>(i));
  }
  return out;
}

Bytes bytes_of(ByteView v) { return Bytes(v.data, v.data + v.size); }

std::string oid_text(ByteView v) {
  char text[128];
  if (!format_oid(v, text, sizeof text)) return "<invalid>";
  return text;
}

// A TLV with the minimal definite length, for envelopes around the element a test is about.
Bytes tlv(uint8_t identifier, const Bytes& contents) {
  Bytes out = {identifier};
  const size_t n = contents.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else if (n <= 0xFF) {
    out.push_back(0x81);
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  }
  out.insert(out.end(), contents.begin(), contents.end());
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Continue { otid 01, dtid 02, component portion { components } }: a message that needs no
// dialogue portion, so a component test sees only its own anomalies.
Bytes continue_with(const Bytes& components) {
  return tlv(0x65, cat({
                       {0x48, 0x01, 0x01},  // otid [APPLICATION 8] 01
                       {0x49, 0x01, 0x02},  // dtid [APPLICATION 9] 02
                       tlv(0x6C, components),
                   }));
}

// A plain Invoke: invokeID 1, local opcode 2 (updateLocation), no parameter.
const Bytes kPlainInvoke = {
    0xA1, 0x06,        // invoke [1]
    0x02, 0x01, 0x01,  //   invokeID 1
    0x02, 0x01, 0x02,  //   opCode localValue 2
};

// --- Message types ------------------------------------------------------------------------------

// MAP updateLocation opening a dialogue: Begin with AARQ (with user-information) and one Invoke.
const Bytes kBeginUpdateLocation = {
    0x62, 0x46,                                      // Begin [APPLICATION 2], 70 octets
    0x48, 0x04, 0x11, 0x22, 0x33, 0x44,              //   otid [APPLICATION 8] 11223344
    0x6B, 0x2F,                                      //   dialogue portion [APPLICATION 11]
    0x28, 0x2D,                                      //     EXTERNAL [UNIVERSAL 8]
    0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01,  // direct-reference dialogue-as-id
    0xA0, 0x22,                                      //       single-ASN1-type [0]
    0x60, 0x20,                                      //         AARQ [APPLICATION 0]
    0x80, 0x02, 0x07, 0x80,                          //           protocol-version: version1
    0xA1, 0x09, 0x06, 0x07,                          //           application-context-name [1] OID
    0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x03,        //             0.4.0.0.1.0.1.3 networkLocUpContext-v3
    0xBE, 0x0F,                                      //           user-information [30]
    0x28, 0x0D,                                      //             EXTERNAL
    0x06, 0x07, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x01,  //           map-DialogueAS 0.4.0.0.1.1.1.1
    0xA0, 0x02, 0xA0, 0x00,                          //               [0] map-open (empty)
    0x6C, 0x0D,                                      //   component portion [APPLICATION 12]
    0xA1, 0x0B,                                      //     invoke [1]
    0x02, 0x01, 0x01,                                //       invokeID 1
    0x02, 0x01, 0x02,                                //       opCode localValue 2 (updateLocation)
    0x30, 0x03, 0x04, 0x01, 0xAA,                    //       parameter: SEQUENCE { OCTET STRING AA }
};

TEST(Tcap, BeginWithAarqAndInvoke) {
  auto d = decode(kBeginUpdateLocation);
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(names(d->anomalies), "");
  const TcapView& v = d->view;
  EXPECT_EQ(v.type, TcapMessageType::kBegin);
  ASSERT_TRUE(v.has_otid);
  EXPECT_EQ(bytes_of(v.otid), (Bytes{0x11, 0x22, 0x33, 0x44}));
  EXPECT_FALSE(v.has_dtid);
  EXPECT_TRUE(v.has_dialogue);
  EXPECT_EQ(v.dialogue_pdu, DialoguePdu::kAarq);
  EXPECT_EQ(oid_text(v.application_context), "0.4.0.0.1.0.1.3");
  EXPECT_TRUE(v.has_protocol_version);
  EXPECT_EQ(v.protocol_version, 0x80);
  ASSERT_EQ(v.user_information.size, 15u);
  EXPECT_EQ(v.user_information.data[0], 0x28);  // the EXTERNAL carrying MAP-OpenInfo
  ASSERT_EQ(v.component_count, 1);
  ASSERT_EQ(v.components_decoded, 1);
  const TcapComponent& c = v.components[0];
  EXPECT_EQ(c.type, ComponentType::kInvoke);
  EXPECT_TRUE(c.has_invoke_id);
  EXPECT_EQ(c.invoke_id, 1);
  EXPECT_FALSE(c.has_linked_id);
  EXPECT_EQ(c.opcode_form, CodeForm::kLocal);
  EXPECT_EQ(c.opcode, 2);
  EXPECT_EQ(bytes_of(c.parameter), (Bytes{0x30, 0x03, 0x04, 0x01, 0xAA}));  // identifier included
}

// The answer to it: Continue with AARE (accepted) and a ReturnResultLast carrying the result.
const Bytes kContinueWithAare = {
    0x65, 0x47,                                      // Continue [APPLICATION 5], 71 octets
    0x48, 0x02, 0x0A, 0x0B,                          //   otid 0a0b (2 octets)
    0x49, 0x04, 0x11, 0x22, 0x33, 0x44,              //   dtid [APPLICATION 9] 11223344
    0x6B, 0x2A,                                      //   dialogue portion
    0x28, 0x28,                                      //     EXTERNAL
    0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01,  // dialogue-as-id
    0xA0, 0x1D,                                      //       single-ASN1-type [0]
    0x61, 0x1B,                                      //         AARE [APPLICATION 1]
    0x80, 0x02, 0x07, 0x80,                          //           protocol-version: version1
    0xA1, 0x09, 0x06, 0x07,                          //           application-context-name
    0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x03,        //             0.4.0.0.1.0.1.3
    0xA2, 0x03, 0x02, 0x01, 0x00,                    //           result [2]: accepted (0)
    0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01, 0x00,        //           result-source-diagnostic: user, null
    0x6C, 0x0F,                                      //   component portion
    0xA2, 0x0D,                                      //     returnResultLast [2]
    0x02, 0x01, 0x01,                                //       invokeID 1
    0x30, 0x08,                                      //       result SEQUENCE
    0x02, 0x01, 0x02,                                //         opCode 2
    0x30, 0x03, 0x04, 0x01, 0xBB,                    //         parameter
};

TEST(Tcap, ContinueWithAareAndReturnResult) {
  auto d = decode(kContinueWithAare);
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(names(d->anomalies), "");
  const TcapView& v = d->view;
  EXPECT_EQ(v.type, TcapMessageType::kContinue);
  EXPECT_EQ(bytes_of(v.otid), (Bytes{0x0A, 0x0B}));
  EXPECT_EQ(bytes_of(v.dtid), (Bytes{0x11, 0x22, 0x33, 0x44}));
  EXPECT_EQ(v.dialogue_pdu, DialoguePdu::kAare);
  EXPECT_EQ(oid_text(v.application_context), "0.4.0.0.1.0.1.3");
  EXPECT_TRUE(v.has_result);
  EXPECT_EQ(v.result, 0);
  EXPECT_TRUE(v.user_information.empty());
  ASSERT_EQ(v.components_decoded, 1);
  const TcapComponent& c = v.components[0];
  EXPECT_EQ(c.type, ComponentType::kReturnResultLast);
  EXPECT_EQ(c.invoke_id, 1);
  EXPECT_EQ(c.opcode_form, CodeForm::kLocal);
  EXPECT_EQ(c.opcode, 2);
  EXPECT_EQ(bytes_of(c.parameter), (Bytes{0x30, 0x03, 0x04, 0x01, 0xBB}));
}

TEST(Tcap, EndWithBareReturnResult) {
  const Bytes message = {
      0x64, 0x0D,                          // End [APPLICATION 4]
      0x49, 0x04, 0x11, 0x22, 0x33, 0x44,  //   dtid
      0x6C, 0x05,                          //   component portion
      0xA2, 0x03,                          //     returnResultLast, no result sequence
      0x02, 0x01, 0x07,                    //       invokeID 7
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(names(d->anomalies), "");
  EXPECT_EQ(d->view.type, TcapMessageType::kEnd);
  EXPECT_FALSE(d->view.has_otid);
  EXPECT_EQ(bytes_of(d->view.dtid), (Bytes{0x11, 0x22, 0x33, 0x44}));
  EXPECT_FALSE(d->view.has_dialogue);
  ASSERT_EQ(d->view.components_decoded, 1);
  EXPECT_EQ(d->view.components[0].type, ComponentType::kReturnResultLast);
  EXPECT_EQ(d->view.components[0].invoke_id, 7);
  EXPECT_EQ(d->view.components[0].opcode_form, CodeForm::kNone);
  EXPECT_TRUE(d->view.components[0].parameter.empty());
}

TEST(Tcap, EndWithReturnError) {
  const Bytes message = {
      0x64, 0x15,                          // End
      0x49, 0x04, 0x11, 0x22, 0x33, 0x44,  //   dtid
      0x6C, 0x0D,                          //   component portion
      0xA3, 0x0B,                          //     returnError [3]
      0x02, 0x01, 0x01,                    //       invokeID 1
      0x02, 0x01, 0x22,                    //       errorCode localValue 34 (systemFailure)
      0x30, 0x03, 0x0A, 0x01, 0x00,        //       parameter: SEQUENCE { ENUMERATED 0 }
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(names(d->anomalies), "");
  ASSERT_EQ(d->view.components_decoded, 1);
  const TcapComponent& c = d->view.components[0];
  EXPECT_EQ(c.type, ComponentType::kReturnError);
  EXPECT_EQ(c.invoke_id, 1);
  EXPECT_EQ(c.error_form, CodeForm::kLocal);
  EXPECT_EQ(c.error_code, 34);
  EXPECT_EQ(c.opcode_form, CodeForm::kNone);
  EXPECT_EQ(bytes_of(c.parameter), (Bytes{0x30, 0x03, 0x0A, 0x01, 0x00}));
}

TEST(Tcap, AbortWithPAbortCause) {
  const Bytes message = {
      0x67, 0x09,                          // Abort [APPLICATION 7]
      0x49, 0x04, 0x11, 0x22, 0x33, 0x44,  //   dtid
      0x4A, 0x01, 0x01,                    //   P-AbortCause [APPLICATION 10]: unrecognizedTransactionID
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(names(d->anomalies), "");
  EXPECT_EQ(d->view.type, TcapMessageType::kAbort);
  EXPECT_TRUE(d->view.has_p_abort_cause);
  EXPECT_EQ(d->view.p_abort_cause, 1);
  EXPECT_FALSE(d->view.has_dialogue);
  EXPECT_EQ(d->view.component_count, 0);
}

TEST(Tcap, AbortWithAbrt) {
  const Bytes message = {
      0x67, 0x1A,                          // Abort
      0x49, 0x04, 0x11, 0x22, 0x33, 0x44,  //   dtid
      0x6B, 0x12,                          //   dialogue portion (u-abortCause)
      0x28, 0x10,                          //     EXTERNAL
      0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01,  // dialogue-as-id
      0xA0, 0x05,                          //       single-ASN1-type
      0x64, 0x03,                          //         ABRT [APPLICATION 4]
      0x80, 0x01, 0x01,                    //           abort-source: dialogue-service-provider (1)
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(names(d->anomalies), "");
  EXPECT_FALSE(d->view.has_p_abort_cause);
  EXPECT_TRUE(d->view.has_dialogue);
  EXPECT_EQ(d->view.dialogue_pdu, DialoguePdu::kAbrt);
  EXPECT_TRUE(d->view.has_abort_source);
  EXPECT_EQ(d->view.abort_source, 1);
  EXPECT_TRUE(d->view.application_context.empty());
}

// A refused dialogue: Abort carrying an AARE with reject-permanent (Q.774 §3.2.2).
TEST(Tcap, AbortWithRejectingAare) {
  const Bytes message = {
      0x67, 0x32,                          // Abort
      0x49, 0x04, 0x11, 0x22, 0x33, 0x44,  //   dtid
      0x6B, 0x2A,                          //   dialogue portion
      0x28, 0x28,                          //     EXTERNAL
      0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01,  // dialogue-as-id
      0xA0, 0x1D,                          //       single-ASN1-type
      0x61, 0x1B,                          //         AARE
      0x80, 0x02, 0x07, 0x80,              //           protocol-version
      0xA1, 0x09, 0x06, 0x07,              //           application-context-name
      0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x03,
      0xA2, 0x03, 0x02, 0x01, 0x01,        //           result: reject-permanent (1)
      0xA3, 0x05, 0xA1, 0x03, 0x02, 0x01, 0x02,  //     diagnostic: user, ACN not supported (2)
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(names(d->anomalies), "");
  EXPECT_EQ(d->view.dialogue_pdu, DialoguePdu::kAare);
  EXPECT_EQ(d->view.result, 1);
}

TEST(Tcap, UnidirectionalWithAudt) {
  const Bytes message = {
      0x61, 0x2A,                          // Unidirectional [APPLICATION 1]
      0x6B, 0x1E,                          //   dialogue portion
      0x28, 0x1C,                          //     EXTERNAL
      0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x02, 0x01,  // unidialogue-as-id 0.0.17.773.1.2.1
      0xA0, 0x11,                          //       single-ASN1-type
      0x60, 0x0F,                          //         AUDT [APPLICATION 0]
      0x80, 0x02, 0x07, 0x80,              //           protocol-version
      0xA1, 0x09, 0x06, 0x07,              //           application-context-name
      0x04, 0x00, 0x00, 0x01, 0x00, 0x0C, 0x02,  //       0.4.0.0.1.0.12.2
      0x6C, 0x08,                          //   component portion
      0xA1, 0x06,                          //     invoke
      0x02, 0x01, 0x05,                    //       invokeID 5
      0x02, 0x01, 0x21,                    //       opCode 33
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(names(d->anomalies), "");
  EXPECT_EQ(d->view.type, TcapMessageType::kUnidirectional);
  EXPECT_FALSE(d->view.has_otid);
  EXPECT_FALSE(d->view.has_dtid);
  EXPECT_EQ(d->view.dialogue_pdu, DialoguePdu::kAudt);
  EXPECT_EQ(oid_text(d->view.application_context), "0.4.0.0.1.0.12.2");
  ASSERT_EQ(d->view.components_decoded, 1);
  EXPECT_EQ(d->view.components[0].opcode, 33);
}

TEST(Tcap, UnidirectionalWithoutDialogue) {
  const Bytes message = {
      0x61, 0x0A,                          // Unidirectional
      0x6C, 0x08,                          //   component portion
      0xA1, 0x06,                          //     invoke
      0x02, 0x01, 0x05,                    //       invokeID 5
      0x02, 0x01, 0x21,                    //       opCode 33
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(names(d->anomalies), "");
  EXPECT_FALSE(d->view.has_dialogue);
}

// --- Components ---------------------------------------------------------------------------------

TEST(TcapComponents, InvokeWithLinkedId) {
  auto d = decode(continue_with({
      0xA1, 0x09,        // invoke
      0x02, 0x01, 0x02,  //   invokeID 2
      0x80, 0x01, 0x01,  //   linkedID [0] 1
      0x02, 0x01, 0x2D,  //   opCode 45 (sendRoutingInfoForSM)
  }));
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  const TcapComponent& c = d->view.components[0];
  EXPECT_EQ(c.invoke_id, 2);
  EXPECT_TRUE(c.has_linked_id);
  EXPECT_EQ(c.linked_id, 1);
  EXPECT_EQ(c.opcode, 45);
  EXPECT_TRUE(c.parameter.empty());
}

// Q.773 (1997) / CAP: linkedId CHOICE { present [0], absent [1] NULL }.
TEST(TcapComponents, InvokeWithLinkedIdAbsent) {
  auto d = decode(continue_with({
      0xA1, 0x08,        // invoke
      0x02, 0x01, 0x02,  //   invokeID 2
      0x81, 0x00,        //   linkedId absent [1] NULL
      0x02, 0x01, 0x17,  //   opCode 23 (CAP requestReportBCSMEvent)
  }));
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(names(d->anomalies), "");
  EXPECT_FALSE(d->view.components[0].has_linked_id);
  EXPECT_EQ(d->view.components[0].opcode, 23);
}

TEST(TcapComponents, ReturnResultNotLast) {
  auto d = decode(continue_with({
      0xA7, 0x0D,                    // returnResultNotLast [7]
      0x02, 0x01, 0x01,              //   invokeID 1
      0x30, 0x08,                    //   result SEQUENCE
      0x02, 0x01, 0x38,              //     opCode 56 (sendAuthenticationInfo)
      0x30, 0x03, 0x04, 0x01, 0xCC,  //     parameter
  }));
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  const TcapComponent& c = d->view.components[0];
  EXPECT_EQ(c.type, ComponentType::kReturnResultNotLast);
  EXPECT_EQ(c.opcode, 56);
  EXPECT_EQ(bytes_of(c.parameter), (Bytes{0x30, 0x03, 0x04, 0x01, 0xCC}));
}

TEST(TcapComponents, ReturnResultWithOpcodeOnly) {
  auto d = decode(continue_with({
      0xA2, 0x08,        // returnResultLast
      0x02, 0x01, 0x01,  //   invokeID 1
      0x30, 0x03,        //   result SEQUENCE
      0x02, 0x01, 0x38,  //     opCode 56, no parameter
  }));
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(d->view.components[0].opcode, 56);
  EXPECT_TRUE(d->view.components[0].parameter.empty());
}

TEST(TcapComponents, ReturnErrorWithGlobalErrorCode) {
  auto d = decode(continue_with({
      0xA3, 0x0A,                          // returnError
      0x02, 0x01, 0x01,                    //   invokeID 1
      0x06, 0x05, 0x2A, 0x03, 0x04, 0x05, 0x06,  // errorCode globalValue 1.2.3.4.5.6
  }));
  EXPECT_EQ(d->status, DecodeStatus::kOk);  // only a global *operation* code is flagged
  EXPECT_EQ(names(d->anomalies), "");
  EXPECT_EQ(d->view.components[0].error_form, CodeForm::kGlobal);
}

TEST(TcapComponents, RejectWithInvokeId) {
  auto d = decode(continue_with({
      0xA4, 0x06,        // reject [4]
      0x02, 0x01, 0x01,  //   invokeID 1 (derivable)
      0x81, 0x01, 0x02,  //   invokeProblem [1]: mistypedParameter (2)
  }));
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  const TcapComponent& c = d->view.components[0];
  EXPECT_EQ(c.type, ComponentType::kReject);
  EXPECT_TRUE(c.has_invoke_id);
  EXPECT_EQ(c.invoke_id, 1);
  EXPECT_TRUE(c.has_problem);
  EXPECT_EQ(c.problem_type, 1);
  EXPECT_EQ(c.problem_code, 2);
}

TEST(TcapComponents, RejectWithoutInvokeId) {
  auto d = decode(continue_with({
      0xA4, 0x05,        // reject
      0x05, 0x00,        //   invokeID not-derivable (NULL)
      0x80, 0x01, 0x00,  //   generalProblem [0]: unrecognizedComponent (0)
  }));
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  const TcapComponent& c = d->view.components[0];
  EXPECT_FALSE(c.has_invoke_id);
  EXPECT_EQ(c.problem_type, 0);
  EXPECT_EQ(c.problem_code, 0);
}

TEST(TcapComponents, ComponentsAreRecordedInOrder) {
  auto d = decode(continue_with({
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x2D,  // invoke 1: opCode 45
      0xA2, 0x03, 0x02, 0x01, 0x00,                    // returnResultLast for invoke 0
      0xA1, 0x06, 0x02, 0x01, 0x02, 0x02, 0x01, 0x2E,  // invoke 2: opCode 46
  }));
  ASSERT_EQ(d->view.components_decoded, 3);
  EXPECT_EQ(d->view.components[0].opcode, 45);
  EXPECT_EQ(d->view.components[1].type, ComponentType::kReturnResultLast);
  EXPECT_EQ(d->view.components[2].invoke_id, 2);
  EXPECT_EQ(d->view.components[2].opcode, 46);
}

TEST(TcapComponents, TwoOctetInvokeIdAndOpcode) {
  auto d = decode(continue_with({
      0xA1, 0x08,              // invoke
      0x02, 0x02, 0x00, 0x80,  //   invokeID 128 (outside InvokeIdType, kept as sent)
      0x02, 0x02, 0x00, 0x96,  //   opCode 150
  }));
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(d->view.components[0].invoke_id, 128);
  EXPECT_EQ(d->view.components[0].opcode, 150);
}

// An opcode padded with redundant zero octets is still the opcode (a lenient peer acts on it).
TEST(TcapComponents, PaddedOpcodeStillDecodes) {
  auto d = decode(continue_with({
      0xA1, 0x0A,                                // invoke
      0x02, 0x01, 0x01,                          //   invokeID 1
      0x02, 0x05, 0x00, 0x00, 0x00, 0x00, 0x47,  //   opCode 71 in five octets
  }));
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(d->view.components[0].opcode, 71);
}

// --- Encodings ----------------------------------------------------------------------------------

TEST(TcapEncoding, ShortTransactionIds) {
  const Bytes message = {
      0x65, 0x10,        // Continue
      0x48, 0x01, 0x07,  //   otid 07 (1 octet: the minimum)
      0x49, 0x01, 0x08,  //   dtid 08
      0x6C, 0x08,        //   component portion
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02,
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kOk);
  EXPECT_EQ(bytes_of(d->view.otid), Bytes{0x07});
  EXPECT_EQ(bytes_of(d->view.dtid), Bytes{0x08});
}

// Indefinite lengths at every level (pwnss7 indefinite-length.pcap uses them): decoded, flagged.
const Bytes kIndefiniteBegin = {
    0x62, 0x80,                                      // Begin, indefinite
    0x48, 0x04, 0x11, 0x22, 0x33, 0x44,              //   otid
    0x6B, 0x80,                                      //   dialogue portion, indefinite
    0x28, 0x80,                                      //     EXTERNAL, indefinite
    0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01,  // dialogue-as-id
    0xA0, 0x80,                                      //       single-ASN1-type, indefinite
    0x60, 0x80,                                      //         AARQ, indefinite
    0x80, 0x02, 0x07, 0x80,                          //           protocol-version
    0xA1, 0x09, 0x06, 0x07,                          //           application-context-name
    0x04, 0x00, 0x00, 0x01, 0x00, 0x13, 0x02,        //             0.4.0.0.1.0.19.2
    0x00, 0x00,                                      //         end of AARQ
    0x00, 0x00,                                      //       end of [0]
    0x00, 0x00,                                      //     end of EXTERNAL
    0x00, 0x00,                                      //   end of dialogue portion
    0x6C, 0x80,                                      //   component portion, indefinite
    0xA1, 0x80,                                      //     invoke, indefinite
    0x02, 0x01, 0x01,                                //       invokeID 1
    0x02, 0x01, 0x3B,                                //       opCode 59 (processUnstructuredSS-Request)
    0x30, 0x80, 0x04, 0x01, 0x0F, 0x00, 0x00,        //       parameter, indefinite
    0x00, 0x00,                                      //     end of invoke
    0x00, 0x00,                                      //   end of component portion
    0x00, 0x00,                                      // end of Begin
};

TEST(TcapEncoding, IndefiniteLengths) {
  auto d = decode(kIndefiniteBegin);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "ber.indefinite_length");
  EXPECT_EQ(bytes_of(d->view.otid), (Bytes{0x11, 0x22, 0x33, 0x44}));
  EXPECT_EQ(d->view.dialogue_pdu, DialoguePdu::kAarq);
  EXPECT_EQ(oid_text(d->view.application_context), "0.4.0.0.1.0.19.2");
  ASSERT_EQ(d->view.components_decoded, 1);
  EXPECT_EQ(d->view.components[0].opcode, 59);
  // The parameter is the whole element, end-of-contents included.
  EXPECT_EQ(bytes_of(d->view.components[0].parameter), (Bytes{0x30, 0x80, 0x04, 0x01, 0x0F, 0x00, 0x00}));
}

TEST(TcapEncoding, NonMinimalLengths) {
  const Bytes message = {
      0x65, 0x81, 0x13,        // Continue, length 19 in the long form
      0x48, 0x81, 0x01, 0x01,  //   otid 01, length in the long form
      0x49, 0x01, 0x02,        //   dtid 02
      0x6C, 0x82, 0x00, 0x08,  //   component portion, length 8 in two octets
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02,  // invoke 1, opCode 2
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "ber.non_minimal_length");
  EXPECT_EQ(bytes_of(d->view.otid), Bytes{0x01});
  ASSERT_EQ(d->view.components_decoded, 1);
  EXPECT_EQ(d->view.components[0].opcode, 2);
}

TEST(TcapEncoding, DepthCapInAParameter) {
  Bytes parameter;
  for (unsigned i = 0; i < limits::kMaxBerDepth; ++i) parameter.insert(parameter.end(), {0x30, 0x80});
  for (unsigned i = 0; i < limits::kMaxBerDepth; ++i) parameter.insert(parameter.end(), {0x00, 0x00});
  auto d = decode(continue_with(tlv(0xA1, cat({
                                              {0x02, 0x01, 0x01},  // invokeID 1
                                              {0x02, 0x01, 0x02},  // opCode 2
                                              parameter,           // 12 nested indefinite SEQUENCEs
                                          }))));
  EXPECT_EQ(d->status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d->anomalies.has(Anomaly::kBerDepthCap));
  EXPECT_TRUE(d->anomalies.has(Anomaly::kTcapMalformed));
}

// Every prefix of a valid Begin: never a crash or a read past the prefix, never a clean result.
TEST(TcapEncoding, TruncatedAtEveryLength) {
  for (const Bytes* full : {&kBeginUpdateLocation, &kIndefiniteBegin, &kContinueWithAare}) {
    for (size_t n = 0; n < full->size(); ++n) {
      const Bytes prefix(full->begin(), full->begin() + static_cast<long>(n));
      auto d = decode(prefix);
      SCOPED_TRACE("prefix length " + std::to_string(n) + ": " + names(d->anomalies));
      EXPECT_NE(d->status, DecodeStatus::kOk);
      if (d->status == DecodeStatus::kMalformed) {
        EXPECT_TRUE(d->anomalies.has(Anomaly::kTcapMalformed));
      }
      if (n > 0) {
        EXPECT_TRUE(d->anomalies.has(Anomaly::kBerTruncated));
      }
      EXPECT_LE(d->view.components_decoded, 1);
      if (d->view.components_decoded == 1) {
        EXPECT_GT(d->view.components[0].opcode, 0);
      }
    }
  }
}

// A length that overstates the message while every inner element is complete (arkime
// m3ua_test.pcap does this): decoded as Wireshark does, flagged.
TEST(TcapEncoding, OverstatedOuterLength) {
  Bytes message = continue_with(kPlainInvoke);
  message[1] += 2;  // the Continue claims two octets more than there are
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "ber.truncated");
  ASSERT_EQ(d->view.components_decoded, 1);
  EXPECT_EQ(d->view.components[0].opcode, 2);
}

TEST(TcapEncoding, TrailingBytes) {
  Bytes message = continue_with(kPlainInvoke);
  message.push_back(0x00);  // after the outermost element
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "ber.trailing_bytes");
  EXPECT_EQ(d->view.components_decoded, 1);
}

// Bits from lower layers stay; the status reflects TCAP's own.
TEST(TcapEncoding, KeepsEarlierAnomaliesAndJudgesItsOwn) {
  auto message = continue_with(kPlainInvoke);
  TcapView view;
  AnomalySet anomalies;
  anomalies.set(Anomaly::kSccpSegmented);
  EXPECT_EQ(decode_tcap(ByteView{message.data(), static_cast<uint32_t>(message.size())}, view, anomalies),
            DecodeStatus::kOk);
  EXPECT_EQ(names(anomalies), "sccp.segmented");
}

TEST(TcapEncoding, ViewIsResetBetweenMessages) {
  auto first = continue_with(kPlainInvoke);
  const Bytes second = {0x67, 0x03, 0x49, 0x01, 0x02};  // Abort { dtid 02 }
  TcapView view;
  AnomalySet anomalies;
  decode_tcap(ByteView{first.data(), static_cast<uint32_t>(first.size())}, view, anomalies);
  decode_tcap(ByteView{second.data(), static_cast<uint32_t>(second.size())}, view, anomalies);
  EXPECT_FALSE(view.has_otid);
  EXPECT_EQ(view.component_count, 0);
  EXPECT_EQ(view.components_decoded, 0);
}

// decode_tcap resets the header fields one by one and each component as it fills it (the view
// is large): after any message, a reused view must read exactly as a fresh one.
void expect_same_view(const TcapView& reused, const TcapView& fresh) {
  EXPECT_EQ(reused.type, fresh.type);
  EXPECT_EQ(reused.ansi_package, fresh.ansi_package);
  EXPECT_EQ(reused.has_otid, fresh.has_otid);
  EXPECT_EQ(bytes_of(reused.otid), bytes_of(fresh.otid));
  EXPECT_EQ(reused.has_dtid, fresh.has_dtid);
  EXPECT_EQ(bytes_of(reused.dtid), bytes_of(fresh.dtid));
  EXPECT_EQ(reused.has_p_abort_cause, fresh.has_p_abort_cause);
  EXPECT_EQ(reused.p_abort_cause, fresh.p_abort_cause);
  EXPECT_EQ(reused.has_dialogue, fresh.has_dialogue);
  EXPECT_EQ(reused.dialogue_pdu, fresh.dialogue_pdu);
  EXPECT_EQ(bytes_of(reused.application_context), bytes_of(fresh.application_context));
  EXPECT_EQ(reused.has_protocol_version, fresh.has_protocol_version);
  EXPECT_EQ(reused.protocol_version, fresh.protocol_version);
  EXPECT_EQ(reused.has_abort_source, fresh.has_abort_source);
  EXPECT_EQ(reused.abort_source, fresh.abort_source);
  EXPECT_EQ(reused.has_result, fresh.has_result);
  EXPECT_EQ(reused.result, fresh.result);
  EXPECT_EQ(bytes_of(reused.user_information), bytes_of(fresh.user_information));
  EXPECT_EQ(reused.component_count, fresh.component_count);
  ASSERT_EQ(reused.components_decoded, fresh.components_decoded);
  for (unsigned i = 0; i < fresh.components_decoded; ++i) {
    const TcapComponent& a = reused.components[i];
    const TcapComponent& b = fresh.components[i];
    EXPECT_EQ(a.type, b.type);
    EXPECT_EQ(a.has_invoke_id, b.has_invoke_id);
    EXPECT_EQ(a.invoke_id, b.invoke_id);
    EXPECT_EQ(a.has_linked_id, b.has_linked_id);
    EXPECT_EQ(a.linked_id, b.linked_id);
    EXPECT_EQ(a.opcode_form, b.opcode_form);
    EXPECT_EQ(a.opcode, b.opcode);
    EXPECT_EQ(bytes_of(a.global_opcode), bytes_of(b.global_opcode));
    EXPECT_EQ(a.error_form, b.error_form);
    EXPECT_EQ(a.error_code, b.error_code);
    EXPECT_EQ(a.has_problem, b.has_problem);
    EXPECT_EQ(a.problem_type, b.problem_type);
    EXPECT_EQ(a.problem_code, b.problem_code);
    EXPECT_EQ(bytes_of(a.parameter), bytes_of(b.parameter));
  }
}

TEST(TcapEncoding, ReusedViewReadsAsAFreshOne) {
  const Bytes abort_with_abrt = {
      0x67, 0x1B,                          // Abort
      0x49, 0x01, 0x02,                    //   dtid 02
      0x6B, 0x16,                          //   dialogue portion
      0x28, 0x14,                          //     EXTERNAL
      0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01,  // dialogue-as-id
      0xA0, 0x09,                          //       single-ASN1-type
      0x64, 0x07,                          //         ABRT [APPLICATION 4]
      0x80, 0x01, 0x00,                    //           abort-source: dialogue-service-user
      0xBE, 0x02, 0x28, 0x00,              //           user-information [30] { EXTERNAL }
  };
  const Bytes reject = continue_with({0xA4, 0x06, 0x02, 0x01, 0x01, 0x81, 0x01, 0x02});
  const Bytes return_error = continue_with({0xA3, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x22});
  const Bytes p_abort = {0x67, 0x06, 0x49, 0x01, 0x02, 0x4A, 0x01, 0x01};
  const Bytes ansi = {0xE2, 0x00};
  const std::vector<Bytes> messages = {kBeginUpdateLocation, kContinueWithAare, abort_with_abrt, reject,
                                       return_error, p_abort, ansi, continue_with(kPlainInvoke)};
  // Every message after every other one, into the same view.
  for (const Bytes& before : messages) {
    for (const Bytes& message : messages) {
      auto reused = std::make_unique<TcapView>();
      AnomalySet ignored;
      decode_tcap(ByteView{before.data(), static_cast<uint32_t>(before.size())}, *reused, ignored);
      decode_tcap(ByteView{message.data(), static_cast<uint32_t>(message.size())}, *reused, ignored);
      auto fresh = decode(message);
      expect_same_view(*reused, fresh->view);
    }
  }
}

// --- One test per TCAP anomaly ------------------------------------------------------------------

TEST(TcapAnomaly, MalformedEmptyMessage) {
  auto d = decode({});
  EXPECT_EQ(d->status, DecodeStatus::kMalformed);
  EXPECT_EQ(names(d->anomalies), "tcap.malformed");
  EXPECT_EQ(d->view.type, TcapMessageType::kNone);
}

TEST(TcapAnomaly, MalformedInvokeWithoutOpcode) {
  auto d = decode(continue_with({
      0xA1, 0x03,        // invoke
      0x02, 0x01, 0x01,  //   invokeID 1, then nothing: opCode is mandatory
  }));
  EXPECT_EQ(d->status, DecodeStatus::kMalformed);
  EXPECT_EQ(names(d->anomalies), "tcap.malformed");
  EXPECT_EQ(d->view.components_decoded, 0);
}

TEST(TcapAnomaly, MalformedComponentLength) {
  auto d = decode(continue_with({
      0xA1, 0x08,                          // invoke claiming 8 octets
      0x02, 0x01, 0x01, 0x02, 0x01, 0x02,  //   only 6 follow
  }));
  EXPECT_EQ(d->status, DecodeStatus::kMalformed);
  EXPECT_EQ(names(d->anomalies), "ber.truncated,tcap.malformed");
}

TEST(TcapAnomaly, MalformedUnidirectionalWithoutComponents) {
  const Bytes message = {
      0x61, 0x00,  // Unidirectional with nothing: its component portion is mandatory
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kMalformed);
  EXPECT_EQ(names(d->anomalies), "tcap.malformed");
}

TEST(TcapAnomaly, MalformedKeepsEarlierComponents) {
  auto d = decode(continue_with(cat({
      kPlainInvoke,
      {0xA1, 0x03, 0x02, 0x01, 0x02},  // invoke 2 without opCode
  })));
  EXPECT_EQ(d->status, DecodeStatus::kMalformed);
  EXPECT_EQ(names(d->anomalies), "tcap.malformed,tcap.multiple_components");
  EXPECT_EQ(d->view.components_decoded, 1);
  EXPECT_EQ(d->view.component_count, 2);
}

TEST(TcapAnomaly, UnknownTagMessageType) {
  const Bytes message = {
      0x63, 0x03, 0x48, 0x01, 0x01,  // [APPLICATION 3]: no Q.773 message type
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kMalformed);
  EXPECT_EQ(names(d->anomalies), "tcap.malformed,tcap.unknown_tag");
  EXPECT_EQ(d->view.ansi_package, 0);
}

// ANSI TCAP (T1.114): recognised as such, not decoded.
TEST(TcapAnomaly, UnknownTagAnsiPackage) {
  const Bytes message = {
      0xE2, 0x0A,                    // ANSI Query With Permission [PRIVATE 2]
      0xC7, 0x04, 0x00, 0x00, 0x00, 0x48,  // transaction ids [PRIVATE 7]
      0xE8, 0x02, 0xE9, 0x00,        // component sequence [PRIVATE 8] { invoke-last [PRIVATE 9] }
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kMalformed);
  EXPECT_EQ(names(d->anomalies), "tcap.malformed,tcap.unknown_tag");
  EXPECT_EQ(d->view.ansi_package, 0xE2);
  EXPECT_EQ(d->view.type, TcapMessageType::kNone);
}

TEST(TcapAnomaly, UnknownTagInTransactionPortion) {
  const Bytes message = {
      0x65, 0x13,        // Continue
      0x48, 0x01, 0x01,  //   otid
      0x49, 0x01, 0x02,  //   dtid
      0x4D, 0x01, 0x00,  //   [APPLICATION 13]: not a Q.773 element
      0x6C, 0x08,        //   component portion
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02,
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.unknown_tag");
  EXPECT_EQ(d->view.components_decoded, 1);
}

TEST(TcapAnomaly, UnknownTagOtidInEnd) {
  const Bytes message = {
      0x64, 0x06,        // End
      0x48, 0x01, 0x01,  //   otid: End has none
      0x49, 0x01, 0x02,  //   dtid
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.unknown_tag");
  EXPECT_FALSE(d->view.has_otid);
  EXPECT_TRUE(d->view.has_dtid);
}

TEST(TcapAnomaly, UnknownTagComponentType) {
  auto d = decode(continue_with(cat({
      {0xA5, 0x03, 0x02, 0x01, 0x01},  // [5]: no Q.773 component
      kPlainInvoke,
  })));
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.unknown_tag");
  EXPECT_EQ(d->view.component_count, 1);
  EXPECT_EQ(d->view.components[0].opcode, 2);
}

TEST(TcapAnomaly, UnknownTagAfterParameter) {
  auto d = decode(continue_with({
      0xA1, 0x0C,                    // invoke
      0x02, 0x01, 0x01,              //   invokeID
      0x02, 0x01, 0x02,              //   opCode
      0x04, 0x01, 0xAA,              //   parameter
      0x04, 0x01, 0xBB,              //   a second "parameter": not Q.773's
  }));
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.unknown_tag");
  EXPECT_EQ(bytes_of(d->view.components[0].parameter), (Bytes{0x04, 0x01, 0xAA}));
}

TEST(TcapAnomaly, UnknownTagInDialoguePdu) {
  const Bytes message = {
      0x62, 0x29,                          // Begin
      0x48, 0x01, 0x01,                    //   otid
      0x6B, 0x1A,                          //   dialogue portion
      0x28, 0x18,                          //     EXTERNAL
      0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01,  // dialogue-as-id
      0xA0, 0x0D,                          //       single-ASN1-type
      0x60, 0x0B,                          //         AARQ
      0xA1, 0x09, 0x06, 0x07,              //           application-context-name
      0x04, 0x00, 0x00, 0x01, 0x00, 0x01, 0x03,
      0x6C, 0x08,                          //   component portion
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02,
  };
  auto ok = decode(message);
  EXPECT_EQ(names(ok->anomalies), "");  // the same Begin without protocol-version is clean
  Bytes with_extra = message;
  // Insert implementation-information [29] (X.227 AARQ, left out of Q.773's) after the ACN.
  const Bytes extra = {0x9D, 0x01, 0x00};
  with_extra.insert(with_extra.begin() + 2 + 3 + 2 + 2 + 9 + 2 + 2 + 11, extra.begin(), extra.end());
  with_extra[1] += 3;
  with_extra[6] += 3;
  with_extra[8] += 3;
  with_extra[19] += 3;
  with_extra[21] += 3;
  auto d = decode(with_extra);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.unknown_tag");
  EXPECT_EQ(oid_text(d->view.application_context), "0.4.0.0.1.0.1.3");
}

TEST(TcapAnomaly, UnknownTagSecondComponentPortionIsStillDecoded) {
  const Bytes message = {
      0x65, 0x1A,        // Continue
      0x48, 0x01, 0x01,  //   otid
      0x49, 0x01, 0x02,  //   dtid
      0x6C, 0x08,        //   component portion
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x2D,  // invoke 1, opCode 45
      0x6C, 0x08,        //   a second component portion
      0xA1, 0x06, 0x02, 0x01, 0x02, 0x02, 0x01, 0x47,  // invoke 2, opCode 71
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.unknown_tag,tcap.multiple_components");
  ASSERT_EQ(d->view.components_decoded, 2);
  EXPECT_EQ(d->view.components[1].opcode, 71);  // the hidden operation reaches the rules
}

TEST(TcapAnomaly, TidLengthTooLong) {
  const Bytes message = {
      0x65, 0x14,                                // Continue
      0x48, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05,  //   otid of 5 octets
      0x49, 0x01, 0x02,                          //   dtid
      0x6C, 0x08,                                //   component portion
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02,
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.tid_length");
  EXPECT_EQ(bytes_of(d->view.otid), (Bytes{0x01, 0x02, 0x03, 0x04, 0x05}));  // kept whole
  EXPECT_EQ(d->view.components_decoded, 1);
}

TEST(TcapAnomaly, TidLengthEmpty) {
  const Bytes message = {
      0x64, 0x02,  // End
      0x49, 0x00,  //   dtid of 0 octets
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.tid_length");
  EXPECT_TRUE(d->view.has_dtid);
  EXPECT_EQ(d->view.dtid.size, 0u);
}

TEST(TcapAnomaly, MissingTidInBegin) {
  auto begin = kBeginUpdateLocation;
  begin.erase(begin.begin() + 2, begin.begin() + 8);  // drop the otid
  begin[1] -= 6;
  auto d = decode(begin);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.missing_tid");
  EXPECT_FALSE(d->view.has_otid);
  EXPECT_EQ(d->view.components_decoded, 1);
}

TEST(TcapAnomaly, MissingTidDtidInContinue) {
  const Bytes message = {
      0x65, 0x0D,        // Continue
      0x48, 0x01, 0x01,  //   otid, but no dtid
      0x6C, 0x08,        //   component portion
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02,
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.missing_tid");
}

TEST(TcapAnomaly, GlobalOpcode) {
  auto d = decode(continue_with({
      0xA1, 0x09,                          // invoke
      0x02, 0x01, 0x01,                    //   invokeID 1
      0x06, 0x04, 0x2B, 0x06, 0x01, 0x04,  //   opCode globalValue 1.3.6.1.4
  }));
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.global_opcode");
  const TcapComponent& c = d->view.components[0];
  EXPECT_EQ(c.opcode_form, CodeForm::kGlobal);
  EXPECT_EQ(oid_text(c.global_opcode), "1.3.6.1.4");
}

TEST(TcapAnomaly, GlobalOpcodeInReturnResult) {
  auto d = decode(continue_with({
      0xA2, 0x0A,                    // returnResultLast
      0x02, 0x01, 0x01,              //   invokeID
      0x30, 0x05,                    //   result
      0x06, 0x03, 0x2B, 0x06, 0x01,  //     opCode globalValue 1.3.6.1
  }));
  EXPECT_EQ(names(d->anomalies), "tcap.global_opcode");
  EXPECT_EQ(d->view.components[0].opcode_form, CodeForm::kGlobal);
}

TEST(TcapAnomaly, MultipleComponents) {
  auto d = decode(continue_with(cat({
      kPlainInvoke,
      {0xA1, 0x06, 0x02, 0x01, 0x02, 0x02, 0x01, 0x47},  // invoke 2, opCode 71
  })));
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.multiple_components");
  EXPECT_EQ(d->view.component_count, 2);
  EXPECT_EQ(d->view.components_decoded, 2);
}

TEST(TcapAnomaly, ComponentCap) {
  Bytes components;
  const unsigned total = limits::kMaxComponents + 3;
  for (unsigned i = 0; i < total; ++i)
    components.insert(components.end(), {0xA1, 0x06, 0x02, 0x01, static_cast<uint8_t>(i), 0x02, 0x01, 0x02});
  auto d = decode(continue_with(components));  // component portion length in the long form
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.multiple_components,tcap.component_cap");
  EXPECT_EQ(d->view.component_count, static_cast<uint16_t>(total));
  EXPECT_EQ(d->view.components_decoded, static_cast<uint8_t>(limits::kMaxComponents));
  EXPECT_EQ(d->view.components[limits::kMaxComponents - 1].invoke_id, static_cast<int32_t>(limits::kMaxComponents - 1));
}

TEST(TcapAnomaly, NoDialogue) {
  const Bytes message = {
      0x62, 0x0D,        // Begin
      0x48, 0x01, 0x01,  //   otid, and no dialogue portion (MAP v1 style)
      0x6C, 0x08,        //   component portion
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x16,  // invoke, opCode 22 (sendRoutingInfo)
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.no_dialogue");
  EXPECT_FALSE(d->view.has_dialogue);
  EXPECT_EQ(d->view.components[0].opcode, 22);
}

// pwnss7 overflow-acn.pcap: an unknown (and oversized) direct-reference. The AARQ is still read,
// so its application context is seen, and the dialogue is flagged.
TEST(TcapAnomaly, BadDialogueUnknownDirectReference) {
  auto begin = kBeginUpdateLocation;
  begin[18] = 0x02;  // dialogue-as-id 0.0.17.773.1.1.1 becomes 0.0.17.773.2.1.1
  auto d = decode(begin);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.bad_dialogue");
  EXPECT_EQ(d->view.dialogue_pdu, DialoguePdu::kAarq);
  EXPECT_EQ(oid_text(d->view.application_context), "0.4.0.0.1.0.1.3");
  EXPECT_EQ(d->view.components_decoded, 1);
}

TEST(TcapAnomaly, BadDialogueWithoutApplicationContext) {
  const Bytes message = {
      0x62, 0x20,                          // Begin
      0x48, 0x01, 0x01,                    //   otid
      0x6B, 0x11,                          //   dialogue portion
      0x28, 0x0F,                          //     EXTERNAL
      0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01,  // dialogue-as-id
      0xA0, 0x04,                          //       single-ASN1-type
      0x60, 0x02,                          //         AARQ
      0x80, 0x00,                          //           protocol-version, empty: and no ACN
      0x6C, 0x08,                          //   component portion
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02,
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.bad_dialogue");
  EXPECT_TRUE(d->view.application_context.empty());
  EXPECT_EQ(d->view.components_decoded, 1);  // components decoded regardless
}

TEST(TcapAnomaly, BadDialogueNotAnExternal) {
  const Bytes message = {
      0x62, 0x12,        // Begin
      0x48, 0x01, 0x01,  //   otid
      0x6B, 0x03,        //   dialogue portion
      0x04, 0x01, 0x00,  //     OCTET STRING where the EXTERNAL belongs
      0x6C, 0x08,        //   component portion
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02,
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.bad_dialogue");
  EXPECT_TRUE(d->view.has_dialogue);
  EXPECT_EQ(d->view.components_decoded, 1);
}

TEST(TcapAnomaly, BadDialogueAarqInEnd) {
  // The Begin's dialogue portion and component portion, re-wrapped as an End.
  const Bytes& begin = kBeginUpdateLocation;
  Bytes body = {0x49, 0x01, 0x02};                   // dtid 02
  body.insert(body.end(), begin.begin() + 8, begin.end());  // dialogue portion (AARQ), components
  auto d = decode(tlv(0x64, body));
  EXPECT_EQ(names(d->anomalies), "tcap.bad_dialogue,tcap.invoke_in_end");
  EXPECT_EQ(d->view.dialogue_pdu, DialoguePdu::kAarq);
}

TEST(TcapAnomaly, BadDialogueInnerLengthIsContained) {
  auto begin = kBeginUpdateLocation;
  begin[24] = 0x30;  // AARQ's length now runs past the single-ASN1-type that holds it
  auto d = decode(begin);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "ber.truncated,tcap.bad_dialogue");
  EXPECT_EQ(d->view.components_decoded, 1);
}

TEST(TcapAnomaly, BadDialogueOverlongApplicationContext) {
  Bytes acn = {0x04, 0x00, 0x00, 0x01};
  acn.resize(limits::kMaxOidBytes + 1, 0x01);  // 0.4.0.0.1.1.1...: in the tree, but too long
  const Bytes aarq = tlv(0x60, tlv(0xA1, tlv(0x06, acn)));
  const Bytes external = tlv(0x28, cat({{0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01}, tlv(0xA0, aarq)}));
  auto d = decode(tlv(0x62, cat({{0x48, 0x01, 0x01}, tlv(0x6B, external), tlv(0x6C, kPlainInvoke)})));
  EXPECT_EQ(names(d->anomalies), "tcap.bad_dialogue");
  EXPECT_EQ(d->view.application_context.size, limits::kMaxOidBytes + 1);
}

TEST(TcapAnomaly, ExtendedAc) {
  const Bytes acn = {0x2B, 0x06, 0x01, 0x04, 0x01};  // 1.3.6.1.4.1: outside 0.4.0.0.1
  const Bytes aarq = tlv(0x60, tlv(0xA1, tlv(0x06, acn)));
  const Bytes external = tlv(0x28, cat({{0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01}, tlv(0xA0, aarq)}));
  auto d = decode(tlv(0x62, cat({{0x48, 0x01, 0x01}, tlv(0x6B, external), tlv(0x6C, kPlainInvoke)})));
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.extended_ac");
  EXPECT_EQ(oid_text(d->view.application_context), "1.3.6.1.4.1");
}

TEST(TcapAnomaly, ExtendedAcJustTheTreeRoot) {
  const Bytes acn = {0x04, 0x00, 0x00, 0x01};  // 0.4.0.0.1 itself names no context
  const Bytes aarq = tlv(0x60, tlv(0xA1, tlv(0x06, acn)));
  const Bytes external = tlv(0x28, cat({{0x06, 0x07, 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01}, tlv(0xA0, aarq)}));
  auto d = decode(tlv(0x62, cat({{0x48, 0x01, 0x01}, tlv(0x6B, external), tlv(0x6C, kPlainInvoke)})));
  EXPECT_EQ(names(d->anomalies), "tcap.extended_ac");
}

// pwnss7 negative-opcode.pcap: opCode -666. tshark calls it malformed; it is decoded and flagged.
TEST(TcapAnomaly, NegativeOpcode) {
  auto d = decode(continue_with({
      0xA1, 0x07,              // invoke
      0x02, 0x01, 0x01,        //   invokeID 1
      0x02, 0x02, 0xFD, 0x66,  //   opCode localValue -666
  }));
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.negative_opcode");
  EXPECT_EQ(d->view.components[0].opcode_form, CodeForm::kLocal);
  EXPECT_EQ(d->view.components[0].opcode, -666);
}

TEST(TcapAnomaly, InvokeInEnd) {
  const Bytes message = {
      0x64, 0x10,                          // End
      0x49, 0x04, 0x11, 0x22, 0x33, 0x44,  //   dtid
      0x6C, 0x08,                          //   component portion
      0xA1, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x03,  // invoke, opCode 3 (cancelLocation)
  };
  auto d = decode(message);
  EXPECT_EQ(d->status, DecodeStatus::kAnomaly);
  EXPECT_EQ(names(d->anomalies), "tcap.invoke_in_end");
  EXPECT_EQ(d->view.components[0].opcode, 3);
}

// --- The shortcuts against the general walk -------------------------------------------------------

// decode_tcap reads the usual dialogue portion (dialogue-as-id, AARQ or AARE, short lengths) and
// the usual Invoke / ReturnResult straight off the octets; decode_tcap_reference always takes
// the general BER walk. They must agree on everything, for every message: here every octet of
// each canonical message replaced by every value, every truncation, and each message type in
// front.
std::string difference(const Bytes& message) {
  const ByteView input{message.data(), static_cast<uint32_t>(message.size())};
  TcapView fast, reference;
  AnomalySet fast_anomalies, reference_anomalies;
  const DecodeStatus fast_status = decode_tcap(input, fast, fast_anomalies);
  const DecodeStatus reference_status = decode_tcap_reference(input, reference, reference_anomalies);
  auto same = [](ByteView a, ByteView b) { return a.data == b.data && a.size == b.size; };
  if (fast_status != reference_status) return "status";
  if (names(fast_anomalies) != names(reference_anomalies))
    return "anomalies " + names(fast_anomalies) + " vs " + names(reference_anomalies);
  if (fast.type != reference.type || fast.ansi_package != reference.ansi_package) return "type";
  if (fast.has_otid != reference.has_otid || !same(fast.otid, reference.otid)) return "otid";
  if (fast.has_dtid != reference.has_dtid || !same(fast.dtid, reference.dtid)) return "dtid";
  if (fast.has_p_abort_cause != reference.has_p_abort_cause || fast.p_abort_cause != reference.p_abort_cause)
    return "p-abort cause";
  if (fast.has_dialogue != reference.has_dialogue || fast.dialogue_pdu != reference.dialogue_pdu) return "dialogue pdu";
  if (!same(fast.application_context, reference.application_context)) return "application context";
  if (fast.has_protocol_version != reference.has_protocol_version || fast.protocol_version != reference.protocol_version)
    return "protocol version";
  if (fast.has_abort_source != reference.has_abort_source || fast.abort_source != reference.abort_source)
    return "abort source";
  if (fast.has_result != reference.has_result || fast.result != reference.result) return "result";
  if (!same(fast.user_information, reference.user_information)) return "user information";
  if (fast.component_count != reference.component_count || fast.components_decoded != reference.components_decoded)
    return "component counts";
  for (unsigned i = 0; i < fast.components_decoded; ++i) {
    const TcapComponent& a = fast.components[i];
    const TcapComponent& b = reference.components[i];
    if (a.type != b.type || a.has_invoke_id != b.has_invoke_id || a.invoke_id != b.invoke_id ||
        a.has_linked_id != b.has_linked_id || a.linked_id != b.linked_id || a.opcode_form != b.opcode_form ||
        a.opcode != b.opcode || !same(a.global_opcode, b.global_opcode) || a.error_form != b.error_form ||
        a.error_code != b.error_code || a.has_problem != b.has_problem || a.problem_type != b.problem_type ||
        a.problem_code != b.problem_code || !same(a.parameter, b.parameter))
      return "component " + std::to_string(i);
  }
  return "";
}

TEST(TcapDialogueShortcut, AgreesWithTheGeneralWalkOnEveryMutation) {
  unsigned compared = 0;
  for (const Bytes& canonical : {kBeginUpdateLocation, kContinueWithAare}) {
    for (uint8_t type : {0x61, 0x62, 0x64, 0x65, 0x67}) {  // Unidirectional, Begin, End, Continue, Abort
      Bytes message = canonical;
      message[0] = type;
      ASSERT_EQ(difference(message), "") << "type " << int(type);
      for (size_t cut = 0; cut < message.size(); ++cut)
        ASSERT_EQ(difference(Bytes(message.begin(), message.begin() + cut)), "") << "cut at " << cut;
      for (size_t at = 0; at < message.size(); ++at) {
        for (unsigned value = 0; value < 256; ++value) {
          Bytes mutated = message;
          mutated[at] = static_cast<uint8_t>(value);
          ASSERT_EQ(difference(mutated), "") << "type " << int(type) << ", octet " << at << " = " << value;
          ++compared;
        }
      }
    }
  }
  EXPECT_GT(compared, 90000u);
}

// The same for the component shortcut, with parameters long enough for the 0x81 and 0x82
// length forms (the mutations of the first and last octets; every truncation).
TEST(TcapComponentShortcut, AgreesWithTheGeneralWalkOnLongParameters) {
  const Bytes invoke_81 = continue_with(tlv(0xA1, cat({{0x02, 0x01, 0x05}, {0x02, 0x01, 0x2D}, tlv(0x30, Bytes(200, 0x04))})));
  const Bytes result_82 = continue_with(
      tlv(0xA2, cat({{0x02, 0x01, 0x05}, tlv(0x30, cat({{0x02, 0x01, 0x2D}, tlv(0x30, Bytes(300, 0x55))}))})));
  for (const Bytes& message : {invoke_81, result_82}) {
    ASSERT_EQ(difference(message), "");
    for (size_t cut = 0; cut < message.size(); ++cut)
      ASSERT_EQ(difference(Bytes(message.begin(), message.begin() + cut)), "") << "cut at " << cut;
    for (size_t at = 0; at < message.size(); at = at < 24 || at + 6 >= message.size() ? at + 1 : message.size() - 6) {
      for (unsigned value = 0; value < 256; ++value) {
        Bytes mutated = message;
        mutated[at] = static_cast<uint8_t>(value);
        ASSERT_EQ(difference(mutated), "") << "octet " << at << " = " << value;
      }
    }
  }
}

TEST(TcapDialogueShortcut, TakesTheCommonDialogues) {
  // The canonical AARQ and AARE are what the shortcut is for: decoded as the general walk does
  // (checked above), with their fields as the tests at the top expect.
  auto begin = decode(kBeginUpdateLocation);
  EXPECT_EQ(begin->view.dialogue_pdu, DialoguePdu::kAarq);
  EXPECT_EQ(begin->view.user_information.size, 15u);
  auto answer = decode(kContinueWithAare);
  EXPECT_EQ(answer->view.dialogue_pdu, DialoguePdu::kAare);
  EXPECT_TRUE(answer->view.has_result);
}

}  // namespace
}  // namespace sigwall
