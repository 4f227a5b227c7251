// The differential's core: turns sigwall's MessageRecords into the per-frame value lists tshark
// prints (tshark.ts) and compares them field by field. Pure: no I/O, no tshark.
//
// How the two sides line up:
// - Both sides are grouped by frame. Within a frame our records are taken in chunk order and
//   their values concatenated, as tshark's `occurrence=a` aggregator does (two bundled DATA
//   chunks give two sctp.data_tsn_raw; a TCAP with three components gives three opcodes).
// - We emit one record per SCTP user message, on the frame of its last fragment; tshark lists
//   every DATA / I-DATA chunk. So tshark's per-chunk SCTP fields are kept only for chunks with
//   the E bit (the chunk that completes a user message), and the per-packet fields (ports) only
//   on frames that carry such a chunk.
// - A message reassembled from SCCP segments is one record on the frame of its last segment;
//   tshark, too, shows the reassembled TCAP on the last segment only.
// - Values are canonicalised per field kind before comparison: integers compare by value
//   (tshark prints some in hex: "0x09"), byte strings without separators in lower case,
//   text (digits, OIDs, names) exactly.
import type { ComponentRecord, MessageRecord, SccpAddressRecord } from '../../src/decode/record.js';
import type { FrameFields, TsharkFrames } from './tshark.js';

export type Layer = 'sctp' | 'm3ua' | 'mtp3' | 'sua' | 'sccp' | 'tcap' | 'map' | 'cap';
type Kind = 'int' | 'bytes' | 'text';
type Value = string | number | boolean | undefined;

// What the records alone do not tell: how the capture was decoded.
interface MappingContext {
  m3uaDraft6: boolean;
}

interface FieldMapping {
  field: string; // tshark's field name, or a DERIVED_FIELDS name from tshark.ts
  layer: Layer;
  kind: Kind;
  // 'chunk': tshark lists one value per DATA chunk (filtered to E-bit chunks);
  // 'packet': one value per SCTP packet; 'message': per SS7 message or component.
  scope: 'packet' | 'chunk' | 'message';
  ours: (record: MessageRecord, context: MappingContext) => Value[];
}

const one = (value: Value): Value[] => (value === undefined ? [] : [value]);

function components(record: MessageRecord, application: MessageRecord['application']): ComponentRecord[] {
  return record.tcap && record.application === application ? record.tcap.components : [];
}

// Numbered as tshark's gsm_map.old.Component (and tcap.Component) choice values.
const COMPONENT_TYPE_NUMBER: Record<ComponentRecord['type'], number> = {
  invoke: 1,
  returnResultLast: 2,
  returnError: 3,
  reject: 4,
  returnResultNotLast: 7,
};

function componentFields(
  layer: Layer,
  application: MessageRecord['application'],
  names: { type: string; invokeId: string; linkedId: string; opcode: string; globalOpcode?: string; errorCode: string; problem?: string },
): FieldMapping[] {
  const each = (pick: (component: ComponentRecord) => Value) => (record: MessageRecord) =>
    components(record, application).flatMap((component) => one(pick(component)));
  const fields: FieldMapping[] = [
    { field: names.type, layer, kind: 'int', scope: 'message', ours: each((c) => COMPONENT_TYPE_NUMBER[c.type]) },
    { field: names.invokeId, layer, kind: 'int', scope: 'message', ours: each((c) => c.invokeId) },
    { field: names.linkedId, layer, kind: 'int', scope: 'message', ours: each((c) => c.linkedId) },
    { field: names.opcode, layer, kind: 'int', scope: 'message', ours: each((c) => c.opcode) },
    { field: names.errorCode, layer, kind: 'int', scope: 'message', ours: each((c) => c.errorCode) },
  ];
  if (names.globalOpcode) fields.push({ field: names.globalOpcode, layer, kind: 'text', scope: 'message', ours: each((c) => c.globalOpcode) });
  if (names.problem)
    fields.push({ field: names.problem, layer, kind: 'text', scope: 'message', ours: each((c) => (c.problem ? `${c.problem.type}:${c.problem.code}` : undefined)) });
  return fields;
}

function mapField(field: string, pick: (map: NonNullable<ComponentRecord['map']>) => Value): FieldMapping {
  return {
    field,
    layer: 'map',
    kind: 'text',
    scope: 'message',
    ours: (record) => components(record, 'map').flatMap((component) => (component.map ? one(pick(component.map)) : [])),
  };
}

function capField(field: string, kind: Kind, pick: (cap: NonNullable<ComponentRecord['cap']>) => Value): FieldMapping {
  return {
    field,
    layer: 'cap',
    kind,
    scope: 'message',
    ours: (record) => components(record, 'cap').flatMap((component) => (component.cap ? one(pick(component.cap)) : [])),
  };
}

function sccpParty(party: 'called' | 'calling'): FieldMapping[] {
  const pick = (get: (address: SccpAddressRecord) => Value) => (record: MessageRecord) =>
    record.sccp && record.adaptation !== 'sua' ? one(get(record.sccp[party])) : [];
  return [
    { field: `sccp.${party}.ri`, layer: 'sccp', kind: 'int', scope: 'message', ours: pick((a) => a.ri) },
    { field: `sccp.${party}.gti`, layer: 'sccp', kind: 'int', scope: 'message', ours: pick((a) => a.gti) },
    { field: `sccp.${party}.ssn`, layer: 'sccp', kind: 'int', scope: 'message', ours: pick((a) => a.ssn) },
    { field: `sccp.${party}.pc`, layer: 'sccp', kind: 'int', scope: 'message', ours: pick((a) => a.pc) },
    { field: `sccp.${party}.tt`, layer: 'sccp', kind: 'int', scope: 'message', ours: pick((a) => a.tt) },
    { field: `sccp.${party}.np`, layer: 'sccp', kind: 'int', scope: 'message', ours: pick((a) => a.np) },
    { field: `sccp.${party}.es`, layer: 'sccp', kind: 'int', scope: 'message', ours: pick((a) => a.es) },
    { field: `sccp.${party}.nai`, layer: 'sccp', kind: 'int', scope: 'message', ours: pick((a) => a.nai) },
    { field: `sccp.${party}.digits`, layer: 'sccp', kind: 'text', scope: 'message', ours: pick((a) => a.digits) },
  ];
}

// SUA carries SCCP's addresses in its own parameters (RFC 3868 §3.10.2); the record holds them in
// `sccp` (a copy), tshark under sua.destination / sua.source.
function suaParty(tshark: 'destination' | 'source', party: 'called' | 'calling'): FieldMapping[] {
  const pick = (get: (address: SccpAddressRecord) => Value) => (record: MessageRecord) =>
    record.sccp && record.adaptation === 'sua' ? one(get(record.sccp[party])) : [];
  const prefix = `sua.${tshark}`;
  return [
    { field: `${prefix}.ssn`, layer: 'sua', kind: 'int', scope: 'message', ours: pick((a) => a.ssn) },
    { field: `${prefix}.point_code`, layer: 'sua', kind: 'int', scope: 'message', ours: pick((a) => a.pc) },
    { field: `${prefix}.global_title_translation_type`, layer: 'sua', kind: 'int', scope: 'message', ours: pick((a) => a.tt) },
    { field: `${prefix}.global_title_numbering_plan`, layer: 'sua', kind: 'int', scope: 'message', ours: pick((a) => a.np) },
    { field: `${prefix}.global_title_nature_of_address`, layer: 'sua', kind: 'int', scope: 'message', ours: pick((a) => a.nai) },
    { field: `${prefix}.global_title_digits`, layer: 'sua', kind: 'text', scope: 'message', ours: pick((a) => a.digits) },
  ];
}

const m3ua = (field: string, pick: (m: NonNullable<MessageRecord['m3ua']>) => Value): FieldMapping => ({
  field,
  layer: 'm3ua',
  kind: 'int',
  scope: 'message',
  ours: (record) => (record.m3ua ? one(pick(record.m3ua)) : []),
});

type Route = NonNullable<MessageRecord['mtp3']>;
const route = (
  field: string,
  when: (record: MessageRecord, context: MappingContext) => boolean,
  pick: (r: Route) => Value,
): FieldMapping => ({
  field,
  layer: 'mtp3',
  kind: 'int',
  scope: 'message',
  ours: (record, context) => (record.mtp3 && when(record, context) ? one(pick(record.mtp3)) : []),
});
// M3UA's Protocol Data parameter (RFC 4666 §3.3.1). M3UA draft 6 carried the MTP3 message itself
// (SIO and routing label), which tshark then shows as MTP3.
const hasProtocolData = (record: MessageRecord, context: MappingContext) => record.adaptation === 'm3ua' && !context.m3uaDraft6;
const hasMtp3Sio = (record: MessageRecord, context: MappingContext) => !hasProtocolData(record, context);
const always = () => true;

type Sccp = NonNullable<MessageRecord['sccp']>;
const sccp = (field: string, pick: (s: Sccp) => Value): FieldMapping => ({
  field,
  layer: 'sccp',
  kind: 'int',
  scope: 'message',
  ours: (record) => (record.sccp && record.adaptation !== 'sua' ? one(pick(record.sccp)) : []),
});

type Tcap = NonNullable<MessageRecord['tcap']>;
const tcap = (field: string, kind: Kind, pick: (t: Tcap) => Value): FieldMapping => ({
  field,
  layer: 'tcap',
  kind,
  scope: 'message',
  ours: (record) => (record.tcap ? one(pick(record.tcap)) : []),
});

/** Every compared field: tshark's name (or tshark.ts's derived name) and where ours comes from. */
export const FIELD_MAPPINGS: readonly FieldMapping[] = [
  // SCTP (RFC 9260)
  { field: 'sctp.srcport', layer: 'sctp', kind: 'int', scope: 'packet', ours: (r) => [r.sctp.srcPort] },
  { field: 'sctp.dstport', layer: 'sctp', kind: 'int', scope: 'packet', ours: (r) => [r.sctp.dstPort] },
  { field: 'sctp.data_tsn_raw', layer: 'sctp', kind: 'int', scope: 'chunk', ours: (r) => [r.sctp.tsn] },
  { field: 'sctp.data_sid', layer: 'sctp', kind: 'int', scope: 'chunk', ours: (r) => [r.sctp.sid] },
  // I-DATA (RFC 8260) has no SSN; tshark has no sctp.data_ssn for it either.
  { field: 'sctp.data_ssn', layer: 'sctp', kind: 'int', scope: 'chunk', ours: (r) => (r.sctp.idata ? [] : [r.sctp.ssn]) },
  // An I-DATA message completed by a later fragment has its PPID in the first fragment only.
  {
    field: 'sctp.data_payload_proto_id',
    layer: 'sctp',
    kind: 'int',
    scope: 'chunk',
    ours: (r) => (r.sctp.idata && r.sctp.fragments > 1 ? [] : [r.sctp.ppid]),
  },
  // M3UA (RFC 4666)
  m3ua('m3ua.message_class', (m) => m.messageClass),
  m3ua('m3ua.message_type', (m) => m.messageType),
  m3ua('m3ua.routing_context', (m) => m.routingContext),
  m3ua('m3ua.network_appearance', (m) => m.networkAppearance),
  // MTP3 routing label: M3UA's Protocol Data (RFC 4666 §3.3.1) ...
  route('m3ua.protocol_data_opc', hasProtocolData, (r) => r.opc),
  route('m3ua.protocol_data_dpc', hasProtocolData, (r) => r.dpc),
  route('m3ua.protocol_data_si', hasProtocolData, (r) => r.si),
  route('m3ua.protocol_data_ni', hasProtocolData, (r) => r.ni),
  route('m3ua.protocol_data_mp', hasProtocolData, (r) => r.mp),
  route('m3ua.protocol_data_sls', hasProtocolData, (r) => r.sls),
  // ... and mtp3.opc/dpc/sls, which tshark shows for a real MTP3 label (M2PA) and as M3UA's
  // "MTP3 equivalents" alike; SI and NI under these names only for a real MTP3 SIO.
  route('mtp3.opc', always, (r) => r.opc),
  route('mtp3.dpc', always, (r) => r.dpc),
  route('mtp3.sls', always, (r) => r.sls),
  route('mtp3.service_indicator', hasMtp3Sio, (r) => r.si),
  route('mtp3.network_indicator', hasMtp3Sio, (r) => r.ni),
  // SUA (RFC 3868)
  { field: 'sua.message_class', layer: 'sua', kind: 'int', scope: 'message', ours: (r) => one(r.sua?.messageClass) },
  { field: 'sua.message_type', layer: 'sua', kind: 'int', scope: 'message', ours: (r) => one(r.sua?.messageType) },
  { field: 'sua.routing_context', layer: 'sua', kind: 'int', scope: 'message', ours: (r) => one(r.sua?.routingContext) },
  ...suaParty('destination', 'called'),
  ...suaParty('source', 'calling'),
  // SCCP (Q.713)
  sccp('sccp.message_type', (s) => s.messageType),
  sccp('sccp.class', (s) => s.protocolClass),
  sccp('sccp.return_cause', (s) => s.returnCause),
  sccp('sccp.hops', (s) => s.hopCounter),
  ...sccpParty('called'),
  ...sccpParty('calling'),
  sccp('sccp.segmentation.first', (s) => s.segmentation?.first),
  sccp('sccp.segmentation.class', (s) => s.segmentation?.class),
  sccp('sccp.segmentation.remaining', (s) => s.segmentation?.remaining),
  sccp('sccp.segmentation.slr', (s) => s.segmentation?.localReference),
  // TCAP (Q.773)
  tcap('tcap.type', 'text', (t) => t.type),
  tcap('tcap.otid', 'bytes', (t) => t.otid),
  tcap('tcap.dtid', 'bytes', (t) => t.dtid),
  tcap('tcap.dialogue', 'text', (t) => t.dialogue),
  tcap('tcap.application_context_name', 'text', (t) => t.applicationContext),
  tcap('tcap.protocol_version', 'bytes', (t) => (t.protocolVersion === undefined ? undefined : t.protocolVersion.toString(16).padStart(2, '0'))),
  tcap('tcap.p_abortCause', 'int', (t) => t.pAbortCause),
  tcap('tcap.components', 'int', (t) => (t.componentCount > 0 ? t.componentCount : undefined)),
  // Components no MAP/CAP dissector took
  ...componentFields('tcap', 'unknown', {
    type: 'tcap.component',
    invokeId: 'tcap.invokeID',
    linkedId: 'tcap.linkedID',
    opcode: 'tcap.opCode.localValue',
    globalOpcode: 'tcap.opCode.globalValue',
    errorCode: 'tcap.errorCode.localValue',
  }),
  // MAP (TS 29.002)
  ...componentFields('map', 'map', {
    type: 'gsm_map.old.Component',
    invokeId: 'gsm_old.invokeID',
    linkedId: 'gsm_old.linkedID',
    opcode: 'gsm_old.opCode.localValue',
    globalOpcode: 'gsm_old.opCode.globalValue',
    errorCode: 'gsm_old.errorCode.localValue',
    problem: 'gsm_old.problem',
  }),
  mapField('gsm_map.imsi', (m) => m.imsi),
  mapField('gsm_map.msisdn', (m) => m.msisdn),
  mapField('gsm_map.msc_Number', (m) => m.mscNumber),
  mapField('gsm_map.vlr_Number', (m) => m.vlrNumber),
  mapField('gsm_map.sgsn_Number', (m) => m.sgsnNumber),
  mapField('gsm_map.hlr_Number', (m) => m.hlrNumber),
  mapField('gsm_map.serviceCentreAddress', (m) => m.serviceCentreAddress),
  mapField('gsm_map.gsmSCF_Address', (m) => m.gsmscfAddress),
  mapField('gsm_map.sm_RP_DA', (m) => (m.smRpDa ? `${m.smRpDa.kind}:${m.smRpDa.digits ?? ''}` : undefined)),
  mapField('gsm_map.sm_RP_OA', (m) => (m.smRpOa ? `${m.smRpOa.kind}:${m.smRpOa.digits ?? ''}` : undefined)),
  mapField('gsm_map.subscriberIdentity', (m) => m.subscriberIdentity),
  // CAP (TS 29.078)
  ...componentFields('cap', 'cap', {
    type: 'camel.component',
    invokeId: 'camel.invokeId.present',
    linkedId: 'camel.linkedId.present',
    opcode: 'camel.opcode.local',
    errorCode: 'camel.errcode.local',
  }),
  capField('camel.serviceKey', 'int', (c) => c.serviceKey),
  capField('camel.callingPartyNumber', 'text', (c) => c.callingPartyNumber),
  capField('camel.calledPartyNumber', 'text', (c) => c.calledPartyNumber),
  capField('camel.calledPartyBCDNumber', 'text', (c) => c.calledPartyBcdNumber),
  capField('camel.iMSI', 'text', (c) => c.imsi),
  capField('camel.mscAddress', 'text', (c) => c.mscAddress),
  capField('camel.locationInformation.vlr_number', 'text', (c) => c.locationVlrNumber),
  capField('camel.locationInformation.cellGlobalId', 'text', (c) =>
    c.cellGlobalId ? `${c.cellGlobalId.mcc}-${c.cellGlobalId.mnc}-${c.cellGlobalId.lac}-${c.cellGlobalId.ci}` : undefined,
  ),
  capField('camel.eventTypeBCSM', 'int', (c) => c.eventTypeBcsm),
];

// ---- canonical values ------------------------------------------------------------------------

export function canonical(kind: Kind, value: Value): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (kind === 'int') {
    if (typeof value === 'number') return String(value);
    const text = value.trim();
    if (/^-?0x[0-9a-f]+$/i.test(text)) {
      const negative = text.startsWith('-');
      const magnitude = Number.parseInt(text.slice(negative ? 3 : 2), 16);
      return String(negative ? -magnitude : magnitude);
    }
    if (/^-?\d+$/.test(text)) return String(Number(text));
    return text; // not a number: kept as is, so that the difference shows
  }
  if (kind === 'bytes') return String(value).replaceAll(':', '').toLowerCase();
  return String(value);
}

// ---- comparison ------------------------------------------------------------------------------

export interface Difference {
  capture: string;
  frame: number;
  layer: Layer;
  field: string;
  ours: string; // values joined with '|', like tshark's aggregator; '' when absent
  tshark: string;
}

export interface FieldTally {
  compared: number;
  agreed: number;
}

export interface CaptureComparison {
  capture: string;
  messages: number; // our records
  tsharkMessages: number; // DATA chunks with the E bit in tshark's view
  frames: number; // frames where at least one field was compared
  compared: number; // (frame, field) pairs where either side has a value
  agreed: number;
  byField: Map<string, FieldTally>;
  differences: Difference[];
}

const DATA = '0';
const I_DATA = '64';

interface TsharkChunk {
  values: Map<string, string>; // per-chunk field -> its value, when the chunk has that field
  completes: boolean; // E bit: the chunk ends a user message
}

/**
 * tshark's DATA and I-DATA chunks of a frame, each with its own fields. tshark lists each field
 * once per chunk that has it: TSN, SID and the flag bits in every DATA/I-DATA chunk, the SSN in
 * DATA only, the PPID in DATA and in the first fragment (B bit) of an I-DATA message, whose
 * other fragments carry an FSN instead (RFC 8260 §2.1).
 */
export function tsharkDataChunks(fields: FrameFields): TsharkChunk[] {
  const types = (fields.get('sctp.chunk_type') ?? []).filter((type) => type === DATA || type === I_DATA);
  const next = new Map<string, number>();
  const take = (field: string): string | undefined => {
    const index = next.get(field) ?? 0;
    next.set(field, index + 1);
    return fields.get(field)?.[index];
  };
  return types.map((type) => {
    const values = new Map<string, string>();
    const set = (field: string, value: string | undefined) => value !== undefined && values.set(field, value);
    for (const field of ['sctp.data_tsn_raw', 'sctp.data_sid', 'sctp.data_b_bit', 'sctp.data_e_bit']) set(field, take(field));
    if (type === DATA) set('sctp.data_ssn', take('sctp.data_ssn'));
    if (type === DATA || canonical('int', values.get('sctp.data_b_bit')) === '1') set('sctp.data_payload_proto_id', take('sctp.data_payload_proto_id'));
    return { values, completes: canonical('int', values.get('sctp.data_e_bit')) === '1' };
  });
}

function tsharkSide(mapping: FieldMapping, fields: FrameFields | undefined): string[] {
  if (!fields) return [];
  if (mapping.scope === 'message') return fields.get(mapping.field) ?? [];
  const completing = tsharkDataChunks(fields).filter((chunk) => chunk.completes);
  if (mapping.scope === 'packet') return completing.length > 0 ? (fields.get(mapping.field) ?? []).slice(0, 1) : [];
  return completing.flatMap((chunk) => {
    const value = chunk.values.get(mapping.field);
    return value === undefined ? [] : [value];
  });
}

function oursSide(mapping: FieldMapping, records: readonly MessageRecord[], context: MappingContext): Value[] {
  if (mapping.scope === 'packet') return records.length > 0 ? one(mapping.ours(records[0] as MessageRecord, context)[0]) : [];
  return records.flatMap((record) => mapping.ours(record, context));
}

export interface CompareOptions {
  /** The capture was decoded as M3UA draft 6 (tshark's m3ua.version preference). */
  m3uaDraft6?: boolean;
}

/** Compares our records of one capture with tshark's view of it. */
export function compareCapture(
  capture: string,
  records: readonly MessageRecord[],
  tshark: TsharkFrames,
  options: CompareOptions = {},
): CaptureComparison {
  const context: MappingContext = { m3uaDraft6: options.m3uaDraft6 ?? false };
  const byFrame = new Map<number, MessageRecord[]>();
  for (const record of records) {
    const list = byFrame.get(record.frame);
    if (list) list.push(record);
    else byFrame.set(record.frame, [record]);
  }
  for (const list of byFrame.values()) list.sort((a, b) => a.chunk - b.chunk);

  const result: CaptureComparison = {
    capture,
    messages: records.length,
    tsharkMessages: 0,
    frames: 0,
    compared: 0,
    agreed: 0,
    byField: new Map(),
    differences: [],
  };
  const frames = [...new Set([...byFrame.keys(), ...tshark.keys()])].sort((a, b) => a - b);
  for (const frame of frames) {
    const ours = byFrame.get(frame) ?? [];
    const theirs = tshark.get(frame);
    result.tsharkMessages += theirs ? tsharkDataChunks(theirs).filter((chunk) => chunk.completes).length : 0;
    let comparedHere = false;
    for (const mapping of FIELD_MAPPINGS) {
      const ourValues = oursSide(mapping, ours, context).map((value) => canonical(mapping.kind, value));
      const tsharkValues = tsharkSide(mapping, theirs).map((value) => canonical(mapping.kind, value));
      if (ourValues.length === 0 && tsharkValues.length === 0) continue;
      comparedHere = true;
      const tally = result.byField.get(mapping.field) ?? { compared: 0, agreed: 0 };
      result.byField.set(mapping.field, tally);
      ++tally.compared;
      ++result.compared;
      const oursText = ourValues.join('|');
      const tsharkText = tsharkValues.join('|');
      if (ourValues.length === tsharkValues.length && oursText === tsharkText) {
        ++tally.agreed;
        ++result.agreed;
      } else {
        result.differences.push({ capture, frame, layer: mapping.layer, field: mapping.field, ours: oursText, tshark: tsharkText });
      }
    }
    if (comparedHere) ++result.frames;
  }
  return result;
}

// ---- known differences -----------------------------------------------------------------------

/** One justified, explicitly listed difference: a capture, exact field names, and why. */
export interface KnownDifference {
  capture: string; // as in CaptureComparison.capture, e.g. 'sigcorr/camel.pcap'
  fields: readonly string[]; // exact field names (no patterns)
  frames?: readonly number[]; // only these frames; all frames of the capture when absent
  reason: string;
}

export interface Explained {
  explained: { difference: Difference; by: KnownDifference }[];
  unexplained: Difference[];
}

export function explain(differences: readonly Difference[], known: readonly KnownDifference[]): Explained {
  const result: Explained = { explained: [], unexplained: [] };
  for (const difference of differences) {
    const by = known.find(
      (entry) =>
        entry.capture === difference.capture &&
        entry.fields.includes(difference.field) &&
        (entry.frames === undefined || entry.frames.includes(difference.frame)),
    );
    if (by) result.explained.push({ difference, by });
    else result.unexplained.push(difference);
  }
  return result;
}

/** Entries that explain nothing among `differences` (stale: the difference is gone). */
export function unusedKnownDifferences(differences: readonly Difference[], known: readonly KnownDifference[]): KnownDifference[] {
  const used = new Set(explain(differences, known).explained.map(({ by }) => by));
  return known.filter((entry) => !used.has(entry));
}

// ---- report ----------------------------------------------------------------------------------

// Rounded down, so that 100.00% means no difference at all.
const percent = (agreed: number, compared: number) =>
  compared === 0 ? '-' : `${(Math.floor((10_000 * agreed) / compared) / 100).toFixed(2)}%`;

export function summaryLine(comparison: Pick<CaptureComparison, 'capture' | 'messages' | 'tsharkMessages' | 'compared' | 'agreed'>): string {
  const { capture, messages, tsharkMessages, compared, agreed } = comparison;
  return `${capture}: messages ${messages} (tshark ${tsharkMessages}), fields compared ${compared}, agreeing ${agreed} (${percent(agreed, compared)})`;
}

export function describeDifference(difference: Difference, max = 120): string {
  const clip = (text: string) => (text.length > max ? `${text.slice(0, max)}...` : text);
  return `${difference.capture} frame ${difference.frame} ${difference.field}: ours [${clip(difference.ours)}] tshark [${clip(difference.tshark)}]`;
}

/** Per layer and field: how many differences, and the first few as examples. */
export function groupDifferences(differences: readonly Difference[], examples = 3): string[] {
  const groups = new Map<string, Difference[]>();
  for (const difference of differences) {
    const key = `${difference.layer} ${difference.field}`;
    const list = groups.get(key);
    if (list) list.push(difference);
    else groups.set(key, [difference]);
  }
  const lines: string[] = [];
  for (const [key, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const captures = [...new Set(list.map((d) => d.capture))];
    lines.push(`${key}: ${list.length} difference(s) in ${captures.join(', ')}`);
    for (const difference of list.slice(0, examples)) lines.push(`    ${describeDifference(difference)}`);
  }
  return lines;
}
