// Generated from src/policy/fields.ts by `npm run gen:fields`. Do not edit: CI regenerates
// this file and fails when it differs.
#pragma once

#include <cstdint>

namespace sigwall::table {

// Field ids: the index of each field in the registry (the table image names fields by it).
enum class FieldId : uint16_t {
  kIngressSide = 0,  // ingress.side (enum, message)
  kMtp3Opc = 1,  // mtp3.opc (pointCode, message)
  kMtp3Dpc = 2,  // mtp3.dpc (pointCode, message)
  kMtp3Si = 3,  // mtp3.si (smallInt, message)
  kM3uaRoutingContext = 4,  // m3ua.routing_context (uint32, message)
  kSccpMessageType = 5,  // sccp.message_type (smallInt, message)
  kSccpCalledSsn = 6,  // sccp.called.ssn (smallInt, message)
  kSccpCallingSsn = 7,  // sccp.calling.ssn (smallInt, message)
  kSccpCalledGti = 8,  // sccp.called.gti (smallInt, message)
  kSccpCallingGti = 9,  // sccp.calling.gti (smallInt, message)
  kSccpCalledTt = 10,  // sccp.called.tt (smallInt, message)
  kSccpCallingTt = 11,  // sccp.calling.tt (smallInt, message)
  kSccpCalledNp = 12,  // sccp.called.np (smallInt, message)
  kSccpCallingNp = 13,  // sccp.calling.np (smallInt, message)
  kSccpCalledNai = 14,  // sccp.called.nai (smallInt, message)
  kSccpCallingNai = 15,  // sccp.calling.nai (smallInt, message)
  kSccpCalledPc = 16,  // sccp.called.pc (pointCode, message)
  kSccpCallingPc = 17,  // sccp.calling.pc (pointCode, message)
  kSccpCalledDigits = 18,  // sccp.called.digits (digits, message)
  kSccpCallingDigits = 19,  // sccp.calling.digits (digits, message)
  kTcapType = 20,  // tcap.type (enum, message)
  kTcapApplicationContextName = 21,  // tcap.application_context_name (oid, message)
  kSigwallApplication = 22,  // sigwall.application (enum, message)
  kSigwallAnomaly = 23,  // sigwall.anomaly (anomaly, message)
  kTcapComponentType = 24,  // tcap.component_type (enum, component)
  kMapOpcode = 25,  // map.opcode (operation, component)
  kCapOpcode = 26,  // cap.opcode (operation, component)
  kE212Imsi = 27,  // e212.imsi (digits, component)
  kE164Msisdn = 28,  // e164.msisdn (digits, component)
  kMapMscNumber = 29,  // map.msc_number (digits, component)
  kMapVlrNumber = 30,  // map.vlr_number (digits, component)
  kMapSgsnNumber = 31,  // map.sgsn_number (digits, component)
  kMapHlrNumber = 32,  // map.hlr_number (digits, component)
  kMapGsmscfAddress = 33,  // map.gsmscf_address (digits, component)
  kMapServiceCentreAddress = 34,  // map.service_centre_address (digits, component)
  kMapSmRpOaMsisdn = 35,  // map.sm_rp_oa.msisdn (digits, component)
};

inline constexpr uint16_t kFieldCount = 36;

// Each field's value type and scope: they decide which lookup kinds a dimension on the field
// may use and whether it is read per message or per component.
enum class FieldType : uint8_t { kPointCode, kSmallInt, kUint32, kDigits, kOperation, kEnum, kOid, kAnomaly };

struct FieldSpec {
  FieldType type;
  bool component;  // scope: per TCAP component (true) or per message (false)
};

inline constexpr FieldSpec kFieldSpecs[kFieldCount] = {
    {FieldType::kEnum, false},  // ingress.side
    {FieldType::kPointCode, false},  // mtp3.opc
    {FieldType::kPointCode, false},  // mtp3.dpc
    {FieldType::kSmallInt, false},  // mtp3.si
    {FieldType::kUint32, false},  // m3ua.routing_context
    {FieldType::kSmallInt, false},  // sccp.message_type
    {FieldType::kSmallInt, false},  // sccp.called.ssn
    {FieldType::kSmallInt, false},  // sccp.calling.ssn
    {FieldType::kSmallInt, false},  // sccp.called.gti
    {FieldType::kSmallInt, false},  // sccp.calling.gti
    {FieldType::kSmallInt, false},  // sccp.called.tt
    {FieldType::kSmallInt, false},  // sccp.calling.tt
    {FieldType::kSmallInt, false},  // sccp.called.np
    {FieldType::kSmallInt, false},  // sccp.calling.np
    {FieldType::kSmallInt, false},  // sccp.called.nai
    {FieldType::kSmallInt, false},  // sccp.calling.nai
    {FieldType::kPointCode, false},  // sccp.called.pc
    {FieldType::kPointCode, false},  // sccp.calling.pc
    {FieldType::kDigits, false},  // sccp.called.digits
    {FieldType::kDigits, false},  // sccp.calling.digits
    {FieldType::kEnum, false},  // tcap.type
    {FieldType::kOid, false},  // tcap.application_context_name
    {FieldType::kEnum, false},  // sigwall.application
    {FieldType::kAnomaly, false},  // sigwall.anomaly
    {FieldType::kEnum, true},  // tcap.component_type
    {FieldType::kOperation, true},  // map.opcode
    {FieldType::kOperation, true},  // cap.opcode
    {FieldType::kDigits, true},  // e212.imsi
    {FieldType::kDigits, true},  // e164.msisdn
    {FieldType::kDigits, true},  // map.msc_number
    {FieldType::kDigits, true},  // map.vlr_number
    {FieldType::kDigits, true},  // map.sgsn_number
    {FieldType::kDigits, true},  // map.hlr_number
    {FieldType::kDigits, true},  // map.gsmscf_address
    {FieldType::kDigits, true},  // map.service_centre_address
    {FieldType::kDigits, true},  // map.sm_rp_oa.msisdn
};
inline constexpr uint64_t kRegistryHash = 0x82cdcf69bade8d71ull;

}  // namespace sigwall::table
