// GSM MAP (3GPP TS 29.002) arguments and results for the operations an SS7 firewall screens,
// encoded from the ASN.1 of §17.6/§17.7 (IMPLICIT TAGS modules: a context tag replaces the
// universal tag, except around CHOICE types where it is explicit). The operation table holds
// each opcode with its application context (§17.3.3) and GSMA FS.11 category.

import { fromHex } from './bytes.js';
import {
  type BerNode,
  bitString,
  boolean,
  cons,
  ctx,
  ctxCons,
  enumerated,
  integer,
  integerContent,
  nullValue,
  octetString,
  oid,
  sequence,
  tag,
} from './ber.js';
import { addressString, cellGlobalId, packUssd, tbcd } from './digits.js';
import { parseIpv4 } from './ip.js';
import { encodeSmsDeliver, encodeSmsSubmit, type SmsDeliver, type SmsSubmit } from './sms.js';
import type { Code, Component } from './tcap.js';

export interface MapOperationInfo {
  opcode: number;
  /** Application context (TS 29.002 §17.3.3): map-ac arc and version. */
  ac: number;
  version: number;
  /** GSMA FS.11 screening category when received over the interconnect (see FS11.md). */
  fs11Category?: 1 | 2 | 3;
}

/** The screened operations: opcode (§17.5), application context and FS.11 category. */
export const MAP_OPERATIONS = {
  updateLocation: { opcode: 2, ac: 1, version: 3, fs11Category: 3 },
  cancelLocation: { opcode: 3, ac: 2, version: 3, fs11Category: 2 },
  provideRoamingNumber: { opcode: 4, ac: 3, version: 3, fs11Category: 2 },
  insertSubscriberData: { opcode: 7, ac: 16, version: 3, fs11Category: 2 },
  deleteSubscriberData: { opcode: 8, ac: 16, version: 3, fs11Category: 2 },
  registerSS: { opcode: 10, ac: 18, version: 2, fs11Category: 3 },
  sendRoutingInfo: { opcode: 22, ac: 5, version: 3, fs11Category: 1 },
  updateGprsLocation: { opcode: 23, ac: 32, version: 3, fs11Category: 3 },
  sendRoutingInfoForGprs: { opcode: 24, ac: 33, version: 4, fs11Category: 1 },
  reset: { opcode: 37, ac: 10, version: 3, fs11Category: 2 },
  checkIMEI: { opcode: 43, ac: 13, version: 3, fs11Category: 1 },
  mtForwardSM: { opcode: 44, ac: 25, version: 3, fs11Category: 2 },
  sendRoutingInfoForSM: { opcode: 45, ac: 20, version: 3 }, // SMS home routing, no FS.11 category
  moForwardSM: { opcode: 46, ac: 21, version: 3, fs11Category: 3 },
  sendAuthenticationInfo: { opcode: 56, ac: 14, version: 3, fs11Category: 3 },
  sendIMSI: { opcode: 58, ac: 26, version: 2, fs11Category: 1 },
  processUnstructuredSSRequest: { opcode: 59, ac: 19, version: 2, fs11Category: 3 },
  unstructuredSSRequest: { opcode: 60, ac: 19, version: 2, fs11Category: 2 },
  anyTimeSubscriptionInterrogation: { opcode: 62, ac: 43, version: 3, fs11Category: 1 },
  anyTimeModification: { opcode: 65, ac: 43, version: 3, fs11Category: 1 },
  purgeMS: { opcode: 67, ac: 27, version: 3, fs11Category: 3 },
  provideSubscriberInfo: { opcode: 70, ac: 28, version: 3, fs11Category: 2 },
  anyTimeInterrogation: { opcode: 71, ac: 29, version: 3, fs11Category: 1 },
  provideSubscriberLocation: { opcode: 83, ac: 38, version: 3, fs11Category: 1 },
  sendRoutingInfoForLCS: { opcode: 85, ac: 37, version: 3, fs11Category: 1 },
} as const satisfies Record<string, MapOperationInfo>;

export type MapOperation = keyof typeof MAP_OPERATIONS;

/** Application contexts used by dialogues that are not named after one operation. */
export const MAP_AC = { networkLocUp: 1, subscriberDataMngt: 16, shortMsgGateway: 20, anyTimeInfoEnquiry: 29 } as const;

/** The application-context-name OID (map-ac = 0.4.0.0.1.0, §17.3.3). */
export function mapAcn(op: MapOperation | { ac: number; version: number }, version?: number): string {
  const info = typeof op === 'string' ? MAP_OPERATIONS[op] : op;
  return `0.4.0.0.1.0.${info.ac}.${version ?? info.version}`;
}

export function mapOperationName(opcode: number): MapOperation | undefined {
  return (Object.keys(MAP_OPERATIONS) as MapOperation[]).find((k) => MAP_OPERATIONS[k].opcode === opcode);
}

/** MAP error codes (§17.6.6) used by the scenarios. */
export const MAP_ERROR = {
  unknownSubscriber: 1,
  unidentifiedSubscriber: 5,
  absentSubscriberSM: 6,
  teleserviceNotProvisioned: 11,
  illegalEquipment: 12,
  callBarred: 13,
  facilityNotSupported: 21,
  absentSubscriber: 27,
  systemFailure: 34,
  dataMissing: 35,
  unexpectedDataValue: 36,
  unauthorizedRequestingNetwork: 52,
} as const;

/** Supplementary service codes (TS 29.002 MAP-SS-Code). */
export const SS_CODE = { allForwardingSS: 0x20, cfu: 0x21, allCondForwardingSS: 0x28, cfb: 0x29, cfnry: 0x2a, cfnrc: 0x2b } as const;

/** Teleservice codes (MAP-TS-Code). */
export const TELESERVICE = { allSpeech: 0x10, telephony: 0x11, emergencyCalls: 0x12, allShortMessage: 0x20, smsMT: 0x21, smsMO: 0x22 } as const;

export type SubscriberIdentity = { imsi: string } | { msisdn: string };

export interface RequestedInfo {
  locationInformation?: boolean;
  subscriberState?: boolean;
  currentLocation?: boolean;
  imei?: boolean;
  msClassmark?: boolean;
}

export interface CamelOCsi {
  serviceKey: number;
  gsmScfAddress: string;
  /** 0 continueCall, 1 releaseCall. */
  defaultCallHandling?: number;
  camelCapabilityHandling?: number;
}

export type MapArgument =
  | { op: 'updateLocation'; imsi: string; mscNumber: string; vlrNumber: string; lmsi?: string }
  | { op: 'cancelLocation'; imsi: string; cancellationType?: number }
  | { op: 'provideRoamingNumber'; imsi: string; mscNumber: string; msisdn?: string; gmscAddress?: string }
  | {
      op: 'insertSubscriberData';
      imsi?: string;
      msisdn?: string;
      category?: number;
      teleservices?: readonly number[];
      /** CAMEL O-CSI: where the VLR sends initialDP for outgoing calls (call interception
       *  when the gsmSCF address is rogue). */
      oCsi?: CamelOCsi;
    }
  | { op: 'deleteSubscriberData'; imsi: string; ssCodes?: readonly number[]; camelSubscriptionInfoWithdraw?: boolean }
  | { op: 'registerSS'; ssCode: number; teleservice?: number; forwardedToNumber?: string; noReplyConditionTime?: number }
  | { op: 'sendRoutingInfo'; msisdn: string; interrogationType?: number; gmscAddress: string; numberOfForwarding?: number }
  | { op: 'updateGprsLocation'; imsi: string; sgsnNumber: string; sgsnAddress: string }
  | { op: 'sendRoutingInfoForGprs'; imsi: string; ggsnAddress?: string; ggsnNumber: string }
  | { op: 'reset'; hlrNumber: string; hlrList?: readonly string[] }
  | { op: 'checkIMEI'; /** 14 digits (TAC + SNR) or 15 with the check digit, which is not sent. */ imei: string }
  | { op: 'mtForwardSM'; imsi: string; serviceCentre: string; sms: SmsDeliver | Uint8Array; moreMessagesToSend?: boolean }
  | { op: 'sendRoutingInfoForSM'; msisdn: string; priority?: boolean; serviceCentre: string }
  | { op: 'moForwardSM'; serviceCentre: string; msisdn: string; sms: SmsSubmit | Uint8Array; imsi?: string }
  | { op: 'sendAuthenticationInfo'; imsi: string; vectors?: number; requestingNodeType?: number }
  | { op: 'sendIMSI'; msisdn: string }
  | { op: 'processUnstructuredSSRequest' | 'unstructuredSSRequest'; ussd: string; msisdn?: string }
  | {
      op: 'anyTimeSubscriptionInterrogation';
      subscriber: SubscriberIdentity;
      gsmScfAddress: string;
      requestedSsCode?: number;
      /** RequestedCAMEL-SubscriptionInfo: 0 o-CSI, 1 t-CSI, ... */
      requestedCamel?: number;
      odb?: boolean;
    }
  | {
      op: 'anyTimeModification';
      subscriber: SubscriberIdentity;
      gsmScfAddress: string;
      forwarding?: { ssCode: number; forwardedToNumber: string; activate?: boolean };
    }
  | { op: 'purgeMS'; imsi: string; vlrNumber?: string; sgsnNumber?: string }
  | { op: 'provideSubscriberInfo'; imsi: string; requested?: RequestedInfo }
  | { op: 'anyTimeInterrogation'; subscriber: SubscriberIdentity; gsmScfAddress: string; requested?: RequestedInfo }
  | { op: 'provideSubscriberLocation'; mlcNumber: string; imsi?: string; msisdn?: string; locationEstimateType?: number; lcsClientType?: number }
  | { op: 'sendRoutingInfoForLCS'; mlcNumber: string; target: SubscriberIdentity };

export interface LocationInfo {
  vlrNumber?: string;
  mscNumber?: string;
  cellGlobalId?: { mcc: string; mnc: string; lac: number; ci: number };
  ageOfLocationInformation?: number;
}

export type MapResult =
  | { op: 'updateLocation'; hlrNumber: string }
  | { op: 'cancelLocation' | 'purgeMS' | 'insertSubscriberData' | 'deleteSubscriberData' | 'mtForwardSM' | 'moForwardSM' }
  | { op: 'sendRoutingInfoForSM'; imsi: string; mscNumber: string; lmsi?: string }
  | { op: 'sendAuthenticationInfo'; triplets: readonly { rand: Uint8Array; sres: Uint8Array; kc: Uint8Array }[] }
  | { op: 'sendIMSI'; imsi: string }
  | { op: 'provideRoamingNumber'; roamingNumber: string }
  | { op: 'anyTimeInterrogation' | 'provideSubscriberInfo'; location?: LocationInfo; assumedIdle?: boolean }
  | { op: 'processUnstructuredSSRequest' | 'unstructuredSSRequest'; ussd: string };

// ---- helpers ---------------------------------------------------------------------------------

const imsiOctets = (imsi: string): Uint8Array => tbcd(imsi);

/** IMEI ::= TBCD-STRING (SIZE (8)): TAC and serial number (14 digits), then the spare digit 0
 *  in place of the check digit (TS 23.003 §6.2.1) and a filler. */
function imeiOctets(imei: string): Uint8Array {
  if (!/^\d{14,15}$/.test(imei)) throw new RangeError(`an IMEI has 14 or 15 digits: ${imei}`);
  return tbcd(imei.slice(0, 14) + '0');
}
const isdn = (digits: string): Uint8Array => addressString(digits);

/** SubscriberIdentity ::= CHOICE { imsi [0] IMSI, msisdn [1] ISDN-AddressString }. */
function subscriberIdentity(s: SubscriberIdentity): BerNode {
  return 'imsi' in s ? ctx(0, imsiOctets(s.imsi)) : ctx(1, isdn(s.msisdn));
}

/** RequestedInfo (§17.7.1): NULL flags. */
function requestedInfo(n: number, r: RequestedInfo = { locationInformation: true, subscriberState: true }): BerNode {
  const fields: BerNode[] = [];
  if (r.locationInformation) fields.push(nullValue(tag.context(0)));
  if (r.subscriberState) fields.push(nullValue(tag.context(1)));
  if (r.currentLocation) fields.push(nullValue(tag.context(3)));
  if (r.msClassmark) fields.push(nullValue(tag.context(5)));
  if (r.imei) fields.push(nullValue(tag.context(6)));
  return ctxCons(n, fields);
}

/** GSN-Address (TS 23.003): address type/length octet, then the IPv4 address. */
function gsnAddress(ipv4: string): Uint8Array {
  return Uint8Array.of(0x04, ...parseIpv4(ipv4));
}

function oCsiNode(o: CamelOCsi): BerNode {
  // O-CSI ::= SEQUENCE { o-BcsmCamelTDPDataList, ..., camelCapabilityHandling [0] }
  const tdp = sequence([
    enumerated(2), // o-BcsmTriggerDetectionPoint collectedInfo (2)
    integer(o.serviceKey),
    ctx(0, isdn(o.gsmScfAddress)),
    ctx(1, integerContent(o.defaultCallHandling ?? 0)),
  ]);
  return ctxCons(0, [sequence([tdp]), ctx(0, integerContent(o.camelCapabilityHandling ?? 2))]);
}

function locationInformation(n: number, l: LocationInfo): BerNode {
  const fields: BerNode[] = [];
  if (l.ageOfLocationInformation !== undefined) fields.push(integer(l.ageOfLocationInformation));
  if (l.vlrNumber) fields.push(ctx(1, isdn(l.vlrNumber)));
  // cellGlobalIdOrServiceAreaIdOrLAI [3] is a CHOICE: explicit tag around
  // cellGlobalIdOrServiceAreaIdFixedLength [0].
  if (l.cellGlobalId) fields.push(ctxCons(3, [ctx(0, cellGlobalId(l.cellGlobalId))]));
  if (l.mscNumber) fields.push(ctx(6, isdn(l.mscNumber)));
  return ctxCons(n, fields);
}

function smsBytes(sms: SmsDeliver | SmsSubmit | Uint8Array, kind: 'deliver' | 'submit'): Uint8Array {
  if (sms instanceof Uint8Array) return sms;
  return kind === 'deliver' ? encodeSmsDeliver(sms as SmsDeliver) : encodeSmsSubmit(sms as SmsSubmit);
}

// ---- arguments -------------------------------------------------------------------------------

/** The operation's argument (the Invoke parameter) as a BER tree. */
export function mapArgument(arg: MapArgument): BerNode {
  switch (arg.op) {
    case 'updateLocation': {
      // UpdateLocationArg ::= SEQUENCE { imsi IMSI, msc-Number [1], vlr-Number, lmsi [10] OPT, ... }
      const f: BerNode[] = [octetString(imsiOctets(arg.imsi)), ctx(1, isdn(arg.mscNumber)), octetString(isdn(arg.vlrNumber))];
      if (arg.lmsi) f.push(ctx(10, fromHex(arg.lmsi)));
      return sequence(f);
    }
    case 'cancelLocation': {
      // CancelLocationArg ::= [3] SEQUENCE { identity Identity (imsi IMSI), cancellationType OPT }
      const f: BerNode[] = [octetString(imsiOctets(arg.imsi))];
      if (arg.cancellationType !== undefined) f.push(enumerated(arg.cancellationType));
      return ctxCons(3, f);
    }
    case 'provideRoamingNumber': {
      const f: BerNode[] = [ctx(0, imsiOctets(arg.imsi)), ctx(1, isdn(arg.mscNumber))];
      if (arg.msisdn) f.push(ctx(2, isdn(arg.msisdn)));
      if (arg.gmscAddress) f.push(ctx(8, isdn(arg.gmscAddress)));
      return sequence(f);
    }
    case 'insertSubscriberData': {
      // InsertSubscriberDataArg ::= SEQUENCE { imsi [0] OPT, COMPONENTS OF SubscriberData
      //   (msisdn [1], category [2], subscriberStatus [3], teleserviceList [6], ...,
      //    vlrCamelSubscriptionInfo [13]) }
      const f: BerNode[] = [];
      if (arg.imsi) f.push(ctx(0, imsiOctets(arg.imsi)));
      if (arg.msisdn) f.push(ctx(1, isdn(arg.msisdn)));
      if (arg.category !== undefined) f.push(ctx(2, Uint8Array.of(arg.category)));
      f.push(ctx(3, integerContent(0))); // subscriberStatus serviceGranted
      if (arg.teleservices?.length) f.push(ctxCons(6, arg.teleservices.map((t) => octetString(Uint8Array.of(t)))));
      if (arg.oCsi) f.push(ctxCons(13, [oCsiNode(arg.oCsi)]));
      return sequence(f);
    }
    case 'deleteSubscriberData': {
      const f: BerNode[] = [ctx(0, imsiOctets(arg.imsi))];
      if (arg.ssCodes?.length) f.push(ctxCons(2, arg.ssCodes.map((c) => octetString(Uint8Array.of(c)))));
      if (arg.camelSubscriptionInfoWithdraw) f.push(nullValue(tag.context(9)));
      return sequence(f);
    }
    case 'registerSS': {
      // RegisterSS-Arg ::= SEQUENCE { ss-Code, basicService BasicServiceCode OPT
      //   (teleservice [3]), forwardedToNumber [4] AddressString, noReplyConditionTime [5] }
      const f: BerNode[] = [octetString(Uint8Array.of(arg.ssCode))];
      if (arg.teleservice !== undefined) f.push(ctx(3, Uint8Array.of(arg.teleservice)));
      if (arg.forwardedToNumber) f.push(ctx(4, isdn(arg.forwardedToNumber)));
      if (arg.noReplyConditionTime !== undefined) f.push(ctx(5, integerContent(arg.noReplyConditionTime)));
      return sequence(f);
    }
    case 'sendRoutingInfo': {
      // SendRoutingInfoArg ::= SEQUENCE { msisdn [0], ..., numberOfForwarding [2],
      //   interrogationType [3], ..., gmsc-OrGsmSCF-Address [6], ... }
      const f: BerNode[] = [ctx(0, isdn(arg.msisdn))];
      if (arg.numberOfForwarding !== undefined) f.push(ctx(2, integerContent(arg.numberOfForwarding)));
      f.push(ctx(3, integerContent(arg.interrogationType ?? 0)), ctx(6, isdn(arg.gmscAddress)));
      return sequence(f);
    }
    case 'updateGprsLocation':
      return sequence([octetString(imsiOctets(arg.imsi)), octetString(isdn(arg.sgsnNumber)), octetString(gsnAddress(arg.sgsnAddress))]);
    case 'sendRoutingInfoForGprs': {
      const f: BerNode[] = [ctx(0, imsiOctets(arg.imsi))];
      if (arg.ggsnAddress) f.push(ctx(1, gsnAddress(arg.ggsnAddress)));
      f.push(ctx(2, isdn(arg.ggsnNumber)));
      return sequence(f);
    }
    case 'reset': {
      // ResetArg ::= SEQUENCE { sendingNodenumber CHOICE { hlr-Number ISDN-AddressString, ... },
      //   hlr-List HLR-List OPT (SEQUENCE OF IMSI prefixes) }
      const f: BerNode[] = [octetString(isdn(arg.hlrNumber))];
      if (arg.hlrList?.length) f.push(sequence(arg.hlrList.map((p) => octetString(tbcd(p)))));
      return sequence(f);
    }
    case 'checkIMEI':
      // CheckIMEI-Arg ::= SEQUENCE { imei IMEI, requestedEquipmentInfo BIT STRING {equipmentStatus} }
      return sequence([octetString(imeiOctets(arg.imei)), bitString([0], 2)]);
    case 'mtForwardSM': {
      // MT-ForwardSM-Arg ::= SEQUENCE { sm-RP-DA (imsi [0]), sm-RP-OA (serviceCentreAddressOA [4]),
      //   sm-RP-UI SignalInfo, moreMessagesToSend NULL OPT }
      const f: BerNode[] = [ctx(0, imsiOctets(arg.imsi)), ctx(4, isdn(arg.serviceCentre)), octetString(smsBytes(arg.sms, 'deliver'))];
      if (arg.moreMessagesToSend) f.push(nullValue());
      return sequence(f);
    }
    case 'sendRoutingInfoForSM':
      // RoutingInfoForSM-Arg ::= SEQUENCE { msisdn [0], sm-RP-PRI [1] BOOLEAN, serviceCentreAddress [2] }
      return sequence([ctx(0, isdn(arg.msisdn)), boolean(arg.priority ?? true, tag.context(1)), ctx(2, isdn(arg.serviceCentre))]);
    case 'moForwardSM': {
      // MO-ForwardSM-Arg ::= SEQUENCE { sm-RP-DA (serviceCentreAddressDA [4]), sm-RP-OA (msisdn [2]),
      //   sm-RP-UI, ..., imsi IMSI OPT }
      const f: BerNode[] = [ctx(4, isdn(arg.serviceCentre)), ctx(2, isdn(arg.msisdn)), octetString(smsBytes(arg.sms, 'submit'))];
      if (arg.imsi) f.push(octetString(imsiOctets(arg.imsi)));
      return sequence(f);
    }
    case 'sendAuthenticationInfo': {
      // SendAuthenticationInfoArg ::= SEQUENCE { imsi [0], numberOfRequestedVectors, ...,
      //   requestingNodeType [3] OPT }
      const f: BerNode[] = [ctx(0, imsiOctets(arg.imsi)), integer(arg.vectors ?? 1)];
      if (arg.requestingNodeType !== undefined) f.push(ctx(3, integerContent(arg.requestingNodeType)));
      return sequence(f);
    }
    case 'sendIMSI':
      // sendIMSI ARGUMENT msisdn ISDN-AddressString
      return octetString(isdn(arg.msisdn));
    case 'processUnstructuredSSRequest':
    case 'unstructuredSSRequest': {
      // USSD-Arg ::= SEQUENCE { ussd-DataCodingScheme, ussd-String, ..., msisdn [0] OPT }
      const f: BerNode[] = [octetString(Uint8Array.of(0x0f)), octetString(packUssd(arg.ussd))];
      if (arg.msisdn) f.push(ctx(0, isdn(arg.msisdn)));
      return sequence(f);
    }
    case 'anyTimeSubscriptionInterrogation': {
      // AnyTimeSubscriptionInterrogationArg ::= SEQUENCE { subscriberIdentity [0],
      //   requestedSubscriptionInfo [1] RequestedSubscriptionInfo, gsmSCF-Address [2] }
      const req: BerNode[] = [];
      // requestedSS-Info [1] SS-ForBS-Code ::= SEQUENCE { ss-Code, ... }
      if (arg.requestedSsCode !== undefined) req.push(ctxCons(1, [octetString(Uint8Array.of(arg.requestedSsCode))]));
      if (arg.odb) req.push(nullValue(tag.context(2)));
      if (arg.requestedCamel !== undefined) req.push(ctx(3, integerContent(arg.requestedCamel)));
      return sequence([ctxCons(0, [subscriberIdentity(arg.subscriber)]), ctxCons(1, req), ctx(2, isdn(arg.gsmScfAddress))]);
    }
    case 'anyTimeModification': {
      // AnyTimeModificationArg ::= SEQUENCE { subscriberIdentity [0], gsmSCF-Address [1],
      //   modificationRequestFor-CF-Info [2] { ss-Code [0], ..., ss-Status [2], forwardedToNumber [3] } }
      const f: BerNode[] = [ctxCons(0, [subscriberIdentity(arg.subscriber)]), ctx(1, isdn(arg.gsmScfAddress))];
      if (arg.forwarding) {
        // Ext-SS-Status (§17.7.4): bits 4-1 are Q P R A; provisioned + registered (+ active).
        const status = arg.forwarding.activate === false ? 0x06 : 0x07;
        f.push(ctxCons(2, [ctx(0, Uint8Array.of(arg.forwarding.ssCode)), ctx(2, Uint8Array.of(status)), ctx(3, isdn(arg.forwarding.forwardedToNumber))]));
      }
      return sequence(f);
    }
    case 'purgeMS': {
      // PurgeMS-Arg ::= [3] SEQUENCE { imsi IMSI, vlr-Number [0] OPT, sgsn-Number [1] OPT }
      const f: BerNode[] = [octetString(imsiOctets(arg.imsi))];
      if (arg.vlrNumber) f.push(ctx(0, isdn(arg.vlrNumber)));
      if (arg.sgsnNumber) f.push(ctx(1, isdn(arg.sgsnNumber)));
      return ctxCons(3, f);
    }
    case 'provideSubscriberInfo':
      // ProvideSubscriberInfoArg ::= SEQUENCE { imsi [0], lmsi [1] OPT, requestedInfo [2] }
      return sequence([ctx(0, imsiOctets(arg.imsi)), requestedInfo(2, arg.requested)]);
    case 'anyTimeInterrogation':
      // AnyTimeInterrogationArg ::= SEQUENCE { subscriberIdentity [0], requestedInfo [1], gsmSCF-Address [3] }
      return sequence([ctxCons(0, [subscriberIdentity(arg.subscriber)]), requestedInfo(1, arg.requested), ctx(3, isdn(arg.gsmScfAddress))]);
    case 'provideSubscriberLocation': {
      // ProvideSubscriberLocation-Arg ::= SEQUENCE { locationType LocationType, mlc-Number,
      //   lcs-ClientID [0] OPT, privacyOverride [1], imsi [2] OPT, msisdn [3] OPT, ... }
      const f: BerNode[] = [sequence([ctx(0, integerContent(arg.locationEstimateType ?? 0))]), octetString(isdn(arg.mlcNumber))];
      // LCS-ClientID ::= SEQUENCE { lcsClientType [0] ENUMERATED (0 emergencyServices, 1 valueAddedServices, ...) }
      f.push(ctxCons(0, [ctx(0, integerContent(arg.lcsClientType ?? 1))]));
      if (arg.imsi) f.push(ctx(2, imsiOctets(arg.imsi)));
      if (arg.msisdn) f.push(ctx(3, isdn(arg.msisdn)));
      return sequence(f);
    }
    case 'sendRoutingInfoForLCS':
      // RoutingInfoForLCS-Arg ::= SEQUENCE { mlcNumber [0], targetMS [1] SubscriberIdentity }
      return sequence([ctx(0, isdn(arg.mlcNumber)), ctxCons(1, [subscriberIdentity(arg.target)])]);
  }
}

// ---- results ---------------------------------------------------------------------------------

/** The operation's result (the ReturnResult parameter) as a BER tree. */
export function mapResult(res: MapResult): BerNode {
  switch (res.op) {
    case 'updateLocation':
      return sequence([octetString(isdn(res.hlrNumber))]);
    case 'cancelLocation':
    case 'purgeMS':
    case 'insertSubscriberData':
    case 'deleteSubscriberData':
    case 'mtForwardSM':
    case 'moForwardSM':
      return sequence([]);
    case 'sendRoutingInfoForSM': {
      // RoutingInfoForSM-Res ::= SEQUENCE { imsi, locationInfoWithLMSI [0] { networkNode-Number [1], lmsi OPT } }
      const loc: BerNode[] = [ctx(1, isdn(res.mscNumber))];
      if (res.lmsi) loc.push(octetString(fromHex(res.lmsi)));
      return sequence([octetString(imsiOctets(res.imsi)), ctxCons(0, loc)]);
    }
    case 'sendAuthenticationInfo':
      // SendAuthenticationInfoRes ::= [3] SEQUENCE { authenticationSetList CHOICE { tripletList [0] } }
      return ctxCons(3, [ctxCons(0, res.triplets.map((t) => sequence([octetString(t.rand), octetString(t.sres), octetString(t.kc)])))]);
    case 'sendIMSI':
      return octetString(imsiOctets(res.imsi));
    case 'provideRoamingNumber':
      // ProvideRoamingNumberRes ::= SEQUENCE { roamingNumber ISDN-AddressString, ... }
      return sequence([octetString(isdn(res.roamingNumber))]);
    case 'anyTimeInterrogation':
    case 'provideSubscriberInfo': {
      // ...Res ::= SEQUENCE { subscriberInfo SubscriberInfo { locationInformation [0], subscriberState [1] } }
      const info: BerNode[] = [];
      if (res.location) info.push(locationInformation(0, res.location));
      // SubscriberState is a CHOICE: explicit [1] around assumedIdle [0] NULL
      if (res.assumedIdle) info.push(ctxCons(1, [nullValue(tag.context(0))]));
      return sequence([sequence(info)]);
    }
    case 'processUnstructuredSSRequest':
    case 'unstructuredSSRequest':
      return sequence([octetString(Uint8Array.of(0x0f)), octetString(packUssd(res.ussd))]);
  }
}

// ---- dialogue ------------------------------------------------------------------------------

/** map-DialogueAS (TS 29.002 §17.4): the abstract syntax of MAP dialogue PDUs. */
export const MAP_DIALOGUE_AS = '0.4.0.0.1.1.1.1';

/**
 * The AARQ user information carrying MAP-OpenInfo (§17.4): destinationReference [0] and
 * originatingReference [1]. Operations without a subscriber in their argument (registerSS,
 * processUnstructuredSS-Request, ...) name the subscriber here: the IMSI as destination
 * reference, numbering plan E.212 (land mobile).
 */
export function mapOpenInfo(refs: { destinationImsi?: string; destination?: string; originating?: string }): BerNode[] {
  const info: BerNode[] = [];
  if (refs.destinationImsi) info.push(ctx(0, addressString(refs.destinationImsi, { plan: 6 })));
  else if (refs.destination) info.push(ctx(0, isdn(refs.destination)));
  if (refs.originating) info.push(ctx(1, isdn(refs.originating)));
  // EXTERNAL { direct-reference map-DialogueAS, single-ASN1-type [0] MAP-DialoguePDU (map-open [0]) }
  return [cons(tag.universal(8), [oid(MAP_DIALOGUE_AS), ctxCons(0, [ctxCons(0, info)])])];
}

// ---- components ------------------------------------------------------------------------------

export function mapOpcode(op: MapOperation): Code {
  return { local: MAP_OPERATIONS[op].opcode };
}

/** An Invoke of a MAP operation. `globalOpcode` replaces the local opcode by an OID (evasion). */
export function mapInvoke(invokeId: number, arg: MapArgument, opts: { globalOpcode?: string; linkedId?: number } = {}): Component {
  const opcode: Code = opts.globalOpcode ? { global: opts.globalOpcode } : mapOpcode(arg.op);
  return { type: 'invoke', invokeId, linkedId: opts.linkedId, opcode, parameter: mapArgument(arg) };
}

export function mapReturnResult(invokeId: number, res: MapResult, last = true): Component {
  return { type: last ? 'returnResultLast' : 'returnResultNotLast', invokeId, result: { opcode: mapOpcode(res.op), parameter: mapResult(res) } };
}

export function mapReturnError(invokeId: number, errorCode: number): Component {
  return { type: 'returnError', invokeId, errorCode: { local: errorCode } };
}

