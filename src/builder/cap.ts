// CAMEL Application Part (3GPP TS 29.078, CAP v2 gsmSSF/gsmSCF interface): initialDP with
// serviceKey, ISUP-format called/calling party numbers, IMSI, locationInformation (vlr-number,
// cell global id), eventTypeBCSM and mscAddress; connect with a destination routing address;
// releaseCall with a Q.850 cause. Tags from the CAP-gsmSSF-gsmSCF-ops-args ASN.1 (IMPLICIT).

import { type BerNode, ctx, ctxCons, integerContent, octetString, sequence } from './ber.js';
import {
  addressString,
  cellGlobalId,
  isupCalledPartyNumber,
  isupCallingPartyNumber,
  type IsupCalledPartyNumber,
  type IsupCallingPartyNumber,
  tbcd,
} from './digits.js';
import type { Code, Component } from './tcap.js';

/** CAP operation codes (TS 29.078 §8 / CAP-operationcodes). */
export const CAP_OPERATIONS = { initialDP: 0, connect: 20, releaseCall: 22, requestReportBCSMEvent: 23, eventReportBCSM: 24, continue: 31 } as const;

export type CapOperation = keyof typeof CAP_OPERATIONS;

/** id-ac-CAP-gsmSSF-to-gsmSCF-AC, CAP phase 2 (TS 29.078 §5.1). */
export const CAP_V2_ACN = '0.4.0.0.1.0.50.1';

/** EventTypeBCSM values. */
export const EVENT_TYPE_BCSM = { collectedInfo: 2, analyzedInformation: 3, routeSelectFailure: 4, oAnswer: 7, termAttemptAuthorized: 12 } as const;

export type CapArgument =
  | {
      op: 'initialDP';
      serviceKey: number;
      calledPartyNumber?: IsupCalledPartyNumber;
      callingPartyNumber?: IsupCallingPartyNumber;
      /** CallingPartysCategory (Q.763 §3.11): 0x0a ordinary subscriber. */
      callingPartysCategory?: number;
      eventTypeBCSM?: number;
      imsi?: string;
      location?: { vlrNumber?: string; cellGlobalId?: { mcc: string; mnc: string; lac: number; ci: number }; ageOfLocationInformation?: number };
      mscAddress?: string;
      calledPartyBcdNumber?: string;
    }
  | { op: 'connect'; destinationRoutingAddress: IsupCalledPartyNumber }
  | { op: 'releaseCall'; cause: number; location?: number }
  | { op: 'continue' };

export function capArgument(arg: CapArgument): BerNode | undefined {
  switch (arg.op) {
    case 'initialDP': {
      // InitialDPArg ::= SEQUENCE { serviceKey [0], calledPartyNumber [2], callingPartyNumber [3],
      //   callingPartysCategory [5], ..., eventTypeBCSM [28], ..., iMSI [50],
      //   locationInformation [52], ..., mscAddress [55], calledPartyBCDNumber [56], ... }
      const f: BerNode[] = [ctx(0, integerContent(arg.serviceKey))];
      if (arg.calledPartyNumber) f.push(ctx(2, isupCalledPartyNumber(arg.calledPartyNumber)));
      if (arg.callingPartyNumber) f.push(ctx(3, isupCallingPartyNumber(arg.callingPartyNumber)));
      if (arg.callingPartysCategory !== undefined) f.push(ctx(5, Uint8Array.of(arg.callingPartysCategory)));
      if (arg.eventTypeBCSM !== undefined) f.push(ctx(28, integerContent(arg.eventTypeBCSM)));
      if (arg.imsi) f.push(ctx(50, tbcd(arg.imsi)));
      if (arg.location) {
        // LocationInformation (TS 29.002): ageOfLocationInformation INTEGER, vlr-number [1],
        // cellGlobalIdOrServiceAreaIdOrLAI [3] (explicit around cellGlobalIdFixedLength [0]).
        const l: BerNode[] = [];
        if (arg.location.ageOfLocationInformation !== undefined) {
          l.push({ kind: 'primitive', tag: { cls: 'universal', number: 2 }, value: integerContent(arg.location.ageOfLocationInformation) });
        }
        if (arg.location.vlrNumber) l.push(ctx(1, addressString(arg.location.vlrNumber)));
        if (arg.location.cellGlobalId) l.push(ctxCons(3, [ctx(0, cellGlobalId(arg.location.cellGlobalId))]));
        f.push(ctxCons(52, l));
      }
      if (arg.mscAddress) f.push(ctx(55, addressString(arg.mscAddress)));
      if (arg.calledPartyBcdNumber) f.push(ctx(56, addressString(arg.calledPartyBcdNumber)));
      return sequence(f);
    }
    case 'connect':
      // ConnectArg ::= SEQUENCE { destinationRoutingAddress [0] SEQUENCE SIZE(1) OF CalledPartyNumber, ... }
      return sequence([ctxCons(0, [octetString(isupCalledPartyNumber(arg.destinationRoutingAddress))])]);
    case 'releaseCall': {
      // ReleaseCallArg ::= Cause (Q.850 §2.1): ext|coding ITU|location, ext|cause value.
      const location = arg.location ?? 0;
      return octetString(Uint8Array.of(0x80 | (location & 0x0f), 0x80 | (arg.cause & 0x7f)));
    }
    case 'continue':
      return undefined;
  }
}

export function capOpcode(op: CapOperation): Code {
  return { local: CAP_OPERATIONS[op] };
}

export function capInvoke(invokeId: number, arg: CapArgument): Component {
  return { type: 'invoke', invokeId, opcode: capOpcode(arg.op), parameter: capArgument(arg) };
}
