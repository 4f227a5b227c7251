// The scenario library: named message flows between the home network, two roaming partners
// and an attacker (see network.ts), each SS7 message labelled with its scenario, whether it
// is benign or an attack, its GSMA FS.11 category and what it does. Benign flows are whole
// TCAP dialogues (Begin .. End); attacks follow the public catalogue (tracking, IMSI
// disclosure, SMS and call interception, fraud, denial of service); evasions wrap an attack
// in the encoding tricks of FS11.md §5.

import type { BerEncodeOptions } from './ber.js';
import { capInvoke, CAP_OPERATIONS, CAP_V2_ACN, EVENT_TYPE_BCSM } from './cap.js';
import { ISUP_NAI } from './digits.js';
import {
  MAP_AC,
  mapAcn,
  MAP_ERROR,
  mapInvoke,
  mapOpenInfo,
  MAP_OPERATIONS,
  mapOperationName,
  mapReturnError,
  mapReturnResult,
  type MapArgument,
  type MapOperation,
  type MapOperationInfo,
  SS_CODE,
  TELESERVICE,
} from './map.js';
import { ATTACKER, HOME, imsiOf, type LinkName, msisdnOf, type NetworkNodes, PARTNER_A, PARTNER_B } from './network.js';
import { Prng } from './prng.js';
import { e164Gt, type SccpAddress, SSN } from './sccp.js';
import type { Direction, SendOptions, Ss7Message } from './stack.js';
import { type Component, type DialoguePdu, encodeTcap, type Invoke, type ReturnError, type ReturnResult, type TcapMessage } from './tcap.js';

export type LabelKind = 'benign' | 'attack';

/** What a message is, independent of where it landed in a capture. */
export interface MessageLabel {
  scenario: string;
  kind: LabelKind;
  /** FS.11 category of the invoked operation (absent for responses and unscreened operations). */
  fs11Category?: 1 | 2 | 3;
  description: string;
  application: 'map' | 'cap';
  tcapType: TcapMessage['type'];
  /** The screened operation: the (forbidden) invoke, or the operation a result or error answers. */
  operation?: string;
  /** The operation's local code when the message invokes it or returns its result (for the
   *  global-opcode evasion, the local code the OID stands for); absent for bare replies. */
  opcode?: number;
  /** The error code of a ReturnError reply. */
  errorCode?: number;
  /** The encoding trick, for evasion scenarios. */
  evasion?: string;
  imsi?: string;
  msisdn?: string;
}

/** A message label placed in a capture. */
export interface Label extends MessageLabel {
  /** 1-based number of the frame that completes the message (sigwall's MessageRecord.frame). */
  frame: number;
  /** 0-based index of the completing DATA chunk in that frame. */
  chunk: number;
  /** Every frame that carries part of the message (several when fragmented or segmented). */
  frames: number[];
  link: LinkName;
  /** Relative to the home network. */
  direction: 'inbound' | 'outbound';
}

export interface ScenarioMessage {
  link: LinkName;
  dir: Direction;
  ss7: Ss7Message;
  send?: SendOptions;
  /** Consecutive messages with the same bundle id travel as DATA chunks of one SCTP packet. */
  bundle?: number;
  label: MessageLabel;
}

export interface Subscriber {
  index: number;
  imsi: string;
  msisdn: string;
  net: NetworkNodes;
}

export class ScenarioContext {
  readonly prng: Prng;
  private readonly usedTids = new Set<number>();

  constructor(seed: number) {
    this.prng = new Prng(seed);
  }

  /** A fresh 4-octet transaction id. */
  tid(): Uint8Array {
    for (;;) {
      const v = this.prng.int(1, 0xfffffffe);
      if (this.usedTids.has(v)) continue;
      this.usedTids.add(v);
      return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    }
  }

  subscriber(net: NetworkNodes): Subscriber {
    const index = this.prng.int(0, net.subscribers - 1);
    return { index, imsi: imsiOf(net, index), msisdn: msisdnOf(net, index), net };
  }

  cell(net: NetworkNodes): { mcc: string; mnc: string; lac: number; ci: number } {
    return { mcc: net.mcc, mnc: net.mnc, lac: net.lac + this.prng.int(0, 7), ci: this.prng.int(0x0100, 0xfffe) };
  }
}

export interface ScenarioDefinition {
  name: string;
  group: ScenarioGroup;
  kind: LabelKind;
  description: string;
  build(ctx: ScenarioContext): ScenarioMessage[];
}

// ---- building blocks -----------------------------------------------------------------------

interface Party {
  gt: string;
  ssn: number;
}

const party = (gt: string, ssn: number): Party => ({ gt, ssn });

function address(p: Party, opts: { noSsn?: boolean } = {}): SccpAddress {
  return opts.noSsn ? { route: 'gt', gt: e164Gt(p.gt) } : { route: 'gt', ssn: p.ssn, gt: e164Gt(p.gt) };
}

interface MessageSpec {
  scenario: string;
  kind: LabelKind;
  description: string;
  link?: LinkName;
  dir: Direction;
  from: Party;
  to: Party;
  tcap: TcapMessage;
  ber?: BerEncodeOptions;
  ss7?: Partial<Ss7Message>;
  send?: SendOptions;
  bundle?: number;
  application?: 'map' | 'cap';
  /** Overrides the operation read from the components (e.g. the hidden one of two). */
  operation?: string;
  evasion?: string;
  imsi?: string;
  msisdn?: string;
  noCalledSsn?: boolean;
}

function operationCode(application: 'map' | 'cap', operation: string): number | undefined {
  return application === 'map' ? MAP_OPERATIONS[operation as MapOperation]?.opcode : CAP_OPERATIONS[operation as keyof typeof CAP_OPERATIONS];
}

function operationName(application: 'map' | 'cap', opcode: number): string | undefined {
  if (application === 'map') return mapOperationName(opcode);
  return (Object.keys(CAP_OPERATIONS) as (keyof typeof CAP_OPERATIONS)[]).find((k) => CAP_OPERATIONS[k] === opcode);
}

function message(spec: MessageSpec): ScenarioMessage {
  const application = spec.application ?? 'map';
  const components = 'components' in spec.tcap ? spec.tcap.components : undefined;
  const inv = components?.find((c): c is Invoke => c.type === 'invoke');
  const res = components?.find((c): c is ReturnResult => c.type === 'returnResultLast' || c.type === 'returnResultNotLast');
  const err = components?.find((c): c is ReturnError => c.type === 'returnError');
  const carried = inv?.opcode ?? res?.result?.opcode;
  const operation = spec.operation ?? (carried && 'local' in carried ? operationName(application, carried.local) : undefined);
  // The local code the message invokes or answers; for a global opcode, the code it stands for.
  const opcode = operation !== undefined && (inv || res?.result) ? operationCode(application, operation) : undefined;
  const fs11Category =
    inv && application === 'map' && operation !== undefined ? (MAP_OPERATIONS[operation as MapOperation] as MapOperationInfo | undefined)?.fs11Category : undefined;
  return {
    link: spec.link ?? 'ipx-a',
    dir: spec.dir,
    send: spec.send,
    bundle: spec.bundle,
    ss7: {
      called: address(spec.to, { noSsn: spec.noCalledSsn }),
      calling: address(spec.from),
      payload: encodeTcap(spec.tcap, spec.ber),
      ...spec.ss7,
    },
    label: {
      scenario: spec.scenario,
      kind: spec.kind,
      fs11Category,
      description: spec.description,
      application,
      tcapType: spec.tcap.type,
      operation,
      opcode,
      evasion: spec.evasion,
      errorCode: err && 'local' in err.errorCode ? err.errorCode.local : undefined,
      imsi: spec.imsi,
      msisdn: spec.msisdn,
    },
  };
}

const aarq = (acn: string): DialoguePdu => ({ kind: 'aarq', applicationContext: acn });
const aare = (acn: string): DialoguePdu => ({ kind: 'aare', applicationContext: acn });

/** A one-invoke Begin from `from` to `to`, optionally answered by an End from `to`. */
function request(
  base: Omit<MessageSpec, 'tcap' | 'dir' | 'from' | 'to'>,
  ctx: ScenarioContext,
  o: {
    dir: Direction;
    from: Party;
    to: Party;
    arg: MapArgument;
    acn?: string;
    reply?: Component | 'empty';
    replyDescription?: string;
    /** MAP-OpenInfo references in the AARQ (subscriber named by the dialogue). */
    openInfo?: Parameters<typeof mapOpenInfo>[0];
  },
): ScenarioMessage[] {
  const otid = ctx.tid();
  const acn = o.acn ?? mapAcn(o.arg.op);
  const dialogue: DialoguePdu = o.openInfo ? { kind: 'aarq', applicationContext: acn, userInformation: mapOpenInfo(o.openInfo) } : aarq(acn);
  const out = [message({ ...base, dir: o.dir, from: o.from, to: o.to, tcap: { type: 'begin', otid, dialogue, components: [mapInvoke(1, o.arg)] } })];
  if (o.reply) {
    const back: Direction = o.dir === 'ab' ? 'ba' : 'ab';
    out.push(
      message({
        ...base,
        description: o.replyDescription ?? `the ${o.arg.op} result`,
        operation: o.arg.op,
        dir: back,
        from: o.to,
        to: o.from,
        tcap: { type: 'end', dtid: otid, dialogue: aare(acn), components: o.reply === 'empty' ? [] : [o.reply] },
      }),
    );
  }
  return out;
}

// Parties that recur.
const homeHlr = party(HOME.hlr, SSN.hlr);
const homeVlr = party(HOME.vlr, SSN.vlr);
const homeMsc = party(HOME.msc, SSN.msc);
const homeSmsc = party(HOME.smsc, SSN.msc);
const homeScf = party(HOME.gsmScf, SSN.cap);
const homeSsf = party(HOME.msc, SSN.cap);
const homeEir = party(HOME.eir, SSN.eir);
const attackerScf = party(ATTACKER.gsmScf, SSN.gsmScf);
const attackerMsc = party(ATTACKER.msc, SSN.msc);
const attackerVlr = party(ATTACKER.vlr, SSN.vlr);
const attackerHlr = party(ATTACKER.hlr, SSN.hlr);
const attackerSmsc = party(ATTACKER.smsc, SSN.msc);
const attackerGmlc = party(ATTACKER.gmlc, SSN.gmlc);
const attackerSgsn = party(ATTACKER.sgsn, SSN.sgsn);

const vlrOf = (n: NetworkNodes): Party => party(n.vlr, SSN.vlr);
const hlrOf = (n: NetworkNodes): Party => party(n.hlr, SSN.hlr);
const mscOf = (n: NetworkNodes): Party => party(n.msc, SSN.msc);
const sgsnOf = (n: NetworkNodes): Party => party(n.sgsn, SSN.sgsn);

/** Which link a partner's traffic uses: partner A over IPX A, partner B over IPX B. */
const linkOf = (n: NetworkNodes): LinkName => (n === PARTNER_B ? 'ipx-b' : 'ipx-a');

function triplets(prng: Prng, count: number): { rand: Uint8Array; sres: Uint8Array; kc: Uint8Array }[] {
  return Array.from({ length: count }, () => ({ rand: prng.bytes(16), sres: prng.bytes(4), kc: prng.bytes(8) }));
}

// ---- benign ----------------------------------------------------------------------------------

function roamingUpdateLocation(ctx: ScenarioContext): ScenarioMessage[] {
  const scenario = 'roaming-update-location';
  const partner = ctx.prng.pick([PARTNER_A, PARTNER_B]);
  const sub = ctx.subscriber(HOME);
  const link = linkOf(partner);
  const vlr = vlrOf(partner);
  const acn = mapAcn({ ac: MAP_AC.networkLocUp, version: 3 });
  const vlrTid = ctx.tid();
  const hlrTid = ctx.tid();
  const base = { scenario, kind: 'benign' as const, link, imsi: sub.imsi };
  return [
    message({
      ...base,
      description: `${partner.name} VLR registers a home subscriber roaming there (updateLocation)`,
      dir: 'ab',
      from: vlr,
      to: homeHlr,
      tcap: { type: 'begin', otid: vlrTid, dialogue: aarq(acn), components: [mapInvoke(1, { op: 'updateLocation', imsi: sub.imsi, mscNumber: partner.msc, vlrNumber: partner.vlr })] },
    }),
    message({
      ...base,
      description: 'home HLR downloads the subscriber profile to the visited VLR (insertSubscriberData)',
      dir: 'ba',
      from: homeHlr,
      to: vlr,
      tcap: {
        type: 'continue',
        otid: hlrTid,
        dtid: vlrTid,
        dialogue: aare(acn),
        components: [mapInvoke(1, { op: 'insertSubscriberData', msisdn: sub.msisdn, category: 0x0a, teleservices: [TELESERVICE.telephony, TELESERVICE.smsMT, TELESERVICE.smsMO] })],
      },
    }),
    message({ ...base, description: 'visited VLR acknowledges the profile', dir: 'ab', from: vlr, to: homeHlr, tcap: { type: 'continue', otid: vlrTid, dtid: hlrTid, components: [mapReturnResult(1, { op: 'insertSubscriberData' })] } }),
    message({ ...base, description: 'home HLR confirms the location update', dir: 'ba', from: homeHlr, to: vlr, tcap: { type: 'end', dtid: vlrTid, components: [mapReturnResult(1, { op: 'updateLocation', hlrNumber: HOME.hlr })] } }),
  ];
}

function roamingAuthentication(ctx: ScenarioContext): ScenarioMessage[] {
  const partner = ctx.prng.pick([PARTNER_A, PARTNER_B]);
  const sub = ctx.subscriber(HOME);
  return request({ scenario: 'roaming-send-authentication-info', kind: 'benign', link: linkOf(partner), imsi: sub.imsi, description: `${partner.name} VLR asks the home HLR for authentication vectors of a roaming home subscriber` }, ctx, {
    dir: 'ab',
    from: vlrOf(partner),
    to: homeHlr,
    arg: { op: 'sendAuthenticationInfo', imsi: sub.imsi, vectors: 2, requestingNodeType: 0 },
    reply: mapReturnResult(1, { op: 'sendAuthenticationInfo', triplets: triplets(ctx.prng, 2) }),
    replyDescription: 'home HLR returns authentication triplets',
  });
}

function roamingGprs(ctx: ScenarioContext): ScenarioMessage[] {
  const partner = ctx.prng.pick([PARTNER_A, PARTNER_B]);
  const sub = ctx.subscriber(HOME);
  return request({ scenario: 'roaming-update-gprs-location', kind: 'benign', link: linkOf(partner), imsi: sub.imsi, description: `${partner.name} SGSN registers a roaming home subscriber for data (updateGprsLocation)` }, ctx, {
    dir: 'ab',
    from: sgsnOf(partner),
    to: homeHlr,
    arg: { op: 'updateGprsLocation', imsi: sub.imsi, sgsnNumber: partner.sgsn, sgsnAddress: partner === PARTNER_A ? '192.0.2.106' : '192.0.2.206' },
    reply: { type: 'returnResultLast', invokeId: 1 },
    replyDescription: 'home HLR accepts the GPRS location update',
  });
}

function roamingPurge(ctx: ScenarioContext): ScenarioMessage[] {
  const partner = ctx.prng.pick([PARTNER_A, PARTNER_B]);
  const sub = ctx.subscriber(HOME);
  return request({ scenario: 'roaming-purge-ms', kind: 'benign', link: linkOf(partner), imsi: sub.imsi, description: `${partner.name} VLR purges a home subscriber that left (purgeMS)` }, ctx, {
    dir: 'ab',
    from: vlrOf(partner),
    to: homeHlr,
    arg: { op: 'purgeMS', imsi: sub.imsi, vlrNumber: partner.vlr },
    reply: mapReturnResult(1, { op: 'purgeMS' }),
  });
}

/** The home HLR managing its outbound roamers in a partner VLR. */
function roamingSubscriberManagement(ctx: ScenarioContext): ScenarioMessage[] {
  const partner = ctx.prng.pick([PARTNER_A, PARTNER_B]);
  const sub = ctx.subscriber(HOME);
  const base = { scenario: 'roaming-subscriber-management', kind: 'benign' as const, link: linkOf(partner), imsi: sub.imsi };
  const vlr = vlrOf(partner);
  const which = ctx.prng.int(0, 4);
  switch (which) {
    case 0:
      return request({ ...base, description: 'home HLR updates the profile of an outbound roamer (insertSubscriberData)' }, ctx, {
        dir: 'ba',
        from: homeHlr,
        to: vlr,
        arg: { op: 'insertSubscriberData', imsi: sub.imsi, msisdn: sub.msisdn, category: 0x0a, teleservices: [TELESERVICE.telephony] },
        reply: mapReturnResult(1, { op: 'insertSubscriberData' }),
      });
    case 1:
      return request({ ...base, description: 'home HLR withdraws a supplementary service (deleteSubscriberData)' }, ctx, {
        dir: 'ba',
        from: homeHlr,
        to: vlr,
        arg: { op: 'deleteSubscriberData', imsi: sub.imsi, ssCodes: [SS_CODE.cfnry] },
        reply: mapReturnResult(1, { op: 'deleteSubscriberData' }),
      });
    case 2:
      return request({ ...base, description: 'home HLR cancels a roamer that moved to another network (cancelLocation)' }, ctx, {
        dir: 'ba',
        from: homeHlr,
        to: vlr,
        arg: { op: 'cancelLocation', imsi: sub.imsi, cancellationType: 0 },
        reply: mapReturnResult(1, { op: 'cancelLocation' }),
      });
    case 3:
      return request({ ...base, description: 'home HLR asks the visited VLR for a roaming number for a terminating call (provideRoamingNumber)' }, ctx, {
        dir: 'ba',
        from: homeHlr,
        to: vlr,
        arg: { op: 'provideRoamingNumber', imsi: sub.imsi, mscNumber: partner.msc, msisdn: sub.msisdn, gmscAddress: HOME.msc },
        reply: mapReturnResult(1, { op: 'provideRoamingNumber', roamingNumber: partner.gtPrefix + '9' + String(ctx.prng.int(0, 9)) }),
      });
    default:
      return request({ ...base, description: 'home HLR restarted and tells the partner VLR (reset)' }, ctx, {
        dir: 'ba',
        from: homeHlr,
        to: vlr,
        arg: { op: 'reset', hlrNumber: HOME.hlr, hlrList: [HOME.imsiPrefix] },
        reply: 'empty',
      });
  }
}

/** A partner HLR managing its own subscribers roaming in the home network (inbound roamers). */
function inboundRoamerManagement(ctx: ScenarioContext): ScenarioMessage[] {
  const partner = ctx.prng.pick([PARTNER_A, PARTNER_B]);
  const sub = ctx.subscriber(partner);
  const base = { scenario: 'inbound-roamer-management', kind: 'benign' as const, link: linkOf(partner), imsi: sub.imsi };
  const which = ctx.prng.int(0, 2);
  if (which === 0) {
    return request({ ...base, description: `${partner.name} HLR asks the home VLR where its roamer is (provideSubscriberInfo)` }, ctx, {
      dir: 'ab',
      from: hlrOf(partner),
      to: homeVlr,
      arg: { op: 'provideSubscriberInfo', imsi: sub.imsi, requested: { locationInformation: true, subscriberState: true } },
      reply: mapReturnResult(1, { op: 'provideSubscriberInfo', location: { vlrNumber: HOME.vlr, cellGlobalId: ctx.cell(HOME), ageOfLocationInformation: 3 }, assumedIdle: true }),
    });
  }
  if (which === 1) {
    return request({ ...base, description: `${partner.name} HLR updates its roamer's profile in the home VLR (insertSubscriberData)` }, ctx, {
      dir: 'ab',
      from: hlrOf(partner),
      to: homeVlr,
      arg: { op: 'insertSubscriberData', imsi: sub.imsi, msisdn: sub.msisdn, category: 0x0a, teleservices: [TELESERVICE.telephony, TELESERVICE.smsMT] },
      reply: mapReturnResult(1, { op: 'insertSubscriberData' }),
    });
  }
  return request({ ...base, description: `${partner.name} HLR cancels its roamer in the home VLR (cancelLocation)` }, ctx, {
    dir: 'ab',
    from: hlrOf(partner),
    to: homeVlr,
    arg: { op: 'cancelLocation', imsi: sub.imsi, cancellationType: 0 },
    reply: mapReturnResult(1, { op: 'cancelLocation' }),
  });
}

function smsMobileTerminated(ctx: ScenarioContext): ScenarioMessage[] {
  const scenario = 'sms-mt-delivery';
  const partner = ctx.prng.pick([PARTNER_A, PARTNER_B]);
  const sender = ctx.subscriber(partner);
  const sub = ctx.subscriber(HOME);
  const base = { scenario, kind: 'benign' as const, link: linkOf(partner), imsi: sub.imsi, msisdn: sub.msisdn };
  const smsc = party(partner.smsc, SSN.msc);
  const routing = request({ ...base, description: `${partner.name} SMSC asks where to deliver an SMS to a home subscriber (sendRoutingInfoForSM)` }, ctx, {
    dir: 'ab',
    from: smsc,
    to: homeHlr,
    arg: { op: 'sendRoutingInfoForSM', msisdn: sub.msisdn, priority: true, serviceCentre: partner.smsc },
    reply: mapReturnResult(1, { op: 'sendRoutingInfoForSM', imsi: sub.imsi, mscNumber: HOME.msc }),
    replyDescription: 'home HLR returns the IMSI and serving MSC',
  });
  const delivery = request({ ...base, description: `${partner.name} SMSC delivers the SMS to the serving MSC (mt-forwardSM)` }, ctx, {
    dir: 'ab',
    from: smsc,
    to: homeMsc,
    arg: {
      op: 'mtForwardSM',
      imsi: sub.imsi,
      serviceCentre: partner.smsc,
      sms: { originator: { digits: sender.msisdn }, text: ctx.prng.pick(['See you at 8', 'Landed, call you later', 'Happy birthday!', 'Meeting moved to 3pm']), timestamp: new Date(Date.UTC(2026, 0, 15, 9, 30, 0)) },
    },
    reply: mapReturnResult(1, { op: 'mtForwardSM' }),
    replyDescription: 'the MSC confirms the delivery',
  });
  return [...routing, ...delivery];
}

function smsMobileOriginated(ctx: ScenarioContext): ScenarioMessage[] {
  const partner = ctx.prng.pick([PARTNER_A, PARTNER_B]);
  const sub = ctx.subscriber(HOME);
  const to = ctx.subscriber(HOME);
  return request({ scenario: 'sms-mo-submit', kind: 'benign', link: linkOf(partner), imsi: sub.imsi, msisdn: sub.msisdn, description: `a home subscriber roaming in ${partner.name} sends an SMS through the home SMSC (mo-forwardSM)` }, ctx, {
    dir: 'ab',
    from: mscOf(partner),
    to: homeSmsc,
    arg: { op: 'moForwardSM', serviceCentre: HOME.smsc, msisdn: sub.msisdn, sms: { messageReference: ctx.prng.int(0, 255), destination: { digits: to.msisdn }, text: 'On my way' }, imsi: sub.imsi },
    reply: mapReturnResult(1, { op: 'moForwardSM' }),
  });
}

function ussdBalance(ctx: ScenarioContext): ScenarioMessage[] {
  const partner = ctx.prng.pick([PARTNER_A, PARTNER_B]);
  const sub = ctx.subscriber(HOME);
  return request({ scenario: 'ussd-balance', kind: 'benign', link: linkOf(partner), msisdn: sub.msisdn, description: `a home subscriber roaming in ${partner.name} checks the balance by USSD` }, ctx, {
    dir: 'ab',
    from: vlrOf(partner),
    to: homeHlr,
    arg: { op: 'processUnstructuredSSRequest', ussd: '*100#', msisdn: sub.msisdn },
    reply: mapReturnResult(1, { op: 'processUnstructuredSSRequest', ussd: 'Balance 12.50' }),
  });
}

function camelCall(ctx: ScenarioContext): ScenarioMessage[] {
  const scenario = 'cap-call-control';
  // Either a home subscriber calling from a partner network (the partner's gsmSSF asks the
  // home gsmSCF), or a partner's subscriber calling from the home network.
  const outboundRoamer = ctx.prng.next() < 0.5;
  const partner = ctx.prng.pick([PARTNER_A, PARTNER_B]);
  const caller = outboundRoamer ? ctx.subscriber(HOME) : ctx.subscriber(partner);
  const visited = outboundRoamer ? partner : HOME;
  const ssf = outboundRoamer ? party(partner.msc, SSN.cap) : homeSsf;
  const scf = outboundRoamer ? homeScf : party(partner.gsmScf, SSN.cap);
  const dir: Direction = outboundRoamer ? 'ab' : 'ba';
  const back: Direction = outboundRoamer ? 'ba' : 'ab';
  const called = ctx.subscriber(ctx.prng.pick([HOME, PARTNER_A, PARTNER_B]));
  const otid = ctx.tid();
  const base = { scenario, kind: 'benign' as const, link: linkOf(partner), application: 'cap' as const, imsi: caller.imsi, msisdn: caller.msisdn };
  const idp = message({
    ...base,
    description: `the visited MSC (${visited.name}) asks the subscriber's gsmSCF how to route a call (initialDP)`,
    dir,
    from: ssf,
    to: scf,
    tcap: {
      type: 'begin',
      otid,
      dialogue: aarq(CAP_V2_ACN),
      components: [
        capInvoke(1, {
          op: 'initialDP',
          serviceKey: 100 + ctx.prng.int(0, 4),
          calledPartyNumber: { digits: called.msisdn, nai: ISUP_NAI.international },
          callingPartyNumber: { digits: caller.msisdn, nai: ISUP_NAI.international },
          callingPartysCategory: 0x0a,
          eventTypeBCSM: EVENT_TYPE_BCSM.collectedInfo,
          imsi: caller.imsi,
          location: { vlrNumber: visited.vlr, cellGlobalId: ctx.cell(visited), ageOfLocationInformation: 0 },
          mscAddress: visited.msc,
          calledPartyBcdNumber: called.msisdn,
        }),
      ],
    },
  });
  const release = ctx.prng.next() < 0.25;
  const answer = message({
    ...base,
    description: release ? 'the gsmSCF bars the call (releaseCall)' : 'the gsmSCF routes the call (connect)',
    dir: back,
    from: scf,
    to: ssf,
    tcap: {
      type: 'end',
      dtid: otid,
      dialogue: aare(CAP_V2_ACN),
      components: [release ? capInvoke(1, { op: 'releaseCall', cause: 31 }) : capInvoke(1, { op: 'connect', destinationRoutingAddress: { digits: called.msisdn, nai: ISUP_NAI.international } })],
    },
  });
  return [idp, answer];
}

// ---- attacks ---------------------------------------------------------------------------------

const attack = (scenario: string, description: string, extra: Partial<MessageSpec> = {}) => ({ scenario, kind: 'attack' as const, description, ...extra });

function tracking(ctx: ScenarioContext, which: string): ScenarioMessage[] {
  const v = ctx.subscriber(HOME);
  const loc = { vlrNumber: HOME.vlr, mscNumber: HOME.msc, cellGlobalId: ctx.cell(HOME), ageOfLocationInformation: 1 };
  switch (which) {
    case 'ati':
      return request(attack('tracking-any-time-interrogation', 'attacker gsmSCF asks the home HLR for a subscriber\'s location (anyTimeInterrogation)', { imsi: v.imsi, msisdn: v.msisdn }), ctx, {
        dir: 'ab',
        from: attackerScf,
        to: homeHlr,
        arg: { op: 'anyTimeInterrogation', subscriber: ctx.prng.next() < 0.5 ? { imsi: v.imsi } : { msisdn: v.msisdn }, gsmScfAddress: ATTACKER.gsmScf, requested: { locationInformation: true, subscriberState: true } },
        reply: mapReturnResult(1, { op: 'anyTimeInterrogation', location: loc, assumedIdle: true }),
        replyDescription: 'the HLR answers with the cell id: location leaked',
      });
    case 'psi':
      return request(attack('tracking-provide-subscriber-info', 'attacker posing as an HLR asks the home VLR for a subscriber\'s cell (provideSubscriberInfo)', { imsi: v.imsi }), ctx, {
        dir: 'ab',
        from: attackerHlr,
        to: homeVlr,
        arg: { op: 'provideSubscriberInfo', imsi: v.imsi, requested: { locationInformation: true, subscriberState: true, currentLocation: true } },
        reply: mapReturnResult(1, { op: 'provideSubscriberInfo', location: loc, assumedIdle: true }),
        replyDescription: 'the VLR answers with the current cell: location leaked',
      });
    case 'sri':
      return request(attack('tracking-send-routing-info', 'attacker posing as a GMSC asks for routing of a call to a subscriber (sendRoutingInfo)', { msisdn: v.msisdn }), ctx, {
        dir: 'ab',
        from: attackerMsc,
        to: homeHlr,
        arg: { op: 'sendRoutingInfo', msisdn: v.msisdn, interrogationType: 0, gmscAddress: ATTACKER.msc },
      });
    case 'sri-sm':
      return request(attack('tracking-send-routing-info-for-sm', 'attacker posing as an SMSC asks for the IMSI and serving MSC of a number (sendRoutingInfoForSM)', { msisdn: v.msisdn }), ctx, {
        dir: 'ab',
        from: attackerSmsc,
        to: homeHlr,
        arg: { op: 'sendRoutingInfoForSM', msisdn: v.msisdn, priority: true, serviceCentre: ATTACKER.smsc },
        reply: mapReturnResult(1, { op: 'sendRoutingInfoForSM', imsi: v.imsi, mscNumber: HOME.msc, lmsi: '00a1b2c3' }),
        replyDescription: 'the HLR returns the IMSI and MSC: identity and location leaked',
      });
    case 'psl':
      return request(attack('tracking-provide-subscriber-location', 'attacker GMLC asks the serving MSC for a precise position (provideSubscriberLocation)', { imsi: v.imsi, msisdn: v.msisdn }), ctx, {
        dir: 'ab',
        from: attackerGmlc,
        to: homeMsc,
        arg: { op: 'provideSubscriberLocation', mlcNumber: ATTACKER.gmlc, imsi: v.imsi, msisdn: v.msisdn, locationEstimateType: 0, lcsClientType: 1 },
      });
    case 'sri-gprs':
      return request(attack('tracking-send-routing-info-for-gprs', 'attacker posing as a GGSN asks for the SGSN serving a subscriber (sendRoutingInfoForGprs)', { imsi: v.imsi }), ctx, {
        dir: 'ab',
        from: party(ATTACKER.gt, SSN.ggsn),
        to: homeHlr,
        arg: { op: 'sendRoutingInfoForGprs', imsi: v.imsi, ggsnAddress: '203.0.113.66', ggsnNumber: ATTACKER.gt },
      });
    default:
      return request(attack('tracking-send-routing-info-for-lcs', 'attacker GMLC asks the HLR which MSC serves a subscriber (sendRoutingInfoForLCS)', { msisdn: v.msisdn }), ctx, {
        dir: 'ab',
        from: attackerGmlc,
        to: homeHlr,
        arg: { op: 'sendRoutingInfoForLCS', mlcNumber: ATTACKER.gmlc, target: { msisdn: v.msisdn } },
        reply: mapReturnError(1, MAP_ERROR.unauthorizedRequestingNetwork),
        replyDescription: 'the HLR refuses (unauthorizedRequestingNetwork)',
      });
  }
}

function imsiDisclosure(ctx: ScenarioContext): ScenarioMessage[] {
  const v = ctx.subscriber(HOME);
  return request(attack('imsi-disclosure-send-imsi', 'attacker asks the HLR for the IMSI behind a number (sendIMSI)', { msisdn: v.msisdn }), ctx, {
    dir: 'ab',
    from: attackerVlr,
    to: homeHlr,
    arg: { op: 'sendIMSI', msisdn: v.msisdn },
    reply: mapReturnResult(1, { op: 'sendIMSI', imsi: v.imsi }),
    replyDescription: 'the HLR returns the IMSI',
  });
}

function smsInterception(ctx: ScenarioContext): ScenarioMessage[] {
  const scenario = 'sms-interception-update-location';
  const v = ctx.subscriber(HOME);
  const acn = mapAcn({ ac: MAP_AC.networkLocUp, version: 3 });
  const a = ctx.tid();
  const h = ctx.tid();
  const base = { scenario, kind: 'attack' as const, imsi: v.imsi, msisdn: v.msisdn };
  return [
    message({ ...base, description: 'attacker registers a home subscriber at a rogue MSC/VLR so SMS are routed to it (updateLocation)', dir: 'ab', from: attackerVlr, to: homeHlr, tcap: { type: 'begin', otid: a, dialogue: aarq(acn), components: [mapInvoke(1, { op: 'updateLocation', imsi: v.imsi, mscNumber: ATTACKER.msc, vlrNumber: ATTACKER.vlr })] } }),
    message({ ...base, description: 'the HLR sends the profile to the rogue VLR', dir: 'ba', from: homeHlr, to: attackerVlr, tcap: { type: 'continue', otid: h, dtid: a, dialogue: aare(acn), components: [mapInvoke(1, { op: 'insertSubscriberData', msisdn: v.msisdn, category: 0x0a, teleservices: [TELESERVICE.telephony, TELESERVICE.smsMT] })] } }),
    message({ ...base, description: 'the rogue VLR acknowledges the profile', dir: 'ab', from: attackerVlr, to: homeHlr, tcap: { type: 'continue', otid: a, dtid: h, components: [mapReturnResult(1, { op: 'insertSubscriberData' })] } }),
    message({ ...base, description: 'the HLR completes the rogue registration: SMS now go to the attacker', dir: 'ba', from: homeHlr, to: attackerVlr, tcap: { type: 'end', dtid: a, components: [mapReturnResult(1, { op: 'updateLocation', hlrNumber: HOME.hlr })] } }),
  ];
}

function callInterception(ctx: ScenarioContext, which: 'isd' | 'register-ss'): ScenarioMessage[] {
  const v = ctx.subscriber(HOME);
  if (which === 'isd') {
    return request(attack('call-interception-insert-subscriber-data', 'attacker posing as the HLR installs a rogue gsmSCF in the VLR profile (insertSubscriberData with O-CSI)', { imsi: v.imsi }), ctx, {
      dir: 'ab',
      from: attackerHlr,
      to: homeVlr,
      arg: { op: 'insertSubscriberData', imsi: v.imsi, oCsi: { serviceKey: 666, gsmScfAddress: ATTACKER.gsmScf, defaultCallHandling: 0 } },
    });
  }
  return request(attack('call-interception-register-ss', 'attacker registers unconditional call forwarding to its own number (registerSS; subscriber named by the dialogue)', { imsi: v.imsi }), ctx, {
    dir: 'ab',
    from: attackerVlr,
    to: homeHlr,
    arg: { op: 'registerSS', ssCode: SS_CODE.cfu, teleservice: TELESERVICE.telephony, forwardedToNumber: ATTACKER.forwardTo },
    openInfo: { destinationImsi: v.imsi, originating: ATTACKER.vlr },
  });
}

function fraud(ctx: ScenarioContext, which: string): ScenarioMessage[] {
  const v = ctx.subscriber(HOME);
  switch (which) {
    case 'ussd':
      return request(attack('fraud-ussd', 'attacker sends a USSD money-transfer request on behalf of a subscriber (processUnstructuredSS-Request)', { imsi: v.imsi, msisdn: v.msisdn }), ctx, {
        dir: 'ab',
        from: attackerVlr,
        to: homeHlr,
        arg: { op: 'processUnstructuredSSRequest', ussd: `*144*${ATTACKER.forwardTo}*50#`, msisdn: v.msisdn },
        openInfo: { destinationImsi: v.imsi, originating: v.msisdn },
      });
    case 'ussd-network':
      return request(attack('fraud-ussd-phishing', 'attacker pushes a phishing USSD prompt to a subscriber (unstructuredSS-Request)', { msisdn: v.msisdn }), ctx, {
        dir: 'ab',
        from: attackerHlr,
        to: homeMsc,
        arg: { op: 'unstructuredSSRequest', ussd: 'Account locked. Reply with your PIN', msisdn: v.msisdn },
      });
    case 'sms-mt':
      return request(attack('sms-spoofing-mt-forward-sm', 'attacker delivers an SMS with a forged bank sender straight to the MSC (mt-forwardSM)', { imsi: v.imsi }), ctx, {
        dir: 'ab',
        from: attackerSmsc,
        to: homeMsc,
        arg: {
          op: 'mtForwardSM',
          imsi: v.imsi,
          serviceCentre: ATTACKER.smsc,
          sms: { originator: { alphanumeric: 'HomeBank' }, text: 'Verify your account at bank.example', timestamp: new Date(Date.UTC(2026, 0, 15, 10, 0, 0)) },
        },
      });
    default: {
      const victim = ctx.subscriber(HOME);
      return request(attack('sms-spoofing-mo-forward-sm', 'attacker submits an SMS through the home SMSC with a forged subscriber as originator (mo-forwardSM)', { msisdn: victim.msisdn }), ctx, {
        dir: 'ab',
        from: attackerMsc,
        to: homeSmsc,
        arg: { op: 'moForwardSM', serviceCentre: HOME.smsc, msisdn: victim.msisdn, sms: { messageReference: 7, destination: { digits: v.msisdn }, text: 'Send me the code you just got' } },
      });
    }
  }
}

function denialOfService(ctx: ScenarioContext, which: string): ScenarioMessage[] {
  const v = ctx.subscriber(HOME);
  switch (which) {
    case 'purge':
      return request(attack('dos-purge-ms', 'attacker marks a subscriber as purged so calls and SMS fail (purgeMS)', { imsi: v.imsi }), ctx, {
        dir: 'ab',
        from: attackerVlr,
        to: homeHlr,
        arg: { op: 'purgeMS', imsi: v.imsi, vlrNumber: ATTACKER.vlr },
      });
    case 'cancel':
      return request(attack('dos-cancel-location', 'attacker posing as the HLR deletes a subscriber from the VLR (cancelLocation)', { imsi: v.imsi }), ctx, {
        dir: 'ab',
        from: attackerHlr,
        to: homeVlr,
        arg: { op: 'cancelLocation', imsi: v.imsi, cancellationType: 1 },
      });
    case 'delete':
      return request(attack('dos-delete-subscriber-data', 'attacker posing as the HLR withdraws services from the VLR profile (deleteSubscriberData)', { imsi: v.imsi }), ctx, {
        dir: 'ab',
        from: attackerHlr,
        to: homeVlr,
        arg: { op: 'deleteSubscriberData', imsi: v.imsi, camelSubscriptionInfoWithdraw: true },
      });
    case 'reset':
      return request(attack('dos-reset', 'attacker claims an HLR restart to force mass re-registration (reset)'), ctx, {
        dir: 'ab',
        from: attackerHlr,
        to: homeVlr,
        arg: { op: 'reset', hlrNumber: ATTACKER.hlr },
      });
    default:
      return request(attack('dos-provide-roaming-number', 'attacker requests roaming numbers to exhaust the MSRN pool (provideRoamingNumber)', { imsi: v.imsi }), ctx, {
        dir: 'ab',
        from: attackerHlr,
        to: homeVlr,
        arg: { op: 'provideRoamingNumber', imsi: v.imsi, mscNumber: HOME.msc, msisdn: v.msisdn, gmscAddress: ATTACKER.msc },
      });
  }
}

function profileAttacks(ctx: ScenarioContext, which: string): ScenarioMessage[] {
  const v = ctx.subscriber(HOME);
  switch (which) {
    case 'atsi':
      return request(attack('profile-any-time-subscription-interrogation', 'attacker gsmSCF reads a subscriber\'s forwarding and CAMEL profile (anyTimeSubscriptionInterrogation)', { msisdn: v.msisdn }), ctx, {
        dir: 'ab',
        from: attackerScf,
        to: homeHlr,
        arg: { op: 'anyTimeSubscriptionInterrogation', subscriber: { msisdn: v.msisdn }, gsmScfAddress: ATTACKER.gsmScf, requestedSsCode: SS_CODE.cfu, requestedCamel: 0 },
      });
    case 'atm':
      return request(attack('profile-any-time-modification', 'attacker gsmSCF activates call forwarding to its own number (anyTimeModification)', { msisdn: v.msisdn }), ctx, {
        dir: 'ab',
        from: attackerScf,
        to: homeHlr,
        arg: { op: 'anyTimeModification', subscriber: { msisdn: v.msisdn }, gsmScfAddress: ATTACKER.gsmScf, forwarding: { ssCode: SS_CODE.cfu, forwardedToNumber: ATTACKER.forwardTo } },
      });
    case 'imei':
      return request(attack('probe-check-imei', 'attacker probes the EIR for a device (checkIMEI)'), ctx, {
        dir: 'ab',
        from: attackerMsc,
        to: homeEir,
        arg: { op: 'checkIMEI', imei: '35693803564380' + String(ctx.prng.int(0, 9)) },
      });
    default:
      return request(attack('gprs-hijack-update-gprs-location', 'attacker SGSN registers a subscriber\'s data session to itself (updateGprsLocation)', { imsi: v.imsi }), ctx, {
        dir: 'ab',
        from: attackerSgsn,
        to: homeHlr,
        arg: { op: 'updateGprsLocation', imsi: v.imsi, sgsnNumber: ATTACKER.sgsn, sgsnAddress: '203.0.113.77' },
      });
  }
}

// ---- evasions --------------------------------------------------------------------------------

function atiArg(v: Subscriber): MapArgument {
  return { op: 'anyTimeInterrogation', subscriber: { imsi: v.imsi }, gsmScfAddress: ATTACKER.gsmScf, requested: { locationInformation: true, subscriberState: true } };
}

/** An ATI Begin from the attacker with one encoding trick applied. */
function evasion(ctx: ScenarioContext, v: Subscriber, name: string, description: string, tweak: Partial<MessageSpec> & { otid?: Uint8Array; components?: Component[]; acn?: string }): ScenarioMessage[] {
  const { otid, components, acn, ...spec } = tweak;
  return [
    message({
      scenario: `evasion-${name}`,
      kind: 'attack',
      evasion: name,
      description,
      dir: 'ab',
      from: attackerScf,
      to: homeHlr,
      imsi: v.imsi,
      tcap: { type: 'begin', otid: otid ?? ctx.tid(), dialogue: aarq(acn ?? mapAcn('anyTimeInterrogation')), components: components ?? [mapInvoke(1, atiArg(v))] },
      ...spec,
    }),
  ];
}

function evasions(ctx: ScenarioContext, which: string): ScenarioMessage[] {
  const v = ctx.subscriber(HOME);
  switch (which) {
    case 'global-opcode':
      return evasion(ctx, v, which, 'anyTimeInterrogation with a global (OID) operation code instead of local 71', {
        components: [mapInvoke(1, atiArg(v), { globalOpcode: '0.4.0.0.1.0.71' })],
        operation: 'anyTimeInterrogation',
      });
    case 'multiple-components':
      return evasion(ctx, v, which, 'a harmless-looking sendAuthenticationInfo first, anyTimeInterrogation hidden in the second component', {
        acn: mapAcn('sendAuthenticationInfo'),
        components: [mapInvoke(1, { op: 'sendAuthenticationInfo', imsi: v.imsi, vectors: 1 }), mapInvoke(2, atiArg(v))],
        operation: 'anyTimeInterrogation',
      });
    case 'long-transaction-id':
      return evasion(ctx, v, which, 'anyTimeInterrogation with an 8-octet originating transaction id (Q.773 allows 1 to 4)', {
        otid: Uint8Array.of(0xde, 0xad, 0xbe, 0xef, ...ctx.tid()),
      });
    case 'missing-called-ssn': {
      const otid = ctx.tid();
      return [
        message({
          scenario: 'evasion-missing-called-ssn',
          kind: 'attack',
          evasion: which,
          description: 'sendRoutingInfo whose called party address routes on GT without an SSN',
          dir: 'ab',
          from: attackerMsc,
          to: homeHlr,
          noCalledSsn: true,
          msisdn: v.msisdn,
          tcap: { type: 'begin', otid, dialogue: aarq(mapAcn('sendRoutingInfo')), components: [mapInvoke(1, { op: 'sendRoutingInfo', msisdn: v.msisdn, gmscAddress: ATTACKER.msc })] },
        }),
      ];
    }
    case 'non-minimal-length':
      return evasion(ctx, v, which, 'anyTimeInterrogation with every BER length in a non-minimal two-octet long form', { ber: { length: { octets: 2 } } });
    case 'indefinite-length':
      return evasion(ctx, v, which, 'anyTimeInterrogation with indefinite BER lengths on every constructed element', { ber: { length: 'indefinite' } });
    case 'xudt-segmented':
      return evasion(ctx, v, which, 'anyTimeInterrogation Begin split over three XUDT segments', {
        ss7: { xudtSegments: 3, protocolClass: 1, returnOnError: true, segmentationReference: ctx.prng.int(1, 0xffffff) },
      });
    case 'sctp-fragmented':
      return evasion(ctx, v, which, 'anyTimeInterrogation fragmented over three SCTP DATA chunks in three packets', { send: { sctpFragments: 3 } });
    case 'idata-fragmented':
      return evasion(ctx, v, which, 'anyTimeInterrogation carried in two I-DATA fragments (RFC 8260)', { send: { sctpFragments: 2, idata: true } });
    case 'ludt':
      return evasion(ctx, v, which, 'anyTimeInterrogation in an SCCP LUDT (long unitdata) message', { ss7: { sccpType: 'ludt', protocolClass: 1 } });
    case 'invoke-in-continue': {
      const tcap: TcapMessage = { type: 'continue', otid: ctx.tid(), dtid: ctx.tid(), components: [mapInvoke(1, atiArg(v))] };
      return [message({ scenario: 'evasion-invoke-in-continue', kind: 'attack', evasion: which, description: 'anyTimeInterrogation invoked inside a Continue of a dialogue that never began', dir: 'ab', from: attackerScf, to: homeHlr, imsi: v.imsi, tcap })];
    }
    case 'invoke-in-end': {
      const tcap: TcapMessage = { type: 'end', dtid: ctx.tid(), components: [mapInvoke(1, { op: 'sendIMSI', msisdn: v.msisdn })] };
      return [message({ scenario: 'evasion-invoke-in-end', kind: 'attack', evasion: which, description: 'sendIMSI invoked inside an End', dir: 'ab', from: attackerVlr, to: homeHlr, msisdn: v.msisdn, tcap })];
    }
    case 'sua':
      return evasion(ctx, v, which, 'anyTimeInterrogation carried over SUA instead of M3UA/SCCP', { link: 'sua' });
    case 'm2pa':
      return evasion(ctx, v, which, 'anyTimeInterrogation carried over M2PA/MTP3', { link: 'm2pa' });
    case 'vlan':
      return evasion(ctx, v, which, 'anyTimeInterrogation on a link with 802.1ad + 802.1Q tags', { link: 'vlan' });
    case 'ipv6':
      return evasion(ctx, v, which, 'anyTimeInterrogation over SCTP on IPv6', { link: 'ipv6' });
    case 'm3ua-parameter-order':
      return evasion(ctx, v, which, 'anyTimeInterrogation on a link whose M3UA DATA puts Protocol Data before the Routing Context', { link: 'ipx-b' });
    default: {
      // bundled: a legitimate SRI-SM from partner B and an attack in the same SCTP packet
      const sub = ctx.subscriber(HOME);
      const benign = message({
        scenario: 'evasion-bundled',
        kind: 'benign',
        description: 'a legitimate sendRoutingInfoForSM bundled first in the packet',
        dir: 'ab',
        from: party(PARTNER_A.smsc, SSN.msc),
        to: homeHlr,
        msisdn: sub.msisdn,
        bundle: 1,
        tcap: { type: 'begin', otid: ctx.tid(), dialogue: aarq(mapAcn('sendRoutingInfoForSM')), components: [mapInvoke(1, { op: 'sendRoutingInfoForSM', msisdn: sub.msisdn, serviceCentre: PARTNER_A.smsc })] },
      });
      const hidden = evasion(ctx, v, 'bundled', 'anyTimeInterrogation bundled as the second DATA chunk of the same packet', { bundle: 1 });
      return [benign, ...hidden];
    }
  }
}

// ---- the catalogue ---------------------------------------------------------------------------

/** What a scenario is about, for grouping in reports and docs. */
export type ScenarioGroup = 'roaming' | 'sms' | 'ussd' | 'cap' | 'tracking' | 'imsi-disclosure' | 'interception' | 'fraud' | 'dos' | 'profile' | 'evasion';

function def(name: string, group: ScenarioGroup, kind: LabelKind, description: string, build: (ctx: ScenarioContext) => ScenarioMessage[]): ScenarioDefinition {
  // Every message of a scenario carries the scenario's own name.
  return { name, group, kind, description, build: (ctx) => build(ctx).map((m) => ({ ...m, label: { ...m.label, scenario: name } })) };
}

export const BENIGN_SCENARIOS: readonly ScenarioDefinition[] = [
  def('roaming-update-location', 'roaming', 'benign', 'a partner VLR registers a home subscriber: UL, ISD, results', roamingUpdateLocation),
  def('roaming-send-authentication-info', 'roaming', 'benign', 'a partner VLR fetches authentication vectors', roamingAuthentication),
  def('roaming-update-gprs-location', 'roaming', 'benign', 'a partner SGSN registers a home subscriber', roamingGprs),
  def('roaming-purge-ms', 'roaming', 'benign', 'a partner VLR purges a departed home subscriber', roamingPurge),
  def('roaming-subscriber-management', 'roaming', 'benign', 'the home HLR manages outbound roamers (ISD, DSD, CL, PRN, reset)', roamingSubscriberManagement),
  def('inbound-roamer-management', 'roaming', 'benign', 'partner HLRs manage their roamers in the home VLR (PSI, ISD, CL)', inboundRoamerManagement),
  def('sms-mt-delivery', 'sms', 'benign', 'a partner SMSC delivers an SMS: SRI-SM then MT-forwardSM', smsMobileTerminated),
  def('sms-mo-submit', 'sms', 'benign', 'a roaming home subscriber sends an SMS (MO-forwardSM)', smsMobileOriginated),
  def('ussd-balance', 'ussd', 'benign', 'a roaming home subscriber checks the balance by USSD', ussdBalance),
  def('cap-call-control', 'cap', 'benign', 'CAMEL call control: initialDP answered by connect or releaseCall', camelCall),
];

export const EVASIONS = [
  'global-opcode',
  'multiple-components',
  'long-transaction-id',
  'missing-called-ssn',
  'non-minimal-length',
  'indefinite-length',
  'xudt-segmented',
  'sctp-fragmented',
  'idata-fragmented',
  'ludt',
  'invoke-in-continue',
  'invoke-in-end',
  'sua',
  'm2pa',
  'vlan',
  'ipv6',
  'm3ua-parameter-order',
  'bundled',
] as const;

export type Evasion = (typeof EVASIONS)[number];

export const ATTACK_SCENARIOS: readonly ScenarioDefinition[] = [
  def('tracking-any-time-interrogation', 'tracking', 'attack', 'location by anyTimeInterrogation (the HLR answers)', (ctx) => tracking(ctx, 'ati')),
  def('tracking-provide-subscriber-info', 'tracking', 'attack', 'cell by provideSubscriberInfo to the VLR (answered)', (ctx) => tracking(ctx, 'psi')),
  def('tracking-send-routing-info', 'tracking', 'attack', 'IMSI and MSC by sendRoutingInfo', (ctx) => tracking(ctx, 'sri')),
  def('tracking-send-routing-info-for-sm', 'tracking', 'attack', 'IMSI and MSC by sendRoutingInfoForSM (answered)', (ctx) => tracking(ctx, 'sri-sm')),
  def('tracking-provide-subscriber-location', 'tracking', 'attack', 'position by provideSubscriberLocation to the MSC', (ctx) => tracking(ctx, 'psl')),
  def('tracking-send-routing-info-for-gprs', 'tracking', 'attack', 'serving SGSN by sendRoutingInfoForGprs', (ctx) => tracking(ctx, 'sri-gprs')),
  def('tracking-send-routing-info-for-lcs', 'tracking', 'attack', 'serving MSC by sendRoutingInfoForLCS (refused)', (ctx) => tracking(ctx, 'sri-lcs')),
  def('imsi-disclosure-send-imsi', 'imsi-disclosure', 'attack', 'IMSI by sendIMSI (answered)', imsiDisclosure),
  def('sms-interception-update-location', 'interception', 'attack', 'SMS interception by a rogue updateLocation (the HLR accepts)', smsInterception),
  def('call-interception-insert-subscriber-data', 'interception', 'attack', 'outgoing calls to a rogue gsmSCF by insertSubscriberData with O-CSI', (ctx) => callInterception(ctx, 'isd')),
  def('call-interception-register-ss', 'interception', 'attack', 'incoming calls forwarded by registerSS', (ctx) => callInterception(ctx, 'register-ss')),
  def('fraud-ussd', 'fraud', 'attack', 'USSD money transfer by processUnstructuredSS-Request', (ctx) => fraud(ctx, 'ussd')),
  def('fraud-ussd-phishing', 'fraud', 'attack', 'USSD phishing prompt by unstructuredSS-Request', (ctx) => fraud(ctx, 'ussd-network')),
  def('sms-spoofing-mt-forward-sm', 'fraud', 'attack', 'SMS with a forged sender by mt-forwardSM', (ctx) => fraud(ctx, 'sms-mt')),
  def('sms-spoofing-mo-forward-sm', 'fraud', 'attack', 'SMS with a forged subscriber by mo-forwardSM', (ctx) => fraud(ctx, 'sms-mo')),
  def('dos-purge-ms', 'dos', 'attack', 'subscriber DoS by purgeMS', (ctx) => denialOfService(ctx, 'purge')),
  def('dos-cancel-location', 'dos', 'attack', 'subscriber DoS by cancelLocation', (ctx) => denialOfService(ctx, 'cancel')),
  def('dos-delete-subscriber-data', 'dos', 'attack', 'service removal by deleteSubscriberData', (ctx) => denialOfService(ctx, 'delete')),
  def('dos-reset', 'dos', 'attack', 'mass re-registration by reset', (ctx) => denialOfService(ctx, 'reset')),
  def('dos-provide-roaming-number', 'dos', 'attack', 'MSRN exhaustion by provideRoamingNumber', (ctx) => denialOfService(ctx, 'prn')),
  def('profile-any-time-subscription-interrogation', 'profile', 'attack', 'profile read by anyTimeSubscriptionInterrogation', (ctx) => profileAttacks(ctx, 'atsi')),
  def('profile-any-time-modification', 'profile', 'attack', 'call forwarding set by anyTimeModification', (ctx) => profileAttacks(ctx, 'atm')),
  def('probe-check-imei', 'profile', 'attack', 'EIR probing by checkIMEI', (ctx) => profileAttacks(ctx, 'imei')),
  def('gprs-hijack-update-gprs-location', 'interception', 'attack', 'data session hijack by updateGprsLocation', (ctx) => profileAttacks(ctx, 'gprs')),
  ...EVASIONS.map((w) => def(`evasion-${w}`, 'evasion', 'attack', `an attack hidden by: ${w}`, (ctx) => evasions(ctx, w))),
];

export const SCENARIOS: readonly ScenarioDefinition[] = [...BENIGN_SCENARIOS, ...ATTACK_SCENARIOS];

export function scenarioByName(name: string): ScenarioDefinition | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
