// TCAP (ITU-T Q.773 and its ASN.1 modules TCAPMessages, DialoguePDUs, UnidialoguePDUs).
//
// Policy of this decoder, so that an evasion is always either seen through or flagged:
// - BER deviations (indefinite or non-minimal lengths) are decoded; the BER reader flags them.
// - An element Q.773 does not define where it appears (unknown, duplicated, out of order) sets
//   tcap.unknown_tag and is skipped, except a second component portion, whose components are
//   still recorded so that rules see every operation.
// - A mandatory element that is missing or not of its type, or a BER failure, stops the layer
//   (tcap.malformed, kMalformed); what was decoded before stays in the view.
// - A dialogue portion that is not what Q.773 defines sets tcap.bad_dialogue; the components
//   are decoded regardless (the dialogue is only a hint for the operation's context).
#include "tcap.h"

#include <array>
#include <cstddef>
#include <cstring>
#include <iterator>

namespace sigwall {
namespace {

// --- Data tables ---------------------------------------------------------------------------

// Transaction portion tags (Q.773 TCAPMessages: OrigTransactionID ... ComponentPortion).
namespace tcap_tag {
inline constexpr uint32_t kOtid = 8, kDtid = 9, kPAbortCause = 10, kDialoguePortion = 11,
                          kComponentPortion = 12;
}

// Q.773 TCAPMessages MessageType: the tag of each message type and which transaction-portion
// elements it carries (Begin ::= SEQUENCE { otid, dialoguePortion OPTIONAL, components OPTIONAL }...).
struct MessageTypeSpec {
  uint32_t tag;  // [APPLICATION n]
  TcapMessageType type;
  bool needs_otid;
  bool needs_dtid;
  bool has_components;        // may carry a component portion
  bool components_mandatory;  // Unidirectional: components ComponentPortion (not OPTIONAL)
  bool has_abort_cause;       // Abort: reason CHOICE { p-abortCause, u-abortCause }
};

inline constexpr MessageTypeSpec kMessageTypes[] = {
    {1, TcapMessageType::kUnidirectional, false, false, true, true, false},
    {2, TcapMessageType::kBegin, true, false, true, false, false},
    {4, TcapMessageType::kEnd, false, true, true, false, false},
    {5, TcapMessageType::kContinue, true, true, true, false, false},
    {7, TcapMessageType::kAbort, false, true, false, false, true},
};

// ANSI T1.114 package types ([PRIVATE n] constructed): Unidirectional 1, Query with / without
// permission 2 / 3, Response 4, Conversation with / without permission 5 / 6, Abort 22. Only
// recognised, so that ANSI TCAP is reported as such rather than as noise.
inline constexpr uint32_t kAnsiPackageTags[] = {1, 2, 3, 4, 5, 6, 22};

// Q.773 TCAPMessages Component CHOICE (context tags); numbered like the ComponentType enum.
struct ComponentSpec {
  uint32_t tag;
  ComponentType type;
};
inline constexpr ComponentSpec kComponentTypes[] = {
    {1, ComponentType::kInvoke},
    {2, ComponentType::kReturnResultLast},
    {3, ComponentType::kReturnError},
    {4, ComponentType::kReject},
    {7, ComponentType::kReturnResultNotLast},
};

// Reject problem CHOICE: general [0], invoke [1], returnResult [2], returnError [3].
inline constexpr uint32_t kMaxRejectProblemTag = 3;

// Object identifiers, as BER contents octets.
inline constexpr uint8_t kDialogueAsId[] = {0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01};     // 0.0.17.773.1.1.1
inline constexpr uint8_t kUnidialogueAsId[] = {0x00, 0x11, 0x86, 0x05, 0x01, 0x02, 0x01};  // 0.0.17.773.1.2.1
// 0.4.0.0.1: the ETSI/3GPP mobile domain, under which every MAP (TS 29.002
// MAP-ApplicationContexts) and CAP (TS 29.078) application context lives.
inline constexpr uint8_t kMapCapAcPrefix[] = {0x04, 0x00, 0x00, 0x01};

// Dialogue PDUs (Q.773 DialoguePDUs / UnidialoguePDUs modules) and where each may be carried
// (Q.774 dialogue handling: AARQ opens a dialogue in Begin, AARE answers in the first Continue or
// End, or refuses it in Abort; ABRT travels in Abort; AUDT only in Unidirectional).
enum class DialogueField : uint8_t {
  kProtocolVersion,         // [0] IMPLICIT BIT STRING DEFAULT {version1}
  kApplicationContext,      // [1] OBJECT IDENTIFIER
  kResult,                  // [2] Associate-result
  kResultSourceDiagnostic,  // [3] Associate-source-diagnostic
  kAbortSource,             // [0] IMPLICIT ABRT-source
  kUserInformation,         // [30] IMPLICIT SEQUENCE OF EXTERNAL
};

struct DialogueFieldSpec {
  uint32_t tag;  // context tag inside the APDU
  DialogueField field;
  bool mandatory;
};

inline constexpr DialogueFieldSpec kAarqFields[] = {
    {0, DialogueField::kProtocolVersion, false},
    {1, DialogueField::kApplicationContext, true},
    {30, DialogueField::kUserInformation, false},
};
inline constexpr DialogueFieldSpec kAareFields[] = {
    {0, DialogueField::kProtocolVersion, false},
    {1, DialogueField::kApplicationContext, true},
    {2, DialogueField::kResult, true},
    {3, DialogueField::kResultSourceDiagnostic, true},
    {30, DialogueField::kUserInformation, false},
};
inline constexpr DialogueFieldSpec kAbrtFields[] = {
    {0, DialogueField::kAbortSource, true},
    {30, DialogueField::kUserInformation, false},
};
inline constexpr DialogueFieldSpec kAudtFields[] = {
    {0, DialogueField::kProtocolVersion, false},
    {1, DialogueField::kApplicationContext, true},
    {30, DialogueField::kUserInformation, false},
};

inline constexpr unsigned kMaxDialogueFields = 8;

// dialogue_pdu looks each field up after the previous one: the tables must be in tag order.
template <size_t N>
constexpr bool in_tag_order(const DialogueFieldSpec (&fields)[N]) {
  for (size_t i = 1; i < N; ++i)
    if (fields[i - 1].tag >= fields[i].tag) return false;
  return true;
}
static_assert(in_tag_order(kAarqFields) && in_tag_order(kAareFields) && in_tag_order(kAbrtFields) &&
                  in_tag_order(kAudtFields),
              "dialogue field tables in ascending tag order");

struct DialoguePduSpec {
  bool unidialogue;  // abstract syntax: unidialogue-as-id (true) or dialogue-as-id
  uint32_t tag;      // [APPLICATION n]
  DialoguePdu pdu;
  const DialogueFieldSpec* fields;
  uint8_t field_count;
  uint8_t carried_in;  // bit (1 << TcapMessageType)
  uint8_t mandatory;   // bit i: fields[i] is mandatory
  // One past the index in `fields` of each context tag number (0: no such field): the field of
  // a tag in one load instead of a scan of `fields`, for common_dialogue (every message with
  // a dialogue portion). Tag 31 (a high tag number follows) is no field.
  std::array<uint8_t, 32> field_by_tag;
};

template <size_t N>
constexpr uint8_t mandatory_fields(const DialogueFieldSpec (&fields)[N]) {
  static_assert(N <= 8, "one bit per field");
  uint8_t mask = 0;
  for (size_t i = 0; i < N; ++i)
    if (fields[i].mandatory) mask = static_cast<uint8_t>(mask | (1u << i));
  return mask;
}

template <size_t N>
constexpr std::array<uint8_t, 32> fields_by_tag(const DialogueFieldSpec (&fields)[N]) {
  std::array<uint8_t, 32> by_tag{};
  for (size_t i = 0; i < N; ++i) by_tag[fields[i].tag] = static_cast<uint8_t>(i + 1);
  return by_tag;
}

constexpr uint8_t bit(TcapMessageType t) { return static_cast<uint8_t>(1u << static_cast<unsigned>(t)); }

inline constexpr DialoguePduSpec kDialoguePdus[] = {
    {false, 0, DialoguePdu::kAarq, kAarqFields, static_cast<uint8_t>(std::size(kAarqFields)), bit(TcapMessageType::kBegin),
     mandatory_fields(kAarqFields), fields_by_tag(kAarqFields)},
    {false, 1, DialoguePdu::kAare, kAareFields, static_cast<uint8_t>(std::size(kAareFields)),
     static_cast<uint8_t>(bit(TcapMessageType::kContinue) | bit(TcapMessageType::kEnd) | bit(TcapMessageType::kAbort)),
     mandatory_fields(kAareFields), fields_by_tag(kAareFields)},
    {false, 4, DialoguePdu::kAbrt, kAbrtFields, static_cast<uint8_t>(std::size(kAbrtFields)), bit(TcapMessageType::kAbort),
     mandatory_fields(kAbrtFields), fields_by_tag(kAbrtFields)},
    {true, 0, DialoguePdu::kAudt, kAudtFields, static_cast<uint8_t>(std::size(kAudtFields)), bit(TcapMessageType::kUnidirectional),
     mandatory_fields(kAudtFields), fields_by_tag(kAudtFields)},
};
static_assert(std::size(kAareFields) <= kMaxDialogueFields, "largest dialogue APDU");

// --- Helpers -------------------------------------------------------------------------------

// The OIDs compared here are 4 to 8 octets: two overlapping 4-octet compares instead of a
// memcmp call (two per message, for the dialogue's abstract syntax).
bool equals(ByteView view, const uint8_t* bytes, uint32_t size) {
  if (view.size != size) return false;
  if (size < 4 || size > 8) return std::memcmp(view.data, bytes, size) == 0;
  uint32_t a_head, b_head, a_tail, b_tail;
  std::memcpy(&a_head, view.data, 4);
  std::memcpy(&b_head, bytes, 4);
  std::memcpy(&a_tail, view.data + size - 4, 4);
  std::memcpy(&b_tail, bytes + size - 4, 4);
  return a_head == b_head && a_tail == b_tail;
}

bool starts_with(ByteView view, const uint8_t* bytes, uint32_t size) {
  return view.size >= size && equals(view.sub(0, size), bytes, size);
}

// The whole encoding of `element` (identifier, length, contents, end-of-contents) inside the
// view its reader walked.
ByteView element_bytes(ByteView walked, const BerElement& element) {
  return walked.sub(element.offset, element.total_length);
}

bool is_primitive_integer(const BerElement& e) {
  return e.is_universal(ber_tag::kInteger) && !e.constructed;
}

bool is_primitive_oid(const BerElement& e) {
  return e.is_universal(ber_tag::kObjectIdentifier) && !e.constructed;
}

// X.690 §8.19: at least one subidentifier, and the last octet ends one (bit 8 clear).
bool well_formed_oid(ByteView contents) {
  return contents.size > 0 && (contents.data[contents.size - 1] & 0x80) == 0;
}

class TcapDecoder {
 public:
  TcapDecoder(TcapView& view, AnomalySet& anomalies, bool shortcuts)
      : view_(view), anomalies_(anomalies), shortcuts_(shortcuts) {}

  // False when the message is malformed (tcap.malformed is then set).
  bool decode(ByteView message);

 private:
  void flag(Anomaly a) { anomalies_.set(a); }
  bool malformed() {
    flag(Anomaly::kTcapMalformed);
    return false;
  }

  bool transaction_portion(const MessageTypeSpec& spec, BerReader& body);
  bool transaction_id(const BerElement& e, bool& has, ByteView& out);

  void dialogue_portion(BerReader& body, const BerElement& portion);
  bool common_dialogue(ByteView external);
  bool dialogue_pdu(BerReader& encoding, bool unidialogue);
  [[gnu::always_inline]] inline bool dialogue_field(BerReader& pdu, const BerElement& e, DialogueField field);

  bool component_portion(BerReader& body, const BerElement& portion);
  bool component(BerReader& reader, ByteView walked, TcapComponent& c);
  bool common_component(ByteView contents, TcapComponent& c);
  bool invoke(BerReader& reader, ByteView walked, TcapComponent& c);
  bool return_result(BerReader& reader, TcapComponent& c);
  bool return_error(BerReader& reader, ByteView walked, TcapComponent& c);
  bool reject(BerReader& reader, TcapComponent& c);
  [[gnu::always_inline]] inline bool invoke_id(BerReader& reader, TcapComponent& c);
  [[gnu::always_inline]] inline bool operation_code(const BerElement& e, TcapComponent& c);
  [[gnu::always_inline]] inline bool optional_parameter(BerReader& reader, ByteView walked, TcapComponent& c);
  [[gnu::always_inline]] inline bool no_more_elements(BerReader& reader);
  // After next() returned false: a BER failure is malformed, the plain end is not.
  bool ended_cleanly(const BerReader& reader) { return reader.failed() ? malformed() : true; }

  TcapView& view_;
  AnomalySet& anomalies_;
  TcapMessageType type_ = TcapMessageType::kNone;
  bool shortcuts_;  // common_dialogue may decide; off for the reference walk
};

bool TcapDecoder::decode(ByteView message) {
  BerReader top(message, anomalies_);
  BerElement e;
  bool cut;  // the length overstates the message: decode what is there (ber.truncated is set)
  if (!top.next_allow_cut(e, cut)) return malformed();

  // Q.773 TCAPMessages: the message type is the outermost tag.
  const MessageTypeSpec* spec = nullptr;
  if (e.tag_class == BerClass::kApplication && e.constructed) {
    for (const MessageTypeSpec& s : kMessageTypes) {
      if (s.tag == e.tag_number) {  // the tags are distinct
        spec = &s;
        break;
      }
    }
  }
  if (spec == nullptr) {
    if (e.tag_class == BerClass::kPrivate && e.constructed && e.tag_number < 31) {
      for (uint32_t tag : kAnsiPackageTags)
        if (tag == e.tag_number) view_.ansi_package = static_cast<uint8_t>(0xE0 | tag);
    }
    flag(Anomaly::kTcapUnknownTag);
    return malformed();
  }
  type_ = view_.type = spec->type;

  // The message ends where its outermost element ends (the SCCP data parameter delimits it).
  if (!top.at_end()) flag(Anomaly::kBerTrailingBytes);

  BerReader body = top.enter(e);
  return transaction_portion(*spec, body);
}

// The elements of each message type, in their Q.773 order: otid, dtid, P-AbortCause or
// dialogue portion, component portion.
bool TcapDecoder::transaction_portion(const MessageTypeSpec& spec, BerReader& body) {
  int last_rank = -1;
  bool saw_components = false;
  BerElement e;
  while (body.next(e)) {
    int rank = -1;
    bool allowed = false;
    if (e.tag_class == BerClass::kApplication) {
      switch (e.tag_number) {
        case tcap_tag::kOtid: rank = 0; allowed = spec.needs_otid; break;
        case tcap_tag::kDtid: rank = 1; allowed = spec.needs_dtid; break;
        case tcap_tag::kPAbortCause: rank = 2; allowed = spec.has_abort_cause; break;
        case tcap_tag::kDialoguePortion: rank = 2; allowed = true; break;
        case tcap_tag::kComponentPortion: rank = 3; allowed = spec.has_components; break;
        default: break;
      }
    }
    // Equal ranks: a repeated element, or Abort's second reason (the reason is a CHOICE).
    const bool in_order = rank > last_rank;
    if (!allowed || !in_order) {
      flag(Anomaly::kTcapUnknownTag);
      // A stray component portion is still read: its operations must reach the rules.
      if (allowed && e.tag_number == tcap_tag::kComponentPortion) {
        if (!component_portion(body, e)) return false;
        saw_components = true;
      }
      continue;
    }
    last_rank = rank;
    switch (e.tag_number) {
      case tcap_tag::kOtid:
        if (!transaction_id(e, view_.has_otid, view_.otid)) return malformed();
        break;
      case tcap_tag::kDtid:
        if (!transaction_id(e, view_.has_dtid, view_.dtid)) return malformed();
        break;
      case tcap_tag::kPAbortCause: {
        // P-AbortCause ::= [APPLICATION 10] IMPLICIT INTEGER (0..127)
        int32_t cause;
        if (e.constructed || !ber_integer(e.value, cause) || cause < 0 || cause > 255) return malformed();
        view_.has_p_abort_cause = true;
        view_.p_abort_cause = static_cast<uint8_t>(cause);
        break;
      }
      case tcap_tag::kDialoguePortion:
        dialogue_portion(body, e);
        break;
      case tcap_tag::kComponentPortion:
        if (!component_portion(body, e)) return false;
        saw_components = true;
        break;
    }
  }
  if (!ended_cleanly(body)) return false;

  // Q.773 TCAPMessages: Begin and Continue carry an originating, End, Continue and Abort a
  // destination transaction id.
  if ((spec.needs_otid && !view_.has_otid) || (spec.needs_dtid && !view_.has_dtid))
    flag(Anomaly::kTcapMissingTid);
  // A Begin without dialogue portion is MAP v1 / ACN-less: no application context to check
  // the operation against (FS.11 evasion class).
  if (spec.type == TcapMessageType::kBegin && !view_.has_dialogue) flag(Anomaly::kTcapNoDialogue);
  if (spec.components_mandatory && !saw_components) return malformed();
  return true;
}

// OrigTransactionID / DestTransactionID ::= [APPLICATION 8/9] IMPLICIT OCTET STRING (SIZE (1..4)).
// Any other length is kept whole and flagged: peers differ in what they accept.
bool TcapDecoder::transaction_id(const BerElement& e, bool& has, ByteView& out) {
  if (e.constructed) {
    flag(Anomaly::kTcapUnknownTag);
    return true;  // treated as absent: tcap.missing_tid follows
  }
  has = true;
  out = e.value;
  if (e.value.size < 1 || e.value.size > 4) flag(Anomaly::kTcapTidLength);
  return true;
}

// DialoguePortion ::= [APPLICATION 11] EXTERNAL (Q.773 TCAPMessages), the EXTERNAL holding
// direct-reference (the abstract syntax) and single-ASN1-type [0] (the dialogue APDU).
void TcapDecoder::dialogue_portion(BerReader& body, const BerElement& portion) {
  view_.has_dialogue = true;
  if (shortcuts_ && portion.constructed && !portion.indefinite && common_dialogue(portion.value)) return;
  bool ok = false;
  BerReader portion_reader = body.enter(portion);
  BerElement external;
  if (portion.constructed && portion_reader.next(external)) {
    if (external.is_universal(ber_tag::kExternal) && external.constructed) {
      BerReader fields = portion_reader.enter(external);
      BerElement e;
      bool has_reference = false, has_encoding = false, unidialogue = false;
      bool known_reference = false;
      while (fields.next(e)) {
        if (!has_reference && !has_encoding && is_primitive_oid(e)) {
          has_reference = true;
          if (equals(e.value, kDialogueAsId, sizeof kDialogueAsId)) {
            known_reference = true;
          } else if (equals(e.value, kUnidialogueAsId, sizeof kUnidialogueAsId)) {
            known_reference = true;
            unidialogue = true;
          }
        } else if (!has_encoding && e.is_context(0) && e.constructed) {
          has_encoding = true;
          // An unknown abstract syntax: read the APDU as the message type implies (tshark still
          // shows the AARQ of pwnss7 overflow-acn.pcap) so that its application context is seen.
          if (!known_reference) unidialogue = type_ == TcapMessageType::kUnidirectional;
          BerReader encoding = fields.enter(e);
          ok = dialogue_pdu(encoding, unidialogue);
        } else {
          flag(Anomaly::kTcapUnknownTag);
        }
      }
      if (fields.failed() || !known_reference || !has_encoding) ok = false;
      // The unidialogue abstract syntax (Q.773 UnidialoguePDUs) belongs to Unidirectional only.
      if (known_reference && unidialogue != (type_ == TcapMessageType::kUnidirectional)) ok = false;
    }
    if (portion_reader.skip_rest() > 0) flag(Anomaly::kTcapUnknownTag);
    if (portion_reader.failed()) ok = false;
  }
  if (!ok) flag(Anomaly::kTcapBadDialogue);
}

// The dialogue portion nearly every MAP/CAP peer sends: an EXTERNAL with dialogue-as-id and an
// AARQ (in a Begin) or an AARE (in a Continue or End), every length in the short form, the
// fields in Q.773 order and each well formed. Read straight off the octets, it costs about a
// tenth of the general walk below (a BER reader per level, about 700 instructions per
// message). It decides only what the general walk would decide the same way for these
// octets, with nothing to flag but tcap.extended_ac: whatever else it meets (another PDU, a
// long-form or indefinite length, an unknown or repeated field, a field the general walk
// would refuse) returns false having changed nothing, and the general walk decides.
bool TcapDecoder::common_dialogue(ByteView external) {
  // EXTERNAL (X.690 §8.18), alone in the portion: direct-reference dialogue-as-id, then
  // single-ASN1-type [0] holding exactly one APDU, AARQ or AARE; each length in the short form
  // and each of the three constructed elements ending where the portion ends:
  //   28 L0 | 06 07 <dialogue-as-id> | A0 L1 | 60/61 L2 | fields...
  // The first 15 octets are then fixed but for the three lengths, each given by the portion's
  // size: compared as such rather than walked element by element (what the walk would accept
  // is exactly this).
  constexpr uint32_t kHeadBytes = 15;  // through the APDU's length octet
  if (external.size < kHeadBytes || external.size - 2 >= 0x80) return false;
  const uint8_t* at = external.data;
  if (at[0] != 0x28 || at[1] != external.size - 2 || at[2] != 0x06 || at[3] != sizeof kDialogueAsId ||
      !equals(ByteView{at + 4, sizeof kDialogueAsId}, kDialogueAsId, sizeof kDialogueAsId) || at[11] != 0xA0 ||
      at[12] != external.size - 13 || at[14] != external.size - kHeadBytes)
    return false;
  static_assert(4 + sizeof kDialogueAsId == 11, "the reference's contents end at octet 11");
  const DialoguePduSpec* spec = at[13] == 0x60 ? &kDialoguePdus[0] : at[13] == 0x61 ? &kDialoguePdus[1] : nullptr;
  if (spec == nullptr || (spec->carried_in & bit(type_)) == 0 || type_ == TcapMessageType::kUnidirectional)
    return false;
  const ByteView apdu{at + kHeadBytes, external.size - kHeadBytes};

  // An element at `where` with a short-form length that fits in [where, end); its contents in
  // `value`. The APDU ends where the portion does, so `end` bounds its fields too.
  const uint8_t* const end = external.data + external.size;
  auto element = [&end](const uint8_t* where, ByteView& value) __attribute__((always_inline)) {
    if (end - where < 2 || where[1] >= 0x80 || where[1] > end - where - 2) return false;
    value = ByteView{where + 2, where[1]};
    return true;
  };
  auto fills = [](ByteView outer, const uint8_t* where, ByteView inner) {
    return where == outer.data && inner.data + inner.size == outer.data + outer.size;
  };

  // The APDU's fields, as dialogue_pdu and dialogue_field would take them; kept aside until
  // every one has passed.
  bool has_version = false;
  uint8_t version = 0;
  ByteView context, user_information;
  bool has_result = false;
  uint8_t result = 0;
  unsigned next_field = 0, seen = 0;
  for (at = apdu.data; at < apdu.data + apdu.size;) {
    ByteView value;
    if (!element(at, value)) return false;
    const uint8_t identifier = at[0];
    if ((identifier & 0xC0) != 0x80) return false;  // context-specific only
    const bool constructed = (identifier & 0x20) != 0;
    // The fields in ascending tag order, each at most once (as dialogue_pdu takes them).
    const unsigned found = spec->field_by_tag[identifier & 0x1F];
    if (found == 0 || found - 1 < next_field) return false;
    const unsigned index = found - 1;
    ByteView inner, innermost;
    switch (spec->fields[index].field) {
      case DialogueField::kProtocolVersion:
        if (constructed || value.size < 2 || value.data[0] > 7) return false;
        has_version = true;
        version = value.data[1];
        break;
      case DialogueField::kApplicationContext:
        if (!constructed || !element(value.data, inner) || value.data[0] != 0x06 || !fills(value, value.data, inner) ||
            !well_formed_oid(inner) || inner.size > limits::kMaxOidBytes)
          return false;
        context = inner;
        break;
      case DialogueField::kResult:
        // Associate-result ::= INTEGER: one octet, 0..127.
        if (!constructed || value.size != 3 || value.data[0] != 0x02 || value.data[1] != 1 || value.data[2] >= 0x80)
          return false;
        has_result = true;
        result = value.data[2];
        break;
      case DialogueField::kResultSourceDiagnostic:
        // [3] { [1] or [2] { INTEGER of one to four octets } }, nothing else.
        if (!constructed || !element(value.data, inner) || (value.data[0] != 0xA1 && value.data[0] != 0xA2) ||
            !fills(value, value.data, inner) || !element(inner.data, innermost) || inner.data[0] != 0x02 ||
            !fills(inner, inner.data, innermost) || innermost.size < 1 || innermost.size > 4)
          return false;
        break;
      case DialogueField::kUserInformation:
        if (!constructed) return false;
        user_information = value;
        break;
      case DialogueField::kAbortSource:
        return false;  // not a field of AARQ or AARE
    }
    next_field = index + 1;
    seen |= 1u << index;
    at = value.data + value.size;
  }
  if ((seen & spec->mandatory) != spec->mandatory) return false;

  view_.dialogue_pdu = spec->pdu;
  if (has_version) {
    view_.has_protocol_version = true;
    view_.protocol_version = version;
  }
  view_.application_context = context;
  if (!starts_with(context, kMapCapAcPrefix, sizeof kMapCapAcPrefix) || context.size == sizeof kMapCapAcPrefix)
    flag(Anomaly::kTcapExtendedAc);
  if (has_result) {
    view_.has_result = true;
    view_.result = result;
  }
  view_.user_information = user_information;
  return true;
}

// The APDU inside single-ASN1-type: one element whose tag picks the PDU.
bool TcapDecoder::dialogue_pdu(BerReader& encoding, bool unidialogue) {
  BerElement apdu;
  if (!encoding.next(apdu)) return false;
  bool ok = true;
  if (encoding.skip_rest() > 0) ok = false;  // single-ASN1-type holds exactly one value
  if (encoding.failed()) ok = false;

  const DialoguePduSpec* spec = nullptr;
  if (apdu.tag_class == BerClass::kApplication && apdu.constructed) {
    for (const DialoguePduSpec& s : kDialoguePdus) {
      if (s.unidialogue == unidialogue && s.tag == apdu.tag_number) {  // distinct pairs
        spec = &s;
        break;
      }
    }
  }
  if (spec == nullptr) return false;
  view_.dialogue_pdu = spec->pdu;
  if ((spec->carried_in & bit(type_)) == 0) ok = false;

  // The APDU's fields in ascending tag order; each at most once. A field is looked for only
  // after the last one read (the table is in tag order), so a repeated or out-of-order one is
  // not found and is flagged like an unknown tag.
  BerReader pdu = encoding.enter(apdu);
  BerElement e;
  unsigned next_field = 0;
  unsigned seen = 0;  // bit i: spec->fields[i]
  while (pdu.next(e)) {
    unsigned index = spec->field_count;
    if (e.tag_class == BerClass::kContext) {
      for (unsigned i = next_field; i < spec->field_count; ++i) {
        if (spec->fields[i].tag == e.tag_number) {  // the tags are distinct
          index = i;
          break;
        }
      }
    }
    if (index == spec->field_count) {
      flag(Anomaly::kTcapUnknownTag);
      continue;
    }
    next_field = index + 1;
    seen |= 1u << index;
    if (!dialogue_field(pdu, e, spec->fields[index].field)) ok = false;
  }
  if (pdu.failed()) ok = false;
  if ((seen & spec->mandatory) != spec->mandatory) ok = false;
  return ok;
}

bool TcapDecoder::dialogue_field(BerReader& pdu, const BerElement& e, DialogueField field) {
  switch (field) {
    case DialogueField::kProtocolVersion:
      // BIT STRING contents: the unused-bits count, then the bits (version1 = 0x80).
      if (e.constructed || e.value.size < 2 || e.value.data[0] > 7) return false;
      view_.has_protocol_version = true;
      view_.protocol_version = e.value.data[1];
      return true;

    case DialogueField::kApplicationContext: {
      if (!e.constructed) return false;
      BerReader inner = pdu.enter(e);
      BerElement oid;
      if (!inner.next(oid) || !is_primitive_oid(oid)) return false;
      bool ok = true;
      if (inner.skip_rest() > 0) {
        flag(Anomaly::kTcapUnknownTag);
        ok = false;
      }
      if (inner.failed()) return false;
      view_.application_context = oid.value;
      // An over-long name is no real MAP/CAP context: pwnss7 overflow-acn.pcap shows why a
      // decoder must not copy it into a fixed buffer unchecked.
      if (!well_formed_oid(oid.value) || oid.value.size > limits::kMaxOidBytes) ok = false;
      if (!starts_with(oid.value, kMapCapAcPrefix, sizeof kMapCapAcPrefix) ||
          oid.value.size == sizeof kMapCapAcPrefix)
        flag(Anomaly::kTcapExtendedAc);
      return ok;
    }

    case DialogueField::kResult: {
      // result [2] Associate-result ::= INTEGER { accepted (0), reject-permanent (1) }
      if (!e.constructed) return false;
      BerReader inner = pdu.enter(e);
      BerElement value;
      int32_t result;
      if (!inner.next(value) || !is_primitive_integer(value) || !ber_integer(value.value, result)) return false;
      if (result < 0 || result > 255) return false;
      view_.has_result = true;
      view_.result = static_cast<uint8_t>(result);
      return inner.at_end() && !inner.failed();
    }

    case DialogueField::kResultSourceDiagnostic: {
      // [3] CHOICE { dialogue-service-user [1] INTEGER, dialogue-service-provider [2] INTEGER }
      if (!e.constructed) return false;
      BerReader inner = pdu.enter(e);
      BerElement choice;
      if (!inner.next(choice) || !choice.constructed || !(choice.is_context(1) || choice.is_context(2))) return false;
      BerReader value_reader = inner.enter(choice);
      BerElement value;
      int32_t diagnostic;
      if (!value_reader.next(value) || !is_primitive_integer(value) || !ber_integer(value.value, diagnostic))
        return false;
      return inner.at_end() && !inner.failed();
    }

    case DialogueField::kAbortSource: {
      // abort-source [0] IMPLICIT ABRT-source ::= INTEGER { dialogue-service-user (0), -provider (1) }
      int32_t source;
      if (e.constructed || !ber_integer(e.value, source) || source < 0 || source > 255) return false;
      view_.has_abort_source = true;
      view_.abort_source = static_cast<uint8_t>(source);
      return true;
    }

    case DialogueField::kUserInformation:
      if (!e.constructed) return false;
      view_.user_information = e.value;
      return true;
  }
  return false;
}

// ComponentPortion ::= [APPLICATION 12] IMPLICIT SEQUENCE SIZE (1..MAX) OF Component.
bool TcapDecoder::component_portion(BerReader& body, const BerElement& portion) {
  if (!portion.constructed) {
    flag(Anomaly::kTcapUnknownTag);
    return malformed();
  }
  BerReader portion_reader = body.enter(portion);
  BerElement e;
  while (portion_reader.next(e)) {
    const ComponentSpec* spec = nullptr;
    if (e.tag_class == BerClass::kContext && e.constructed) {
      for (const ComponentSpec& s : kComponentTypes) {
        if (s.tag == e.tag_number) {  // the tags are distinct
          spec = &s;
          break;
        }
      }
    }
    if (spec == nullptr) {
      flag(Anomaly::kTcapUnknownTag);
      continue;
    }
    if (view_.component_count < UINT16_MAX) ++view_.component_count;
    if (view_.component_count > 1) flag(Anomaly::kTcapMultipleComponents);
    if (view_.components_decoded >= limits::kMaxComponents) {
      flag(Anomaly::kTcapComponentCap);
      continue;  // counted, not decoded
    }
    TcapComponent& c = view_.components[view_.components_decoded];
    c = TcapComponent{};
    c.type = spec->type;
    // Q.771 allows an Invoke in End, but an operation that opens nothing and needs no answer
    // is also how screening keyed on Begin is bypassed.
    if (spec->type == ComponentType::kInvoke && type_ == TcapMessageType::kEnd) flag(Anomaly::kTcapInvokeInEnd);
    if (!(shortcuts_ && !e.indefinite && common_component(e.value, c))) {
      BerReader reader = portion_reader.enter(e);
      if (!component(reader, e.value, c)) return false;
    }
    ++view_.components_decoded;
  }
  return ended_cleanly(portion_reader);
}

// The components nearly every message carries: an Invoke { invokeID, local opCode, parameter }
// or a ReturnResult { invokeID, SEQUENCE { local opCode, parameter } }, the integers one to
// four octets, every length minimal. Read straight off the octets (a BER reader per level and
// per check costs several hundred instructions per message). Like common_dialogue it decides
// only what the general walk would decide the same way with nothing to flag: anything else (a
// linked id, a global or negative opcode, a ReturnError or Reject, an indefinite or
// non-minimal length, an element after the parameter) returns false with `c` unchanged, and
// the general walk decides.
bool TcapDecoder::common_component(ByteView contents, TcapComponent& c) {
  const uint8_t* at = contents.data;
  const uint8_t* end = contents.data + contents.size;
  // INTEGER of one to four octets (X.690 §8.3), as invoke_id and operation_code take it.
  auto small_integer = [&at, &end](int32_t& value) {
    if (end - at < 3 || at[0] != 0x02 || at[1] < 1 || at[1] > 4 || at[1] > end - at - 2) return false;
    ber_integer(ByteView{at + 2, at[1]}, value);
    at += 2 + at[1];
    return true;
  };
  // The parameter: one element (any one-octet identifier), minimal definite length, ending at
  // `until` exactly. Its whole encoding, as optional_parameter keeps it.
  auto whole_element = [&at](const uint8_t* until, ByteView& element) {
    if (until - at < 2 || (at[0] & 0x1F) == 0x1F) return false;
    uint32_t header = 2, length = at[1];
    if (length == 0x81) {
      if (until - at < 3 || at[2] < 0x80) return false;
      header = 3;
      length = at[2];
    } else if (length == 0x82) {
      if (until - at < 4) return false;
      header = 4;
      length = (uint32_t{at[2]} << 8) | at[3];
      if (length < 0x100) return false;
    } else if (length >= 0x80) {
      return false;
    }
    if (static_cast<uint64_t>(until - at) != uint64_t{header} + length) return false;
    element = ByteView{at, header + length};
    at = until;
    return true;
  };

  int32_t invoke_id, opcode;
  bool has_opcode = false;
  ByteView parameter;
  switch (c.type) {
    case ComponentType::kInvoke:
      if (!small_integer(invoke_id) || !small_integer(opcode) || opcode < 0) return false;
      has_opcode = true;
      if (at != end && !whole_element(end, parameter)) return false;
      break;
    case ComponentType::kReturnResultLast:
    case ComponentType::kReturnResultNotLast:
      if (!small_integer(invoke_id)) return false;
      if (at != end) {
        // result SEQUENCE { opCode, parameter }, short length, the last element.
        if (end - at < 2 || at[0] != 0x30 || at[1] >= 0x80 || at[1] != end - at - 2) return false;
        at += 2;
        if (!small_integer(opcode) || opcode < 0) return false;
        has_opcode = true;
        if (at != end && !whole_element(end, parameter)) return false;
      }
      break;
    default:
      return false;
  }
  c.has_invoke_id = true;
  c.invoke_id = invoke_id;
  if (has_opcode) {
    c.opcode_form = CodeForm::kLocal;
    c.opcode = opcode;
  }
  c.parameter = parameter;
  return true;
}

bool TcapDecoder::component(BerReader& reader, ByteView walked, TcapComponent& c) {
  switch (c.type) {
    case ComponentType::kInvoke: return invoke(reader, walked, c);
    case ComponentType::kReturnResultLast:
    case ComponentType::kReturnResultNotLast: return return_result(reader, c);
    case ComponentType::kReturnError: return return_error(reader, walked, c);
    case ComponentType::kReject: return reject(reader, c);
  }
  return malformed();
}

// invokeID InvokeIdType ::= INTEGER (-128..127); mandatory first element of every component
// except Reject (whose CHOICE also admits NULL).
bool TcapDecoder::invoke_id(BerReader& reader, TcapComponent& c) {
  BerElement e;
  if (!reader.next(e)) {
    ended_cleanly(reader);
    return malformed();
  }
  if (!is_primitive_integer(e)) {
    flag(Anomaly::kTcapUnknownTag);
    return malformed();
  }
  if (!ber_integer(e.value, c.invoke_id)) return malformed();
  c.has_invoke_id = true;
  return true;
}

// OPERATION ::= CHOICE { localValue INTEGER, globalValue OBJECT IDENTIFIER }. False when `e` is
// neither (no anomaly set).
bool TcapDecoder::operation_code(const BerElement& e, TcapComponent& c) {
  if (is_primitive_integer(e)) {
    if (!ber_integer(e.value, c.opcode)) return false;
    c.opcode_form = CodeForm::kLocal;
    // Opcodes are 0..255 in MAP and CAP; a negative one reaches no operation table but a
    // careless decoder may index with it (pwnss7 negative-opcode.pcap: -666).
    if (c.opcode < 0) flag(Anomaly::kTcapNegativeOpcode);
    return true;
  }
  if (is_primitive_oid(e)) {
    c.opcode_form = CodeForm::kGlobal;
    c.global_opcode = e.value;
    flag(Anomaly::kTcapGlobalOpcode);
    return true;
  }
  return false;
}

// The optional last element (ANY DEFINED BY the operation), kept whole for MAP/CAP; anything
// after it is not Q.773's.
bool TcapDecoder::optional_parameter(BerReader& reader, ByteView walked, TcapComponent& c) {
  BerElement e;
  if (reader.next(e)) c.parameter = element_bytes(walked, e);
  else return ended_cleanly(reader);
  return no_more_elements(reader);
}

bool TcapDecoder::no_more_elements(BerReader& reader) {
  if (reader.skip_rest() > 0) flag(Anomaly::kTcapUnknownTag);
  return ended_cleanly(reader);
}

// Invoke ::= SEQUENCE { invokeID, linkedID [0] IMPLICIT InvokeIdType OPTIONAL, opCode,
//                       parameter ANY OPTIONAL }
bool TcapDecoder::invoke(BerReader& reader, ByteView walked, TcapComponent& c) {
  if (!invoke_id(reader, c)) return false;
  BerElement e;
  if (!reader.next(e)) {
    ended_cleanly(reader);
    return malformed();  // opCode is mandatory
  }
  // Q.773 (1997) spells linkedId as CHOICE { present [0] IMPLICIT InvokeId, absent [1]
  // IMPLICIT NULL }; CAP (TS 29.078) inherits it. The 1993 form has [0] only.
  const bool linked_present = e.is_context(0) && !e.constructed;
  const bool linked_absent = e.is_context(1) && !e.constructed && e.value.size == 0;
  if (linked_present || linked_absent) {
    if (linked_present) {
      if (!ber_integer(e.value, c.linked_id)) return malformed();
      c.has_linked_id = true;
    }
    if (!reader.next(e)) {
      ended_cleanly(reader);
      return malformed();
    }
  }
  if (!operation_code(e, c)) {
    flag(Anomaly::kTcapUnknownTag);
    return malformed();
  }
  return optional_parameter(reader, walked, c);
}

// ReturnResult ::= SEQUENCE { invokeID, result SEQUENCE { opCode, parameter ANY } OPTIONAL }
// (the parameter is OPTIONAL in Wireshark's and MAP's reading of Q.773; accepted either way).
bool TcapDecoder::return_result(BerReader& reader, TcapComponent& c) {
  if (!invoke_id(reader, c)) return false;
  BerElement e;
  if (!reader.next(e)) return ended_cleanly(reader);
  if (!(e.is_universal(ber_tag::kSequence) && e.constructed)) {
    flag(Anomaly::kTcapUnknownTag);
    return no_more_elements(reader);
  }
  BerReader result = reader.enter(e);
  BerElement op;
  if (!result.next(op)) {
    ended_cleanly(result);
    return malformed();  // the result sequence begins with the mandatory opCode
  }
  if (!operation_code(op, c)) {
    flag(Anomaly::kTcapUnknownTag);
    return malformed();
  }
  if (!optional_parameter(result, e.value, c)) return false;
  return no_more_elements(reader);
}

// ReturnError ::= SEQUENCE { invokeID, errorCode ERROR, parameter ANY OPTIONAL }, ERROR being
// a CHOICE { localValue INTEGER, globalValue OBJECT IDENTIFIER } like OPERATION.
bool TcapDecoder::return_error(BerReader& reader, ByteView walked, TcapComponent& c) {
  if (!invoke_id(reader, c)) return false;
  BerElement e;
  if (!reader.next(e)) {
    ended_cleanly(reader);
    return malformed();
  }
  if (is_primitive_integer(e)) {
    if (!ber_integer(e.value, c.error_code)) return malformed();
    c.error_form = CodeForm::kLocal;
  } else if (is_primitive_oid(e)) {
    c.error_form = CodeForm::kGlobal;
  } else {
    flag(Anomaly::kTcapUnknownTag);
    return malformed();
  }
  return optional_parameter(reader, walked, c);
}

// Reject ::= SEQUENCE { invokeID CHOICE { derivable InvokeIdType, not-derivable NULL },
//                       problem CHOICE { general [0], invoke [1], returnResult [2],
//                                        returnError [3] } (each IMPLICIT INTEGER) }
bool TcapDecoder::reject(BerReader& reader, TcapComponent& c) {
  BerElement e;
  if (!reader.next(e)) {
    ended_cleanly(reader);
    return malformed();
  }
  if (is_primitive_integer(e)) {
    if (!ber_integer(e.value, c.invoke_id)) return malformed();
    c.has_invoke_id = true;
  } else if (!(e.is_universal(ber_tag::kNull) && !e.constructed && e.value.size == 0)) {
    flag(Anomaly::kTcapUnknownTag);
    return malformed();
  }
  if (!reader.next(e)) {
    ended_cleanly(reader);
    return malformed();
  }
  if (e.tag_class != BerClass::kContext || e.constructed || e.tag_number > kMaxRejectProblemTag) {
    flag(Anomaly::kTcapUnknownTag);
    return malformed();
  }
  if (!ber_integer(e.value, c.problem_code)) return malformed();
  c.has_problem = true;
  c.problem_type = static_cast<uint8_t>(e.tag_number);
  return no_more_elements(reader);
}

// Resets every field of the view except the component array. TcapView holds kMaxComponents
// components (most of its size) and a message rarely has more than one: component_portion
// resets each component as it fills it, and consumers read components[0..components_decoded)
// only. A field added to TcapView must be reset here too (the static_assert is a reminder).
void reset_all_but_components(TcapView& view) {
  static_assert(offsetof(TcapView, components) == 104 && sizeof(TcapView) == 104 + sizeof(view.components),
                "a TcapView field was added or removed: update reset_all_but_components");
  view.type = TcapMessageType::kNone;
  view.ansi_package = 0;
  view.has_otid = false;
  view.otid = ByteView{};
  view.has_dtid = false;
  view.dtid = ByteView{};
  view.has_p_abort_cause = false;
  view.p_abort_cause = 0;
  view.has_dialogue = false;
  view.dialogue_pdu = DialoguePdu::kNone;
  view.application_context = ByteView{};
  view.has_protocol_version = false;
  view.protocol_version = 0;
  view.has_abort_source = false;
  view.abort_source = 0;
  view.has_result = false;
  view.result = 0;
  view.user_information = ByteView{};
  view.component_count = 0;
  view.components_decoded = 0;
}

DecodeStatus decode(ByteView message, TcapView& out, AnomalySet& anomalies, bool shortcuts) {
  reset_all_but_components(out);
  AnomalySet found;  // this layer's bits only, to tell kOk from kAnomaly
  TcapDecoder decoder(out, found, shortcuts);
  const bool ok = decoder.decode(message);
  anomalies.merge(found);
  if (!ok) return DecodeStatus::kMalformed;
  return found.any() ? DecodeStatus::kAnomaly : DecodeStatus::kOk;
}

}  // namespace

DecodeStatus decode_tcap(ByteView message, TcapView& out, AnomalySet& anomalies) {
  return decode(message, out, anomalies, true);
}

DecodeStatus decode_tcap_reference(ByteView message, TcapView& out, AnomalySet& anomalies) {
  return decode(message, out, anomalies, false);
}

}  // namespace sigwall
