// TCAP (ITU-T Q.773, BER): Unidirectional, Begin, End, Continue, Abort; transaction ids of any
// length (anomaly outside 1-4 bytes); the dialogue portion (AARQ/AARE/ABRT/AUDT with the
// application-context name and protocol version, Q.773 §4.2.2 / X.227 via Q.773 Table 50);
// every component (Invoke, ReturnResult(Not)Last, ReturnError, Reject) with invokeId,
// linkedId and a local or global operation code.
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "ber.h"
#include "cursor.h"
#include "limits.h"
#include "status.h"

namespace sigwall {

enum class TcapMessageType : uint8_t {
  kNone = 0,
  kUnidirectional = 1,  // [APPLICATION 1]
  kBegin = 2,           // [APPLICATION 2]
  kEnd = 4,             // [APPLICATION 4]
  kContinue = 5,        // [APPLICATION 5]
  kAbort = 7,           // [APPLICATION 7]
};

// Numbered as Wireshark's gsm_map.old.Component / tcap.Component choice values.
enum class ComponentType : uint8_t {
  kInvoke = 1,
  kReturnResultLast = 2,
  kReturnError = 3,
  kReject = 4,
  kReturnResultNotLast = 7,
};

enum class CodeForm : uint8_t { kNone = 0, kLocal = 1, kGlobal = 2 };

enum class DialoguePdu : uint8_t {
  kNone = 0,
  kAarq = 1,  // dialogue request  [APPLICATION 0]
  kAare = 2,  // dialogue response [APPLICATION 1]
  kAbrt = 3,  // dialogue abort    [APPLICATION 4]
  kAudt = 4,  // unidirectional dialogue [APPLICATION 0] in the unidialogue-as-id
};

struct TcapComponent {
  ComponentType type = ComponentType::kInvoke;
  bool has_invoke_id = false;
  int32_t invoke_id = 0;
  bool has_linked_id = false;
  int32_t linked_id = 0;
  // Invoke: the operation; ReturnResult: the operation inside the result sequence, if any.
  CodeForm opcode_form = CodeForm::kNone;
  int32_t opcode = 0;
  ByteView global_opcode;  // OID contents when opcode_form == kGlobal
  // ReturnError: the error code.
  CodeForm error_form = CodeForm::kNone;
  int32_t error_code = 0;
  // Reject: the problem (tag of the chosen problem type 0..3 and its code).
  bool has_problem = false;
  uint8_t problem_type = 0;
  int32_t problem_code = 0;
  // The operation's argument / result / error parameter: the whole BER element (tag included),
  // empty when absent. MAP and CAP decoders start here.
  ByteView parameter;
};

struct TcapView {
  TcapMessageType type = TcapMessageType::kNone;
  // ANSI TCAP (T1.114) is recognised, not decoded: the package type's identifier octet
  // (0xE1..0xE6, 0xF6) when the message is one, with tcap.unknown_tag and kMalformed.
  uint8_t ansi_package = 0;
  bool has_otid = false;
  ByteView otid;  // full value (its length may be anything; tcap.tid_length flags 0 or > 4)
  bool has_dtid = false;
  ByteView dtid;
  bool has_p_abort_cause = false;
  uint8_t p_abort_cause = 0;

  // Dialogue portion.
  bool has_dialogue = false;
  DialoguePdu dialogue_pdu = DialoguePdu::kNone;
  ByteView application_context;  // OID contents
  bool has_protocol_version = false;
  uint8_t protocol_version = 0;  // bit string value octet
  bool has_abort_source = false;
  uint8_t abort_source = 0;      // ABRT abort-source
  bool has_result = false;
  uint8_t result = 0;            // AARE result (accepted/reject-permanent)
  ByteView user_information;     // the user-information [30] contents (e.g. MAP-OpenInfo)

  // Components, in order. component_count counts all seen, even beyond kMaxComponents.
  uint16_t component_count = 0;
  uint8_t components_decoded = 0;
  TcapComponent components[limits::kMaxComponents];
};

DecodeStatus decode_tcap(ByteView message, TcapView& out, AnomalySet& anomalies);

// decode_tcap without its shortcut for the common dialogue portion (the general BER walk
// decides every message): the reference the shortcut is tested and fuzzed against. Same view,
// same anomalies, same status for every input.
DecodeStatus decode_tcap_reference(ByteView message, TcapView& out, AnomalySet& anomalies);

}  // namespace sigwall
