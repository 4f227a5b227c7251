// TCAP (ITU-T Q.773): the transaction portion (Begin, Continue, End, Abort, Unidirectional;
// §4.2.1), transaction ids of any length (Q.773 allows 1..4 octets; longer ones are an
// evasion), the dialogue portion with the AARQ/AARE/ABRT/AUDT dialogue PDUs and their
// application-context name (§4.2.2), and the component portion with Invoke, ReturnResult
// (last and not last), ReturnError and Reject (§4.2.3), local or global operation codes.

import { fromHex } from './bytes.js';
import {
  type BerEncodeOptions,
  type BerNode,
  bitString,
  cons,
  ctx,
  ctxCons,
  encodeBer,
  integer,
  integerContent,
  nullValue,
  oid,
  prim,
  raw,
  sequence,
  tag,
  UNIVERSAL,
} from './ber.js';

/** Message type tags (Q.773 §4.2.1): [APPLICATION n]. */
export const TCAP_TAG = { unidirectional: 1, begin: 2, end: 4, continue: 5, abort: 7, otid: 8, dtid: 9, pAbortCause: 10, dialogue: 11, components: 12 } as const;

/** Component type tags (§4.2.3): context-specific constructed. */
export const COMPONENT_TAG = { invoke: 1, returnResultLast: 2, returnError: 3, reject: 4, returnResultNotLast: 7 } as const;

/** dialogue-as-id and uniDialogue-as-id (Q.773 §4.2.2 / DialoguePDUs module). */
export const DIALOGUE_AS_ID = '0.0.17.773.1.1.1';
export const UNIDIALOGUE_AS_ID = '0.0.17.773.1.2.1';

/** P-AbortCause (§4.2.1). */
export const P_ABORT_CAUSE = {
  unrecognizedMessageType: 0,
  unrecognizedTransactionId: 1,
  badlyFormattedTransactionPortion: 2,
  incorrectTransactionPortion: 3,
  resourceLimitation: 4,
} as const;

/** A transaction id: hex string ("0a1b2c3d") or raw octets. */
export type TransactionId = string | Uint8Array;

/** An operation or error code: local integer or global OID (dotted). */
export type Code = { local: number } | { global: string };

/** An argument / result / error parameter: a BER tree (encoded with the message) or bytes. */
export type Parameter = BerNode | Uint8Array;

export type DialoguePdu =
  | { kind: 'aarq'; applicationContext: string; userInformation?: readonly BerNode[] }
  | {
      kind: 'aare';
      applicationContext: string;
      /** 0 accepted, 1 reject-permanent. */
      result?: number;
      /** dialogue-service-user (1) or dialogue-service-provider (2) diagnostic. */
      diagnostic?: { source: 'user' | 'provider'; value: number };
      userInformation?: readonly BerNode[];
    }
  | { kind: 'abrt'; source: 'user' | 'provider'; userInformation?: readonly BerNode[] }
  | { kind: 'audt'; applicationContext: string };

export interface Invoke {
  type: 'invoke';
  invokeId: number;
  linkedId?: number;
  opcode: Code;
  parameter?: Parameter;
}

export interface ReturnResult {
  type: 'returnResultLast' | 'returnResultNotLast';
  invokeId: number;
  /** Absent for an empty result. */
  result?: { opcode: Code; parameter?: Parameter };
}

export interface ReturnError {
  type: 'returnError';
  invokeId: number;
  errorCode: Code;
  parameter?: Parameter;
}

export type RejectProblem = { kind: 'general' | 'invoke' | 'returnResult' | 'returnError'; code: number };

export interface Reject {
  type: 'reject';
  /** null when the invoke id is not derivable (encoded as NULL). */
  invokeId: number | null;
  problem: RejectProblem;
}

export type Component = Invoke | ReturnResult | ReturnError | Reject;

export type TcapMessage =
  | { type: 'begin'; otid: TransactionId; dialogue?: DialoguePdu; components?: readonly Component[] }
  | { type: 'continue'; otid: TransactionId; dtid: TransactionId; dialogue?: DialoguePdu; components?: readonly Component[] }
  | { type: 'end'; dtid: TransactionId; dialogue?: DialoguePdu; components?: readonly Component[] }
  | { type: 'abort'; dtid: TransactionId; pAbortCause?: number; dialogue?: DialoguePdu }
  | { type: 'unidirectional'; dialogue?: DialoguePdu; components: readonly Component[] };

function tid(t: TransactionId): Uint8Array {
  const bytes = typeof t === 'string' ? fromHex(t) : t;
  if (bytes.length === 0) throw new RangeError('a transaction id has at least one octet');
  return bytes;
}

/** A transaction id as a number, big-endian, for ids of up to 4 octets. */
export function tidFromNumber(value: number, octets = 4): Uint8Array {
  const out = new Uint8Array(octets);
  let v = value;
  for (let i = octets - 1; i >= 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}

function codeNode(c: Code): BerNode {
  return 'local' in c ? integer(c.local) : oid(c.global);
}

function parameterNode(p: Parameter): BerNode {
  return p instanceof Uint8Array ? raw(p) : p;
}

function dialoguePduNode(d: DialoguePdu): BerNode {
  // DialoguePDUs is an EXPLICIT-tags module except where IMPLICIT is written.
  const version = prim(tag.context(0), bitString([0], 1).value); // protocol-version {version1}
  const userInfo = (u?: readonly BerNode[]): BerNode[] => (u && u.length ? [cons(tag.context(30), u)] : []);
  switch (d.kind) {
    case 'aarq':
      return cons(tag.application(0), [version, ctxCons(1, [oid(d.applicationContext)]), ...userInfo(d.userInformation)]);
    case 'aare': {
      const diag = d.diagnostic ?? { source: 'user' as const, value: 0 };
      return cons(tag.application(1), [
        version,
        ctxCons(1, [oid(d.applicationContext)]),
        ctxCons(2, [integer(d.result ?? 0)]),
        ctxCons(3, [ctxCons(diag.source === 'user' ? 1 : 2, [integer(diag.value)])]),
        ...userInfo(d.userInformation),
      ]);
    }
    case 'abrt':
      return cons(tag.application(4), [ctx(0, integerContent(d.source === 'user' ? 0 : 1)), ...userInfo(d.userInformation)]);
    case 'audt':
      return cons(tag.application(0), [version, ctxCons(1, [oid(d.applicationContext)])]);
  }
}

/** DialoguePortion ::= [APPLICATION 11] EXTERNAL { direct-reference, single-ASN1-type [0] }. */
export function dialoguePortionNode(d: DialoguePdu): BerNode {
  const asId = d.kind === 'audt' ? UNIDIALOGUE_AS_ID : DIALOGUE_AS_ID;
  return cons(tag.application(TCAP_TAG.dialogue), [cons(tag.universal(UNIVERSAL.external), [oid(asId), ctxCons(0, [dialoguePduNode(d)])])]);
}

export function componentNode(c: Component): BerNode {
  switch (c.type) {
    case 'invoke': {
      const children: BerNode[] = [integer(c.invokeId)];
      if (c.linkedId !== undefined) children.push(ctx(0, integerContent(c.linkedId)));
      children.push(codeNode(c.opcode));
      if (c.parameter !== undefined) children.push(parameterNode(c.parameter));
      return ctxCons(COMPONENT_TAG.invoke, children);
    }
    case 'returnResultLast':
    case 'returnResultNotLast': {
      const children: BerNode[] = [integer(c.invokeId)];
      if (c.result) {
        const inner: BerNode[] = [codeNode(c.result.opcode)];
        if (c.result.parameter !== undefined) inner.push(parameterNode(c.result.parameter));
        children.push(sequence(inner));
      }
      return ctxCons(COMPONENT_TAG[c.type], children);
    }
    case 'returnError': {
      const children: BerNode[] = [integer(c.invokeId), codeNode(c.errorCode)];
      if (c.parameter !== undefined) children.push(parameterNode(c.parameter));
      return ctxCons(COMPONENT_TAG.returnError, children);
    }
    case 'reject': {
      const problemTag = { general: 0, invoke: 1, returnResult: 2, returnError: 3 }[c.problem.kind];
      return ctxCons(COMPONENT_TAG.reject, [c.invokeId === null ? nullValue() : integer(c.invokeId), ctx(problemTag, integerContent(c.problem.code))]);
    }
  }
}

function componentPortion(components: readonly Component[] | undefined): BerNode[] {
  return components && components.length ? [cons(tag.application(TCAP_TAG.components), components.map(componentNode))] : [];
}

/** The TCAP message as a BER tree (so callers can adjust length forms node by node). */
export function tcapNode(msg: TcapMessage): BerNode {
  const otid = (t: TransactionId): BerNode => prim(tag.application(TCAP_TAG.otid), tid(t));
  const dtid = (t: TransactionId): BerNode => prim(tag.application(TCAP_TAG.dtid), tid(t));
  const dialogue = (d?: DialoguePdu): BerNode[] => (d ? [dialoguePortionNode(d)] : []);
  switch (msg.type) {
    case 'begin':
      return cons(tag.application(TCAP_TAG.begin), [otid(msg.otid), ...dialogue(msg.dialogue), ...componentPortion(msg.components)]);
    case 'continue':
      return cons(tag.application(TCAP_TAG.continue), [otid(msg.otid), dtid(msg.dtid), ...dialogue(msg.dialogue), ...componentPortion(msg.components)]);
    case 'end':
      return cons(tag.application(TCAP_TAG.end), [dtid(msg.dtid), ...dialogue(msg.dialogue), ...componentPortion(msg.components)]);
    case 'abort': {
      const reason: BerNode[] =
        msg.pAbortCause !== undefined ? [prim(tag.application(TCAP_TAG.pAbortCause), integerContent(msg.pAbortCause))] : dialogue(msg.dialogue);
      return cons(tag.application(TCAP_TAG.abort), [dtid(msg.dtid), ...reason]);
    }
    case 'unidirectional':
      return cons(tag.application(TCAP_TAG.unidirectional), [...dialogue(msg.dialogue), ...componentPortion(msg.components)]);
  }
}

/** Encodes a TCAP message; `opts` chooses minimal, long-form or indefinite lengths throughout. */
export function encodeTcap(msg: TcapMessage, opts: BerEncodeOptions = {}): Uint8Array {
  return encodeBer(tcapNode(msg), opts);
}
