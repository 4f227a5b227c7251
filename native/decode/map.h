// GSM MAP (3GPP TS 29.002): operation names for every opcode as a data table, and for the
// operations operators screen the parameters rules filter on: IMSI, MSISDN, the msc-/vlr-/
// sgsn-/hlr-Number, serviceCentreAddress, sm-RP-DA/sm-RP-OA, gsmSCF-Address and
// subscriberIdentity; in Invokes and, where it carries them, ReturnResults.
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "digits.h"
#include "status.h"
#include "tcap.h"

namespace sigwall {

// An ISDN-AddressString / AddressString (TS 29.002 §17.7.8): one octet of extension, nature of
// address and numbering plan, then TBCD digits. For IMSI/LMSI fields `nature` is unused.
struct AddressField {
  bool present = false;
  uint8_t nature = 0;  // the first octet of an AddressString
  Digits digits;
};

enum class SmRpDaKind : uint8_t { kNone = 0, kImsi = 1, kLmsi = 2, kServiceCentre = 4, kNoSmRpDa = 5 };
enum class SmRpOaKind : uint8_t { kNone = 0, kMsisdn = 2, kServiceCentre = 4, kNoSmRpOa = 5 };
enum class SubscriberIdKind : uint8_t { kNone = 0, kImsi = 1, kMsisdn = 2 };

struct MapFields {
  AddressField imsi;
  AddressField msisdn;
  AddressField msc_number;
  AddressField vlr_number;
  AddressField sgsn_number;
  AddressField hlr_number;
  AddressField service_centre_address;
  AddressField gsmscf_address;
  SmRpDaKind sm_rp_da_kind = SmRpDaKind::kNone;
  AddressField sm_rp_da;  // digits of the chosen alternative (LMSI as hex digits)
  SmRpOaKind sm_rp_oa_kind = SmRpOaKind::kNone;
  AddressField sm_rp_oa;
  SubscriberIdKind subscriber_identity_kind = SubscriberIdKind::kNone;  // ATI, ATSI, ATM, ...
  AddressField imei;  // checkIMEI's argument, SubscriberInfo's imei (TBCD, 8 octets)
  bool any() const;
  // Back to a default-constructed MapFields, touching only the fields a decode wrote. Relies on
  // decode_map_component's rule: an AddressField is written only after `present` is set, or is
  // reset whole; so one that is not present is still all zeros. Cheaper than assigning
  // MapFields{} (400 octets) for every component of every message.
  void clear();
};

// The operation's name ("updateLocation"), or nullptr when TS 29.002 defines no such opcode.
const char* map_operation_name(int32_t opcode);

// The contents of an AddressString / ISDN-AddressString (TS 29.002 §17.7.8, at most `max_octets`
// octets: 20 or 9) and of an IMSI (TBCD-STRING SIZE (3..8), at most 15 digits). Digits are written
// as Wireshark's e164/e212 fields show them: decimal, '?' for any other nibble, a 0xF high nibble
// ends the string. False when the length or the digits break the spec (the caller flags it);
// `out` is filled as far as it could be either way. Shared with CAP, which carries both types.
bool decode_address_string(ByteView contents, uint32_t max_octets, bool decimal_only, AddressField& out);
bool decode_imsi(ByteView contents, AddressField& out);

// Decodes the parameter of an Invoke (the operation's Arg) or a ReturnResult (its Res) for
// the operation `opcode`. Operations without screened fields return ok with nothing set.
DecodeStatus decode_map_component(const TcapComponent& component, int32_t opcode, MapFields& out,
                                  AnomalySet& anomalies);

}  // namespace sigwall
