// M3UA (RFC 4666): the common message header (§3.1) and parameters (§3.2), the Transfer
// DATA message (§3.3.1) with its parameters in any order, and the ASP state / traffic
// maintenance messages used to bring an association up (ASPUP, ASPAC and their ACKs).

import { checkRange, concat, pad, u16be, u32be, u8 } from './bytes.js';

/** Message classes (RFC 4666 §3.1.3). */
export const M3UA_CLASS = { mgmt: 0, transfer: 1, ssnm: 2, aspsm: 3, asptm: 4, rkm: 9 } as const;

/** Message types within their class (§3.1.4). */
export const M3UA_TYPE = {
  data: 1, // transfer
  aspUp: 1,
  aspDown: 2,
  heartbeat: 3,
  aspUpAck: 4,
  aspDownAck: 5,
  heartbeatAck: 6, // aspsm
  aspActive: 1,
  aspInactive: 2,
  aspActiveAck: 3,
  aspInactiveAck: 4, // asptm
} as const;

/** Parameter tags (§3.2). */
export const M3UA_TAG = {
  infoString: 0x0004,
  routingContext: 0x0006,
  trafficModeType: 0x000b,
  aspIdentifier: 0x0011,
  correlationId: 0x0013,
  networkAppearance: 0x0200,
  protocolData: 0x0210,
} as const;

export interface M3uaParameter {
  tag: number;
  value: Uint8Array;
}

export interface M3uaMessage {
  messageClass: number;
  messageType: number;
  parameters: readonly M3uaParameter[];
  version?: number; // default 1
}

/** §3.2: tag, length (tag+length+value, padding excluded), value padded to 4 bytes. */
export function encodeM3uaParameter(p: M3uaParameter): Uint8Array {
  return pad(concat([u16be(p.tag), u16be(4 + p.value.length), p.value]));
}

export function encodeM3ua(msg: M3uaMessage): Uint8Array {
  const body = concat(msg.parameters.map(encodeM3uaParameter));
  // §3.1: version, reserved, class, type, 32-bit length of the whole message.
  return concat([u8(msg.version ?? 1), u8(0), u8(msg.messageClass), u8(msg.messageType), u32be(8 + body.length), body]);
}

export interface ProtocolData {
  opc: number;
  dpc: number;
  si: number; // service indicator, 3 = SCCP
  ni: number; // network indicator: 0 international, 2 national
  mp?: number; // message priority
  sls: number;
  data: Uint8Array; // the user part message (SCCP)
}

export function encodeProtocolData(pd: ProtocolData): Uint8Array {
  checkRange('OPC', pd.opc, 0, 0xffffffff);
  checkRange('DPC', pd.dpc, 0, 0xffffffff);
  // §3.3.1: OPC(4) DPC(4) SI(1) NI(1) MP(1) SLS(1) then the user protocol data.
  return concat([u32be(pd.opc), u32be(pd.dpc), u8(pd.si), u8(pd.ni), u8(pd.mp ?? 0), u8(pd.sls), pd.data]);
}

export type M3uaDataParameter = 'networkAppearance' | 'routingContext' | 'protocolData' | 'correlationId';

export interface M3uaData {
  networkAppearance?: number;
  routingContext?: number;
  correlationId?: number;
  protocolData: ProtocolData;
  /** Order of the parameters on the wire. RFC 4666 lists NA, RC, Protocol Data, Correlation
   *  Id; receivers must accept any order, which evasion tests exercise. */
  order?: readonly M3uaDataParameter[];
}

export function encodeM3uaData(msg: M3uaData): Uint8Array {
  const order = msg.order ?? ['networkAppearance', 'routingContext', 'protocolData', 'correlationId'];
  const params: M3uaParameter[] = [];
  for (const name of order) {
    if (name === 'networkAppearance' && msg.networkAppearance !== undefined) {
      params.push({ tag: M3UA_TAG.networkAppearance, value: u32be(msg.networkAppearance) });
    } else if (name === 'routingContext' && msg.routingContext !== undefined) {
      params.push({ tag: M3UA_TAG.routingContext, value: u32be(msg.routingContext) });
    } else if (name === 'correlationId' && msg.correlationId !== undefined) {
      params.push({ tag: M3UA_TAG.correlationId, value: u32be(msg.correlationId) });
    } else if (name === 'protocolData') {
      params.push({ tag: M3UA_TAG.protocolData, value: encodeProtocolData(msg.protocolData) });
    }
  }
  if (!order.includes('protocolData')) throw new RangeError('M3UA DATA needs Protocol Data in its parameter order');
  return encodeM3ua({ messageClass: M3UA_CLASS.transfer, messageType: M3UA_TYPE.data, parameters: params });
}

/** ASP Up (§3.5.1) or its ACK (§3.5.2), with an optional ASP Identifier. */
export function encodeAspUp(opts: { ack?: boolean; aspIdentifier?: number; info?: string } = {}): Uint8Array {
  const params: M3uaParameter[] = [];
  if (opts.aspIdentifier !== undefined) params.push({ tag: M3UA_TAG.aspIdentifier, value: u32be(opts.aspIdentifier) });
  if (opts.info !== undefined) params.push({ tag: M3UA_TAG.infoString, value: new TextEncoder().encode(opts.info) });
  return encodeM3ua({ messageClass: M3UA_CLASS.aspsm, messageType: opts.ack ? M3UA_TYPE.aspUpAck : M3UA_TYPE.aspUp, parameters: params });
}

/** ASP Active (§3.7.1) or its ACK (§3.7.2). Traffic mode: 1 override, 2 loadshare, 3 broadcast. */
export function encodeAspActive(opts: { ack?: boolean; trafficMode?: number; routingContext?: number } = {}): Uint8Array {
  const params: M3uaParameter[] = [];
  if (opts.trafficMode !== undefined) params.push({ tag: M3UA_TAG.trafficModeType, value: u32be(opts.trafficMode) });
  if (opts.routingContext !== undefined) params.push({ tag: M3UA_TAG.routingContext, value: u32be(opts.routingContext) });
  return encodeM3ua({
    messageClass: M3UA_CLASS.asptm,
    messageType: opts.ack ? M3UA_TYPE.aspActiveAck : M3UA_TYPE.aspActive,
    parameters: params,
  });
}
