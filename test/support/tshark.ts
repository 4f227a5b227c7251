// tshark as the oracle: per-frame field values of a capture, as Wireshark decodes it.
//
// Two tshark runs per capture, whatever its size:
// - `-T fields` for the layers whose fields are unambiguous by name (SCTP, M3UA, MTP3, SCCP, SUA);
// - `-T json` limited to TCAP/MAP/CAP (`-J`, `-Y tcap`) for what only the tree disambiguates:
//   `gsm_old.localValue` is the opcode under `gsm_old.opCode_tree` but the error code under
//   `gsm_old.errorCode_tree`; `e164.msisdn` is any ISDN-AddressString, so the element that holds it
//   (msisdn, msc_Number, sm_RP_OA, ...) tells which one it is; the TCAP message type and the
//   CAP component type exist only as tree keys (`tcap.begin_element`, `camel.invoke_element`).
//
// Values are returned as tshark prints them ("0x09", "00:01:00:01", "447712345678"); compare.ts
// canonicalises both sides. Fields derived from the JSON tree carry names that say where they come
// from (`gsm_old.opCode.localValue` = `gsm_old.localValue` under `gsm_old.opCode_tree`); the list
// is DERIVED_FIELDS below.
import { execFileSync } from 'node:child_process';

/** Field name -> values in tree order (tshark's `occurrence=a`); one entry per frame. */
export type FrameFields = Map<string, string[]>;
/** Frame number (1-based) -> its fields. Frames without any extracted value are absent. */
export type TsharkFrames = Map<number, FrameFields>;

// Always: numeric ports/addresses, and no TSN analysis (with it on, tshark stops dissecting
// above SCTP when a TSN repeats, e.g. in retransmissions) (captures/README.md).
export const BASE_ARGS = ['-n', '-o', 'sctp.tsn_analysis:FALSE'] as const;

/** Extracted with `-T fields`: one value per occurrence, in tree order. */
export const PLAIN_FIELDS = [
  // SCTP: TSN, SID and the B/E/U bits come once per DATA or I-DATA chunk; the SSN only in DATA;
  // the PPID in DATA and in the first fragment of an I-DATA message (RFC 8260 §2.1).
  'sctp.srcport',
  'sctp.dstport',
  'sctp.chunk_type', // every chunk: tells DATA (0) from I-DATA (64) for the per-chunk fields below
  'sctp.data_tsn_raw', // sctp.data_tsn is relative to the association's first TSN
  'sctp.data_sid',
  'sctp.data_ssn',
  'sctp.data_payload_proto_id',
  'sctp.data_b_bit',
  'sctp.data_e_bit',
  'sctp.data_u_bit',
  // M3UA (RFC 4666)
  'm3ua.message_class',
  'm3ua.message_type',
  'm3ua.routing_context',
  'm3ua.network_appearance',
  'm3ua.protocol_data_opc',
  'm3ua.protocol_data_dpc',
  'm3ua.protocol_data_si',
  'm3ua.protocol_data_ni',
  'm3ua.protocol_data_mp',
  'm3ua.protocol_data_sls',
  // MTP3 routing label (M2PA/M2UA/MTP2), and M3UA's "MTP3 equivalents" for opc/dpc/sls
  'mtp3.opc',
  'mtp3.dpc',
  'mtp3.sls',
  'mtp3.service_indicator',
  'mtp3.network_indicator',
  // SUA (RFC 3868)
  'sua.message_class',
  'sua.message_type',
  'sua.routing_context',
  'sua.destination.ssn',
  'sua.destination.point_code',
  'sua.destination.global_title_translation_type',
  'sua.destination.global_title_numbering_plan',
  'sua.destination.global_title_nature_of_address',
  'sua.destination.global_title_digits',
  'sua.source.ssn',
  'sua.source.point_code',
  'sua.source.global_title_translation_type',
  'sua.source.global_title_numbering_plan',
  'sua.source.global_title_nature_of_address',
  'sua.source.global_title_digits',
  // SCCP (Q.713)
  'sccp.message_type',
  'sccp.class',
  'sccp.return_cause',
  'sccp.hops',
  ...(['called', 'calling'] as const).flatMap((party) =>
    ['ri', 'gti', 'ssn', 'pc', 'tt', 'np', 'es', 'nai', 'digits'].map((field) => `sccp.${party}.${field}`),
  ),
  'sccp.segmentation.first',
  'sccp.segmentation.class',
  'sccp.segmentation.remaining',
  'sccp.segmentation.slr',
] as const;

/** Extracted from the `-T json` tree of the tcap, gsm_map and camel layers. */
export const DERIVED_FIELDS = {
  // TCAP (Q.773)
  'tcap.type': 'begin|end|continue|abort|unidirectional, from the tcap.<type>_element key',
  'tcap.otid': 'tcap.otid',
  'tcap.dtid': 'tcap.dtid',
  'tcap.application_context_name': 'tcap.application_context_name',
  'tcap.dialogue': 'aarq|aare|abrt|audt, from tcap.dialogueRequest/Response/Abort_element, tcap.unidialoguePDU_element',
  'tcap.protocol_version': 'tcap.protocol_version (bit string octet, hex)',
  'tcap.p_abortCause': 'tcap.p_abortCause',
  'tcap.components': 'tcap.components (number of components)',
  // Components that no MAP/CAP dissector took (tshark shows them in the tcap tree)
  'tcap.component': '1 invoke, 2 returnResultLast, 3 returnError, 4 reject, 7 returnResultNotLast, from tcap.<type>_element',
  'tcap.invokeID': 'tcap.invokeID',
  'tcap.linkedID': 'tcap.linkedID',
  'tcap.opCode.localValue': 'tcap.localValue under tcap.opCode_tree',
  'tcap.opCode.globalValue': 'tcap.globalValue under tcap.opCode_tree',
  'tcap.errorCode.localValue': 'tcap.localValue under tcap.errorCode_tree',
  // MAP (TS 29.002), tshark's gsm_map "old" ROS
  'gsm_map.old.Component': 'gsm_map.old.Component (1 invoke, 2 returnResultLast, 3 returnError, 4 reject, 7 returnResultNotLast)',
  'gsm_old.invokeID': 'gsm_old.invokeID',
  'gsm_old.linkedID': 'gsm_old.linkedID',
  'gsm_old.opCode.localValue': 'gsm_old.localValue under gsm_old.opCode_tree (the operation code)',
  'gsm_old.opCode.globalValue': 'gsm_old.globalValue under gsm_old.opCode_tree',
  'gsm_old.errorCode.localValue': 'gsm_old.localValue under gsm_old.errorCode_tree (the error code)',
  'gsm_old.problem': '<problem type>:<code> from gsm_old.generalProblem(0)/invokeProblem(1)/returnResultProblem(2)/returnErrorProblem(3)',
  'gsm_map.imsi': 'e212.imsi of an element named *.imsi (not inside sm-RP-DA)',
  'gsm_map.msisdn': 'digits (e164.msisdn / gsm_map.address.digits) of an element named *.msisdn (not inside sm-RP-OA)',
  'gsm_map.msc_Number': 'digits of *.msc_Number, and of *.networkNode_Number without gprsNodeIndicator',
  'gsm_map.vlr_Number': 'digits of *.vlr_Number / *.vlr_number',
  'gsm_map.sgsn_Number': 'digits of *.sgsn_Number, and of *.networkNode_Number with gprsNodeIndicator',
  'gsm_map.hlr_Number': 'digits of *.hlr_Number',
  'gsm_map.serviceCentreAddress': 'digits of *.serviceCentreAddress',
  'gsm_map.gsmSCF_Address': 'digits of *.gsmSCF_Address',
  'gsm_map.sm_RP_DA': '<choice>:<digits> inside *.sm_RP_DA (imsi, lmsi as hex, serviceCentreAddressDA, noSM-RP-DA)',
  'gsm_map.sm_RP_OA': '<choice>:<digits> inside *.sm_RP_OA (msisdn, serviceCentreAddressOA, noSM-RP-OA)',
  'gsm_map.subscriberIdentity': 'imsi|msisdn, the choice taken in a SubscriberIdentity (gsm_map.ms.subscriberIdentity, gsm_map.lcs.targetMS)',
  // CAP (TS 29.078)
  'camel.component': '1 invoke, 2 returnResult, 3 returnError, 4 reject, from camel.<type>_element',
  'camel.invokeId.present': 'camel.present under camel.invokeId_tree (camel.invokeId is the CHOICE index)',
  'camel.linkedId.present': 'camel.present under camel.linkedId_tree',
  'camel.opcode.local': 'camel.local under camel.opcode_tree (camel.opcode is the CHOICE index)',
  'camel.errcode.local': 'camel.local under camel.errcode_tree',
  'camel.serviceKey': 'camel.serviceKey',
  'camel.callingPartyNumber': 'isup.calling under camel.callingPartyNumber_tree',
  'camel.calledPartyNumber': 'isup.called under camel.calledPartyNumber_tree (not Connect\'s camel.CalledPartyNumber)',
  'camel.calledPartyBCDNumber': 'gsm_a.dtap.cld_party_bcd_num under camel.calledPartyBCDNumber_tree',
  'camel.iMSI': 'e212.imsi after camel.iMSI',
  'camel.mscAddress': 'digits under camel.mscAddress_tree',
  'camel.locationInformation.vlr_number': 'digits under gsm_map.ms.vlr_number_tree in camel.locationInformation_element',
  'camel.locationInformation.cellGlobalId':
    '<mcc>-<mnc>-<lac>-<ci>, decoded here (TS 24.008 §10.5.1.3 layout) from the bytes tshark shows as gsm_map.cellGlobalIdOrServiceAreaIdFixedLength (tshark 4.0 prints no sub-fields)',
  'camel.eventTypeBCSM': 'camel.eventTypeBCSM directly in an operation argument (not the list inside bcsmEvents)',
} as const;

export type PlainField = (typeof PLAIN_FIELDS)[number];
export type DerivedField = keyof typeof DERIVED_FIELDS;
export type TsharkField = PlainField | DerivedField;

export class TsharkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TsharkError';
  }
}

const MAX_OUTPUT = 1 << 30;

function tshark(args: readonly string[]): string {
  try {
    return execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: MAX_OUTPUT, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string; status?: number };
    if (failure.code === 'ENOENT') throw new TsharkError('tshark is not installed (Debian package `tshark`)');
    const stderr = (failure.stderr ?? '').split('\n').filter((line) => line && !line.startsWith('Running as user')).join('\n');
    throw new TsharkError(`tshark ${args.join(' ')} failed (exit ${failure.status ?? '?'}): ${stderr || failure.message}`);
  }
}

/** tshark's version line ("TShark (Wireshark) 4.0.17 ..."); throws TsharkError when absent. */
export function tsharkVersion(): string {
  return tshark(['--version']).split('\n')[0] ?? '';
}

/** `-o name:value` arguments for preferences given as "name:value". */
export function prefArgs(prefs: readonly string[]): string[] {
  return prefs.flatMap((pref) => ['-o', pref]);
}

function frameOf(frames: TsharkFrames, frame: number): FrameFields {
  let fields = frames.get(frame);
  if (!fields) {
    fields = new Map();
    frames.set(frame, fields);
  }
  return fields;
}

function push(fields: FrameFields, name: string, value: string): void {
  const values = fields.get(name);
  if (values) values.push(value);
  else fields.set(name, [value]);
}

// ---- -T fields -------------------------------------------------------------------------------

// tshark's aggregator joins occurrences; no value of the fields above contains '|' or a tab.
const AGGREGATOR = '|';

export function parseFieldsOutput(output: string, fields: readonly string[], into: TsharkFrames = new Map()): TsharkFrames {
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const columns = line.split('\t');
    const frame = Number(columns[0]);
    if (!Number.isInteger(frame) || frame < 1) throw new TsharkError(`unexpected tshark -T fields line: ${line}`);
    fields.forEach((name, index) => {
      const column = columns[index + 1];
      if (column === undefined || column === '') return;
      for (const value of column.split(AGGREGATOR)) push(frameOf(into, frame), name, value);
    });
  }
  return into;
}

function plainFields(file: string, prefs: readonly string[], into: TsharkFrames): void {
  const args = [
    '-r', file, ...BASE_ARGS, ...prefArgs(prefs),
    '-T', 'fields', '-E', 'occurrence=a', '-E', `aggregator=${AGGREGATOR}`, '-E', 'separator=/t',
    '-e', 'frame.number', ...PLAIN_FIELDS.flatMap((field) => ['-e', field]),
  ];
  parseFieldsOutput(tshark(args), PLAIN_FIELDS, into);
}

// ---- -T json (tcap, gsm_map, camel) ----------------------------------------------------------

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(node: Json | undefined): node is JsonObject {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** A layer that occurs several times in a frame is an array under --no-duplicate-keys. */
function instances(node: Json | undefined): JsonObject[] {
  if (node === undefined) return [];
  if (Array.isArray(node)) return node.filter(isObject);
  return isObject(node) ? [node] : [];
}

interface Leaf {
  key: string;
  value: string;
  path: readonly string[]; // ancestor keys, outermost first (within the layer)
  objects: readonly JsonObject[]; // the objects along the path: objects[i] holds path[i]
  previousKey: string | undefined; // the sibling key before this one in the same object
}

/** Visits every key of a layer's tree in document order; leaves carry their context. */
function visit(
  node: JsonObject,
  onLeaf: (leaf: Leaf) => void,
  onKey?: (key: string, path: readonly string[]) => void,
  path: readonly string[] = [],
  objects: readonly JsonObject[] = [],
): void {
  let previousKey: string | undefined;
  for (const [key, child] of Object.entries(node)) {
    onKey?.(key, path);
    const values = Array.isArray(child) ? child : [child];
    for (const value of values) {
      if (isObject(value)) visit(value, onLeaf, onKey, [...path, key], [...objects, node]);
      else if (value !== null && !Array.isArray(value)) onLeaf({ key, value: String(value), path, objects: [...objects, node], previousKey });
    }
    previousKey = key;
  }
}

const COMPONENT_TYPE_NUMBERS: Record<string, string> = {
  invoke: '1',
  returnResultLast: '2',
  returnResult: '2', // CAP's ROS has returnResult only (= last)
  returnError: '3',
  reject: '4',
  returnResultNotLast: '7',
};

const PROBLEM_TYPES: Record<string, number> = { generalProblem: 0, invokeProblem: 1, returnResultProblem: 2, returnErrorProblem: 3 };

const DIALOGUE_PDUS: Record<string, string> = {
  'tcap.dialogueRequest_element': 'aarq',
  'tcap.dialogueResponse_element': 'aare',
  'tcap.dialogueAbort_element': 'abrt',
  'tcap.unidialoguePDU_element': 'audt',
};

const last = (path: readonly string[]): string | undefined => path[path.length - 1];
const suffix = (name: string): string => name.slice(name.lastIndexOf('.') + 1);

const TCAP_COMPONENT_KEY = /^tcap\.(invoke|returnResultLast|returnError|reject|returnResultNotLast)_element$/;

function tcapFields(layer: JsonObject, fields: FrameFields): void {
  for (const key of Object.keys(layer)) {
    const type = /^tcap\.(unidirectional|begin|end|continue|abort)_element$/.exec(key)?.[1];
    if (type) push(fields, 'tcap.type', type);
  }
  visit(
    layer,
    ({ key, value, path }) => {
      const parent = last(path);
      switch (key) {
        case 'tcap.otid':
        case 'tcap.dtid':
        case 'tcap.application_context_name':
        case 'tcap.protocol_version':
        case 'tcap.p_abortCause':
        case 'tcap.components':
        case 'tcap.invokeID':
        case 'tcap.linkedID':
          push(fields, key, value);
          return;
        case 'tcap.localValue':
        case 'tcap.globalValue':
          if (parent === 'tcap.opCode_tree') push(fields, `tcap.opCode.${suffix(key)}`, value);
          else if (parent === 'tcap.errorCode_tree') push(fields, `tcap.errorCode.${suffix(key)}`, value);
          return;
      }
    },
    (key, path) => {
      const dialogue = DIALOGUE_PDUS[key];
      if (dialogue) push(fields, 'tcap.dialogue', dialogue);
      const component = TCAP_COMPONENT_KEY.exec(key)?.[1];
      // Only where a component stands, not an element of that name nested inside one.
      if (component && !path.some((ancestor) => TCAP_COMPONENT_KEY.test(ancestor)))
        push(fields, 'tcap.component', COMPONENT_TYPE_NUMBERS[component] ?? component);
    },
  );
}

/** The element that holds a digits leaf: the nearest enclosing `<gsm_map|gsm_old|camel>.*_tree`. */
function owner(path: readonly string[]): string | undefined {
  for (let i = path.length - 1; i >= 0; --i) {
    const key = path[i] ?? '';
    if (/^(gsm_map|gsm_old|camel)\..*_tree$/.test(key)) return key.slice(0, -'_tree'.length);
  }
  return undefined;
}

const MAP_ADDRESS_ROLES: Record<string, string> = {
  msisdn: 'gsm_map.msisdn',
  msc_Number: 'gsm_map.msc_Number',
  vlr_Number: 'gsm_map.vlr_Number',
  vlr_number: 'gsm_map.vlr_Number',
  sgsn_Number: 'gsm_map.sgsn_Number',
  hlr_Number: 'gsm_map.hlr_Number',
  serviceCentreAddress: 'gsm_map.serviceCentreAddress',
  gsmSCF_Address: 'gsm_map.gsmSCF_Address',
};

// Elements of type SubscriberIdentity ::= CHOICE { imsi [0], msisdn [1] } (TS 29.002 §17.7.1):
// subscriberIdentity of ATI/ATSI/ATM and targetMS of sendRoutingInfoForLCS (§17.7.13).
const SUBSCRIBER_IDENTITY_ELEMENTS = new Set(['gsm_map.ms.subscriberIdentity_tree', 'gsm_map.lcs.targetMS_tree']);

// Digit strings of an AddressString / ISDN-AddressString as tshark shows them.
const ADDRESS_DIGIT_KEYS = new Set(['e164.msisdn', 'gsm_map.address.digits']);

function mapFields(layer: JsonObject, fields: FrameFields): void {
  for (const value of [layer['gsm_map.old.Component']].flat()) {
    if (typeof value === 'string') push(fields, 'gsm_map.old.Component', value);
  }
  visit(
    layer,
    ({ key, value, path, objects, previousKey }) => {
      const parent = last(path);
      const inDa = path.some((ancestor) => ancestor.includes('sm_RP_DA'));
      const inOa = path.some((ancestor) => ancestor.includes('sm_RP_OA'));
      if (key === 'gsm_old.invokeID' || key === 'gsm_old.linkedID') {
        push(fields, key, value);
      } else if (key === 'gsm_old.localValue' || key === 'gsm_old.globalValue') {
        if (parent === 'gsm_old.opCode_tree') push(fields, `gsm_old.opCode.${suffix(key)}`, value);
        else if (parent === 'gsm_old.errorCode_tree') push(fields, `gsm_old.errorCode.${suffix(key)}`, value);
      } else if (key.startsWith('gsm_old.') && PROBLEM_TYPES[suffix(key)] !== undefined) {
        push(fields, 'gsm_old.problem', `${PROBLEM_TYPES[suffix(key)]}:${value}`);
      } else if (key === 'e212.imsi') {
        // e212.imsi follows the element that carries the IMSI (gsm_map.ms.imsi, gsm_old.imsi, ...).
        if (!previousKey || suffix(previousKey) !== 'imsi') return;
        if (inDa) push(fields, 'gsm_map.sm_RP_DA', `imsi:${value}`);
        else push(fields, 'gsm_map.imsi', value);
      } else if (ADDRESS_DIGIT_KEYS.has(key)) {
        const element = owner(path);
        if (!element) return;
        const name = suffix(element);
        if (inDa && name === 'serviceCentreAddressDA') push(fields, 'gsm_map.sm_RP_DA', `serviceCentreAddressDA:${value}`);
        else if (inOa && name === 'serviceCentreAddressOA') push(fields, 'gsm_map.sm_RP_OA', `serviceCentreAddressOA:${value}`);
        else if (inOa && name === 'msisdn') push(fields, 'gsm_map.sm_RP_OA', `msisdn:${value}`);
        else if (!inDa && !inOa && MAP_ADDRESS_ROLES[name]) push(fields, MAP_ADDRESS_ROLES[name], value);
        else if (!inDa && !inOa && name === 'networkNode_Number') {
          // LocationInfoWithLMSI / LCSLocationInfo (TS 29.002 §12.1.3, §13A): networkNode-Number is
          // the MSC's number, or the SGSN's when the same SEQUENCE has gprsNodeIndicator.
          const sequence = objects[path.lastIndexOf(`${element}_tree`)];
          const sgsn = sequence !== undefined && Object.keys(sequence).some((sibling) => sibling.includes('gprsNodeIndicator'));
          push(fields, sgsn ? 'gsm_map.sgsn_Number' : 'gsm_map.msc_Number', value);
        }
      } else if (inDa && suffix(key) === 'lmsi') {
        push(fields, 'gsm_map.sm_RP_DA', `lmsi:${value.replaceAll(':', '')}`);
      } else if (inDa && suffix(key) === 'noSM_RP_DA') {
        push(fields, 'gsm_map.sm_RP_DA', 'noSM-RP-DA:');
      } else if (inOa && suffix(key) === 'noSM_RP_OA') {
        push(fields, 'gsm_map.sm_RP_OA', 'noSM-RP-OA:');
      } else if (parent && SUBSCRIBER_IDENTITY_ELEMENTS.has(parent) && (key === 'gsm_map.imsi' || key === 'gsm_map.msisdn')) {
        push(fields, 'gsm_map.subscriberIdentity', suffix(key));
      }
    },
  );
}

// CellGlobalIdOrServiceAreaIdFixedLength (TS 29.002 §17.7.8 -> TS 24.008 §10.5.1.3): MCC/MNC in
// TBCD over 3 octets (MNC digit 3 = 0xF for 2-digit MNCs), then LAC and CI, 2 octets each.
export function cellGlobalIdText(bytes: string): string | undefined {
  const octets = bytes.split(':').map((byte) => Number.parseInt(byte, 16));
  if (octets.length !== 7 || octets.some((octet) => Number.isNaN(octet))) return undefined;
  const [o0 = 0, o1 = 0, o2 = 0, o3 = 0, o4 = 0, o5 = 0, o6 = 0] = octets;
  const nibble = (value: number) => value.toString(16);
  const mcc = nibble(o0 & 0x0f) + nibble(o0 >> 4) + nibble(o1 & 0x0f);
  const mnc = nibble(o2 & 0x0f) + nibble(o2 >> 4) + (o1 >> 4 === 0x0f ? '' : nibble(o1 >> 4));
  return `${mcc}-${mnc}-${(o3 << 8) | o4}-${(o5 << 8) | o6}`;
}

function capFields(layer: JsonObject, fields: FrameFields): void {
  for (const key of Object.keys(layer)) {
    const component = /^camel\.(invoke|returnResult|returnError|reject)_element$/.exec(key)?.[1];
    if (component) push(fields, 'camel.component', COMPONENT_TYPE_NUMBERS[component] ?? component);
  }
  visit(layer, ({ key, value, path, previousKey }) => {
    const parent = last(path);
    const element = owner(path);
    const inLocation = path.includes('camel.locationInformation_element');
    if (key === 'camel.present' && parent === 'camel.invokeId_tree') push(fields, 'camel.invokeId.present', value);
    else if (key === 'camel.present' && parent === 'camel.linkedId_tree') push(fields, 'camel.linkedId.present', value);
    else if (key === 'camel.local' && parent === 'camel.opcode_tree') push(fields, 'camel.opcode.local', value);
    else if (key === 'camel.local' && parent === 'camel.errcode_tree') push(fields, 'camel.errcode.local', value);
    else if (key === 'camel.serviceKey') push(fields, key, value);
    else if (key === 'camel.eventTypeBCSM' && parent?.endsWith('Arg_element')) push(fields, key, value);
    else if (key === 'isup.calling' && element === 'camel.callingPartyNumber') push(fields, 'camel.callingPartyNumber', value);
    else if (key === 'isup.called' && element === 'camel.calledPartyNumber') push(fields, 'camel.calledPartyNumber', value);
    else if (key === 'gsm_a.dtap.cld_party_bcd_num' && element === 'camel.calledPartyBCDNumber')
      push(fields, 'camel.calledPartyBCDNumber', value);
    else if (key === 'e212.imsi' && previousKey === 'camel.iMSI') push(fields, 'camel.iMSI', value);
    else if (ADDRESS_DIGIT_KEYS.has(key) && element === 'camel.mscAddress') push(fields, 'camel.mscAddress', value);
    else if (ADDRESS_DIGIT_KEYS.has(key) && inLocation && element === 'gsm_map.ms.vlr_number')
      push(fields, 'camel.locationInformation.vlr_number', value);
    else if (key === 'gsm_map.cellGlobalIdOrServiceAreaIdFixedLength' && inLocation) {
      const text = cellGlobalIdText(value);
      if (text) push(fields, 'camel.locationInformation.cellGlobalId', text);
    }
  });
}

/** Adds the JSON-derived fields of one tshark `-T json` packet to `into`. */
export function addJsonPacket(packet: unknown, into: TsharkFrames): void {
  const tree = packet as Json; // JSON.parse output, or a test's literal of the same shape
  const layers = isObject(tree) && isObject(tree._source) ? tree._source.layers : undefined;
  if (!isObject(layers)) throw new TsharkError('unexpected tshark -T json packet (no _source.layers)');
  const frame = instances(layers.frame)[0]?.['frame.number'];
  const number = Number(frame);
  if (!Number.isInteger(number) || number < 1) throw new TsharkError(`tshark -T json packet without frame.number`);
  const fields = frameOf(into, number);
  for (const layer of instances(layers.tcap)) tcapFields(layer, fields);
  for (const layer of instances(layers.gsm_map)) mapFields(layer, fields);
  for (const layer of instances(layers.camel)) capFields(layer, fields);
  if (fields.size === 0) into.delete(number);
}

export function parseJsonOutput(output: string, into: TsharkFrames = new Map()): TsharkFrames {
  const packets = JSON.parse(output) as Json;
  if (!Array.isArray(packets)) throw new TsharkError('tshark -T json output is not an array');
  for (const packet of packets) addJsonPacket(packet, into);
  return into;
}

function treeFields(file: string, prefs: readonly string[], into: TsharkFrames): void {
  const args = [
    '-r', file, ...BASE_ARGS, ...prefArgs(prefs),
    '-Y', 'tcap', '-T', 'json', '--no-duplicate-keys', '-J', 'frame tcap gsm_map camel',
  ];
  const output = tshark(args).trim();
  // tshark prints nothing at all (not "[]") when no packet matches the display filter.
  if (output !== '') parseJsonOutput(output, into);
}

/**
 * Every field of PLAIN_FIELDS and DERIVED_FIELDS per frame, as tshark decodes `file` with the
 * preferences `prefs` ("name:value", e.g. "camel.tcap.ssn:146,152,200").
 */
export function tsharkFrames(file: string, prefs: readonly string[] = []): TsharkFrames {
  const frames: TsharkFrames = new Map();
  plainFields(file, prefs, frames);
  treeFields(file, prefs, frames);
  return frames;
}
