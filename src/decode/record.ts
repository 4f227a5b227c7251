// The decoded SS7 message as the control plane sees it: one record per SS7 message (not per
// packet), produced by the native decode path (`sigwall replay`, the differential tests).
// This schema is the one source of the record's type.
import { z } from 'zod';

export const SccpAddressRecord = z.object({
  ri: z.number().int(), // routing indicator: 0 route on GT, 1 route on SSN
  gti: z.number().int(),
  pc: z.number().int().optional(),
  ssn: z.number().int().optional(),
  tt: z.number().int().optional(),
  np: z.number().int().optional(),
  es: z.number().int().optional(),
  nai: z.number().int().optional(),
  digits: z.string().optional(),
});
export type SccpAddressRecord = z.infer<typeof SccpAddressRecord>;

export const AddressRecord = z.object({
  digits: z.string(),
  nature: z.number().int().optional(), // AddressString's first octet (ext, NAI, NP)
});

export const MapRecord = z.object({
  imsi: z.string().optional(),
  msisdn: z.string().optional(),
  mscNumber: z.string().optional(),
  vlrNumber: z.string().optional(),
  sgsnNumber: z.string().optional(),
  hlrNumber: z.string().optional(),
  serviceCentreAddress: z.string().optional(),
  gsmscfAddress: z.string().optional(),
  imei: z.string().optional(),
  smRpDa: z.object({ kind: z.enum(['imsi', 'lmsi', 'serviceCentreAddressDA', 'noSM-RP-DA']), digits: z.string().optional() }).optional(),
  smRpOa: z.object({ kind: z.enum(['msisdn', 'serviceCentreAddressOA', 'noSM-RP-OA']), digits: z.string().optional() }).optional(),
  subscriberIdentity: z.enum(['imsi', 'msisdn']).optional(),
});
export type MapRecord = z.infer<typeof MapRecord>;

export const CapRecord = z.object({
  serviceKey: z.number().int().optional(),
  callingPartyNumber: z.string().optional(),
  calledPartyNumber: z.string().optional(),
  calledPartyBcdNumber: z.string().optional(),
  imsi: z.string().optional(),
  mscAddress: z.string().optional(),
  locationVlrNumber: z.string().optional(),
  cellGlobalId: z.object({ mcc: z.string(), mnc: z.string(), lac: z.number().int(), ci: z.number().int() }).optional(),
  locationAreaId: z.object({ mcc: z.string(), mnc: z.string(), lac: z.number().int() }).optional(),
  eventTypeBcsm: z.number().int().optional(),
});
export type CapRecord = z.infer<typeof CapRecord>;

export const ComponentType = z.enum(['invoke', 'returnResultLast', 'returnError', 'reject', 'returnResultNotLast']);

export const ComponentRecord = z.object({
  type: ComponentType,
  invokeId: z.number().int().optional(),
  linkedId: z.number().int().optional(),
  opcode: z.number().int().optional(), // local operation code
  globalOpcode: z.string().optional(), // dotted OID when the operation code is global
  operation: z.string().optional(), // MAP/CAP operation name
  errorCode: z.number().int().optional(),
  problem: z.object({ type: z.number().int(), code: z.number().int() }).optional(),
  map: MapRecord.optional(),
  cap: CapRecord.optional(),
});
export type ComponentRecord = z.infer<typeof ComponentRecord>;

export const TcapType = z.enum(['unidirectional', 'begin', 'end', 'continue', 'abort']);

export const MessageRecord = z.object({
  frame: z.number().int(), // 1-based number of the packet that completed the message
  chunk: z.number().int(), // 0-based index of the completing chunk in that packet
  timestampNs: z.string(), // decimal nanoseconds since the epoch (beyond 2^53)
  ip: z.object({ version: z.number().int(), src: z.string(), dst: z.string() }),
  sctp: z.object({
    srcPort: z.number().int(),
    dstPort: z.number().int(),
    tsn: z.number().int(),
    sid: z.number().int(),
    ssn: z.number().int(),
    ppid: z.number().int(),
    fragments: z.number().int(),
    idata: z.boolean(),
  }),
  adaptation: z.enum(['none', 'm3ua', 'm2pa', 'm2ua', 'sua']),
  m3ua: z
    .object({
      messageClass: z.number().int(),
      messageType: z.number().int(),
      routingContext: z.number().int().optional(),
      networkAppearance: z.number().int().optional(),
    })
    .optional(),
  m2ua: z
    .object({ messageClass: z.number().int(), messageType: z.number().int(), interfaceId: z.number().int().optional() })
    .optional(),
  sua: z
    .object({ messageClass: z.number().int(), messageType: z.number().int(), routingContext: z.number().int().optional() })
    .optional(),
  mtp3: z
    .object({ opc: z.number().int(), dpc: z.number().int(), si: z.number().int(), ni: z.number().int(), mp: z.number().int(), sls: z.number().int() })
    .optional(),
  sccp: z
    .object({
      messageType: z.number().int(),
      protocolClass: z.number().int(),
      called: SccpAddressRecord,
      calling: SccpAddressRecord,
      hopCounter: z.number().int().optional(),
      returnCause: z.number().int().optional(),
      segmentation: z
        .object({ first: z.boolean(), class: z.number().int(), remaining: z.number().int(), localReference: z.number().int() })
        .optional(),
      segments: z.number().int(),
    })
    .optional(),
  tcap: z
    .object({
      type: TcapType,
      otid: z.string().optional(), // hex
      dtid: z.string().optional(), // hex
      applicationContext: z.string().optional(), // dotted OID
      dialogue: z.enum(['aarq', 'aare', 'abrt', 'audt']).optional(),
      protocolVersion: z.number().int().optional(),
      pAbortCause: z.number().int().optional(),
      componentCount: z.number().int(),
      components: z.array(ComponentRecord),
    })
    .optional(),
  application: z.enum(['unknown', 'map', 'cap']),
  anomalies: z.array(z.string()),
  status: z.enum(['ok', 'anomaly', 'malformed']),
  // The native classifier's verdict, when the capture was decoded with a compiled table
  // (DecodeOptions.table); the same shape as evaluate.ts's Verdict.
  verdict: z
    .object({
      action: z.enum(['allow', 'drop', 'alert']),
      rule: z.string(), // the deciding rule's id, or "<policy>#default" / "<policy>#malformed"
      category: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal('custom')]).optional(),
      shadowHits: z.array(z.string()), // ids of the shadow rules that matched before the decision
    })
    .optional(),
});
export type MessageRecord = z.infer<typeof MessageRecord>;
