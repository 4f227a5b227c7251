// The field registry: every field a rule can match, with its type, layer and scope. It is the
// one list the policy language, the evaluator, the compiler, event decoding and docs/fields.md
// are built from. Names follow Wireshark's display-filter names where one exists; `wireshark`
// names the Wireshark field when sigwall's name differs (e.g. one name for every adaptation).
//
// Scope: a `message` field has one value per SS7 message; a `component` field has one value per
// TCAP component. A rule matches a message when all its message conditions hold and, if it has
// component conditions, one and the same component satisfies all of them: "several components
// with one forbidden" cannot hide the forbidden one, and an IMSI condition is read on the
// component whose operation matched.
export type FieldType =
  | 'pointCode' // a set of point codes
  | 'smallInt' // a set of integers 0..255 (SSN, SI, TT, NP, NAI, GTI, SCCP message type)
  | 'uint32' // a set of 32-bit integers (routing context)
  | 'digits' // digit prefixes, named lists and networks (GT, IMSI, MSISDN, MAP addresses)
  | 'operation' // MAP or CAP operation codes, by name or number
  | 'enum' // a set of names from `values`
  | 'oid' // dotted object identifiers (application context)
  | 'anomaly'; // anomaly names (native/decode/anomalies.def): matches when any is present

export type FieldScope = 'message' | 'component';

export interface FieldDefinition {
  readonly name: string;
  readonly type: FieldType;
  readonly scope: FieldScope;
  readonly layer: 'ingress' | 'mtp3' | 'sccp' | 'tcap' | 'map' | 'cap' | 'decode';
  readonly description: string;
  readonly wireshark?: string;
  readonly values?: readonly string[];
  // The value "absent" may be named in a set (e.g. a called address without an SSN).
  readonly absentMatchable?: boolean;
  // Digits fields: what the digits are. It decides which named lists fit the field (a list's
  // `kind`) and what network membership reads: a network's gtPrefixes for 'gt' and 'msisdn'
  // (E.164 numbers), its mccMnc for 'imsi' (E.212).
  readonly digitsKind?: DigitsKind;
}

export type DigitsKind = 'gt' | 'imsi' | 'msisdn';

export const TCAP_TYPES = ['unidirectional', 'begin', 'continue', 'end', 'abort'] as const;
export const COMPONENT_TYPES = ['invoke', 'returnResultLast', 'returnResultNotLast', 'returnError', 'reject'] as const;
export const INGRESS_SIDES = ['external', 'internal'] as const;
export const APPLICATIONS = ['map', 'cap', 'unknown'] as const;

const f = (d: FieldDefinition) => d;

export const FIELDS = [
  f({ name: 'ingress.side', type: 'enum', scope: 'message', layer: 'ingress', values: INGRESS_SIDES, description: 'The side the message arrived from: external (the interconnect) or internal (the home network).' }),
  f({ name: 'mtp3.opc', type: 'pointCode', scope: 'message', layer: 'mtp3', wireshark: 'm3ua.protocol_data_opc', description: 'Originating point code (M3UA Protocol Data or the MTP3 routing label).' }),
  f({ name: 'mtp3.dpc', type: 'pointCode', scope: 'message', layer: 'mtp3', wireshark: 'm3ua.protocol_data_dpc', description: 'Destination point code.' }),
  f({ name: 'mtp3.si', type: 'smallInt', scope: 'message', layer: 'mtp3', wireshark: 'm3ua.protocol_data_si', description: 'Service indicator (3 = SCCP).' }),
  f({ name: 'm3ua.routing_context', type: 'uint32', scope: 'message', layer: 'mtp3', absentMatchable: true, description: 'M3UA (or SUA) routing context.' }),
  f({ name: 'sccp.message_type', type: 'smallInt', scope: 'message', layer: 'sccp', description: 'SCCP message type (9 UDT, 10 UDTS, 17 XUDT, 18 XUDTS, 19 LUDT, 20 LUDTS).' }),
  f({ name: 'sccp.called.ssn', type: 'smallInt', scope: 'message', layer: 'sccp', absentMatchable: true, description: 'Called party subsystem number.' }),
  f({ name: 'sccp.calling.ssn', type: 'smallInt', scope: 'message', layer: 'sccp', absentMatchable: true, description: 'Calling party subsystem number.' }),
  f({ name: 'sccp.called.gti', type: 'smallInt', scope: 'message', layer: 'sccp', description: 'Called party global title indicator.' }),
  f({ name: 'sccp.calling.gti', type: 'smallInt', scope: 'message', layer: 'sccp', description: 'Calling party global title indicator.' }),
  f({ name: 'sccp.called.tt', type: 'smallInt', scope: 'message', layer: 'sccp', absentMatchable: true, description: 'Called party translation type.' }),
  f({ name: 'sccp.calling.tt', type: 'smallInt', scope: 'message', layer: 'sccp', absentMatchable: true, description: 'Calling party translation type.' }),
  f({ name: 'sccp.called.np', type: 'smallInt', scope: 'message', layer: 'sccp', absentMatchable: true, description: 'Called party numbering plan.' }),
  f({ name: 'sccp.calling.np', type: 'smallInt', scope: 'message', layer: 'sccp', absentMatchable: true, description: 'Calling party numbering plan.' }),
  f({ name: 'sccp.called.nai', type: 'smallInt', scope: 'message', layer: 'sccp', absentMatchable: true, description: 'Called party nature of address.' }),
  f({ name: 'sccp.calling.nai', type: 'smallInt', scope: 'message', layer: 'sccp', absentMatchable: true, description: 'Calling party nature of address.' }),
  f({ name: 'sccp.called.pc', type: 'pointCode', scope: 'message', layer: 'sccp', absentMatchable: true, description: 'Called party point code.' }),
  f({ name: 'sccp.calling.pc', type: 'pointCode', scope: 'message', layer: 'sccp', absentMatchable: true, description: 'Calling party point code.' }),
  f({ name: 'sccp.called.digits', type: 'digits', digitsKind: 'gt', scope: 'message', layer: 'sccp', description: 'Called party global title digits.' }),
  f({ name: 'sccp.calling.digits', type: 'digits', digitsKind: 'gt', scope: 'message', layer: 'sccp', description: 'Calling party global title digits.' }),
  f({ name: 'tcap.type', type: 'enum', scope: 'message', layer: 'tcap', values: TCAP_TYPES, absentMatchable: true, description: 'TCAP message type (absent: no TCAP).' }),
  f({ name: 'tcap.application_context_name', type: 'oid', scope: 'message', layer: 'tcap', absentMatchable: true, description: 'Application context of the dialogue portion (absent: none).' }),
  f({ name: 'sigwall.application', type: 'enum', scope: 'message', layer: 'tcap', values: APPLICATIONS, description: 'The TCAP user: MAP or CAP (by application context, else by SSN).' }),
  f({ name: 'sigwall.anomaly', type: 'anomaly', scope: 'message', layer: 'decode', description: 'Any of the named decode anomalies is present.' }),
  f({ name: 'tcap.component_type', type: 'enum', scope: 'component', layer: 'tcap', values: COMPONENT_TYPES, wireshark: 'gsm_map.old.Component', description: 'Component type.' }),
  f({ name: 'map.opcode', type: 'operation', scope: 'component', layer: 'map', wireshark: 'gsm_old.localValue', description: 'MAP operation (by name as Wireshark shows it, or number). Only components of MAP messages.' }),
  f({ name: 'cap.opcode', type: 'operation', scope: 'component', layer: 'cap', wireshark: 'camel.local', description: 'CAP operation (name or number). Only components of CAP messages.' }),
  f({ name: 'e212.imsi', type: 'digits', digitsKind: 'imsi', scope: 'component', layer: 'map', description: "The subscriber's IMSI: MAP imsi, sm-RP-DA imsi, or CAP initialDP imsi." }),
  f({ name: 'e164.msisdn', type: 'digits', digitsKind: 'msisdn', scope: 'component', layer: 'map', description: "The subscriber's MSISDN (MAP msisdn)." }),
  f({ name: 'map.msc_number', type: 'digits', digitsKind: 'gt', scope: 'component', layer: 'map', description: 'MAP msc-Number (or networkNode-Number, vmsc-Address).' }),
  f({ name: 'map.vlr_number', type: 'digits', digitsKind: 'gt', scope: 'component', layer: 'map', description: 'MAP vlr-Number.' }),
  f({ name: 'map.sgsn_number', type: 'digits', digitsKind: 'gt', scope: 'component', layer: 'map', description: 'MAP sgsn-Number.' }),
  f({ name: 'map.hlr_number', type: 'digits', digitsKind: 'gt', scope: 'component', layer: 'map', description: 'MAP hlr-Number.' }),
  f({ name: 'map.gsmscf_address', type: 'digits', digitsKind: 'gt', scope: 'component', layer: 'map', description: 'MAP gsmSCF-Address (ATI, ISD CAMEL data).' }),
  f({ name: 'map.service_centre_address', type: 'digits', digitsKind: 'gt', scope: 'component', layer: 'map', description: 'MAP serviceCentreAddress, or the SC address in sm-RP-DA/OA.' }),
  f({ name: 'map.sm_rp_oa.msisdn', type: 'digits', digitsKind: 'msisdn', scope: 'component', layer: 'map', description: 'The originator MSISDN of an MO SMS (sm-RP-OA msisdn).' }),
] as const satisfies readonly FieldDefinition[];

export type FieldName = (typeof FIELDS)[number]['name'];

export const FIELD_BY_NAME: ReadonlyMap<string, FieldDefinition> = new Map(FIELDS.map((field) => [field.name, field]));

export function fieldDefinition(name: string): FieldDefinition | undefined {
  return FIELD_BY_NAME.get(name);
}
