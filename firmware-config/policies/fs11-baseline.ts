// The shipped FS.11 baseline: Category 1 and Category 2 screening for MAP and CAP on the
// interconnect, with the known evasions closed. It is an example an operator edits: replace the
// home network and the partners with your own (IR.21), then review every rule. The facts behind
// each choice are in /work/shared/FS11.md (sources [S1]..[S32]); each rule's `source` names
// where its choice comes from, and "inferred" marks a choice no public source states.
//
// Direction. Rules screen what arrives from the interconnect (ingress.side external) unless they
// say otherwise; traffic the home network sends out is not screened except by the one egress
// rule at the end.
//
// Why the Category 1 rules do not test SSNs. A Category 1 operation is prohibited from the
// interconnect towards any node; conditioning it on the called SSN (e.g. "ATI towards the HLR,
// SSN 6") would hand an attacker the missing- or wrong-SSN evasion [S16]. SSNs are used where
// they change the category: sendParameters and the supplementary-service operations are Category
// 3 from a VLR (SSN 7) to the HLR (SSN 6) and Category 1 otherwise (Oracle lists them under both,
// distinguished by SSN [S4]); a called address without an SSN is dropped on its own.
//
// Evasions (FS11.md §5) and where each is closed:
// - global (OID) operation code: rule global-opcode (a global opcode equals no local opcode, so
//   the opcode rules alone would pass it);
// - missing called SSN: rule missing-called-ssn;
// - malformed TCAP/MAP: defaults.malformed = drop (before any rule);
// - several components with one forbidden: every component rule is matched per component, on all
//   components (component scope), so a harmless first component hides nothing;
// - invoke in Continue/End/Unidirectional: no opcode rule is limited to Begin (they match
//   tcap.component_type invoke, whatever the TCAP message type);
// - long transaction id: rule tid-length;
// - SCTP fragmentation, I-DATA, XUDT/LUDT segmentation, bundling, other adaptations: sigwall
//   decodes the whole reassembled message, so the opcode rules see the operation as the HLR will.
//
// Category 3 (is the subscriber really where the message claims?) needs per-subscriber location
// state, which is a later issue: Category 3 operations are allowed here. The shadow rule
// cat3-map-from-non-partner counts the ones that come from outside every roaming partner (the one
// stateless part of the check); an operator who has every roaming partner in `partners` can make
// it enforce.
import { definePolicy } from '../../src/policy/schema.js';

// Operations invoked by a subscriber's HLR (or home gsmSCF) towards the VLR/SGSN serving it:
// FS.11 Category 2, allowed only from the network the IMSI belongs to, for its own subscribers
// roaming here (inbound roamers) [S2][S4].
const MAP_CATEGORY_2_HLR_TO_VLR = [
  'cancelLocation', // 3: SF [S1]; subscriber DoS
  'provideRoamingNumber', // 4: SF, OR [S1][S4]; call interception, MSRN exhaustion
  'insertSubscriberData', // 7: SF, OR [S1][S4]; VLR profile manipulation (rogue gsmSCF)
  'deleteSubscriberData', // 8: SF [S1]; service removal
  'getPassword', // 18: OR [S4]
  'reset', // 37: OR [S4]; mass re-registration (no IMSI: screened by the calling GT)
  'unstructuredSS-Request', // 60: OR [S4]; USSD phishing (subscriber named in the dialogue only)
  'unstructuredSS-Notify', // 61: OR [S4]
  'provideSubscriberInfo', // 70: SF [S1]; cell-level tracking
];

// Operations that are Category 3 only from a VLR (SSN 7) to the HLR (SSN 6), and Category 1 in
// any other SSN pairing [S4].
const MAP_VLR_TO_HLR_ONLY = [
  'sendParameters', // 9: SF Cat 1 [S1]; OR Cat 1 + 3 [S4] (MAP v1 VLR -> HLR authentication data)
  'registerSS', // 10: EA, OR [S4][S5]; call forwarding to an attacker's number
  'eraseSS', // 11
  'activateSS', // 12
  'deactivateSS', // 13
  'interrogateSS', // 14
  'registerPassword', // 17: EA [S5]
];

// Category 3: a VLR/SGSN/MSC of the visited network acting for a home subscriber roaming there
// (EAGLE stateful applications list [S5], Oracle [S4]). Allowed; see the shadow rule.
const MAP_CATEGORY_3 = [
  'updateLocation', // 2
  ...MAP_VLR_TO_HLR_ONLY,
  'authenticationFailureReport', // 15
  'processUnstructuredSS-Data', // 19
  'updateGprsLocation', // 23
  'mo-forwardSM', // 46
  'noteSubscriberPresent', // 48
  'beginSubscriberActivity', // 54
  'sendAuthenticationInfo', // 56
  'restoreData', // 57
  'processUnstructuredSS-Request', // 59
  'readyForSM', // 66
  'purgeMS', // 67
  // ss-InvocationNotification (72): SigFW says Category 1, EAGLE Category 3 [S1][S5]: the sources
  // disagree. It flows from the visited MSC to the home gsmSCF for an outbound roamer (CAMEL
  // SS-CSI), i.e. Category 3 traffic; it is allowed here.
  'ss-InvocationNotification', // 72
  'statusReport', // 74
  'ist-Alert', // 87
  'noteMM-Event', // 89
];

// CAP operations the gsmSCF sends to the gsmSSF: Category 2, only from the home gsmSCF of an
// inbound roamer, i.e. a partner's [S2] (per-operation mapping inferred, FS11.md §3).
const CAP_SCF_TO_SSF = [
  'connect', // 20: call redirection
  'releaseCall', // 22: targeted DoS
  'requestReportBCSMEvent', // 23: call monitoring
  'continue', // 31
  'furnishChargingInformation', // 34: billing fraud (inferred)
  'applyCharging', // 35
  'connectSMS', // 62: SMS redirection (inferred)
  'continueSMS', // 65
  'releaseSMS', // 66
  'connectGPRS', // 74: data-charging fraud (inferred)
];

const fromInterconnect = { 'ingress.side': ['external'] } as const;
const invoke = { 'tcap.component_type': ['invoke'] } as const;

export default definePolicy({
  name: 'fs11-baseline',
  description: 'GSMA FS.11 Category 1 and 2 screening for MAP and CAP on the interconnect, with the known evasions closed. Category 3 needs state and is not enforced yet.',
  networks: {
    // The demo capture's home network (src/builder/network.ts). 447700900 covers its node GTs
    // (4477009000xx) and its MSISDN range (4477009001xx).
    home: { description: 'Home network (UK drama range)', mccMnc: ['23415'], gtPrefixes: ['447700900'], pointCodes: [1001] },
    partners: {
      'partner-a': { description: 'Roaming partner A (US)', mccMnc: ['310990'], gtPrefixes: ['120255501'] },
      'partner-b': { description: 'Roaming partner B (AU)', mccMnc: ['50599'], gtPrefixes: ['61491570'] },
    },
  },
  lists: {
    // FS.11 Category 1 holds "unless there is an explicit bilateral agreement" [S4]: calling GTs
    // listed here may send Category 1 operations.
    'cat1-bilateral': { kind: 'gt', description: 'Calling GTs with a bilateral agreement for Category 1 operations', prefixes: [] },
  },
  defaults: {
    action: 'allow',
    // Fail closed on what cannot be decoded: encoding tricks that a firewall and an HLR read
    // differently are an evasion [S16]; SigFW drops on parse errors [S1].
    malformed: 'drop',
  },
  rules: [
    // --- Evasions -------------------------------------------------------------------------
    {
      name: 'global-opcode',
      description: 'An operation code in global (OID) form: MAP and CAP define local codes only; a global one dodges opcode screening.',
      category: 1,
      source: 'SigFW blocks all global opcodes [S1]; PT, HITB AMS 2019, seen in the wild [S16]',
      action: 'drop',
      match: { ...fromInterconnect, 'sigwall.anomaly': ['tcap.global_opcode'] },
    },
    {
      name: 'missing-called-ssn',
      description: 'A called party address without an SSN (or SSN 0): the receiving node picks the subsystem, the firewall cannot know which.',
      category: 1,
      source: 'Enea FASG Nov 2023 [S16]; SigFW does not check it [S1]',
      action: 'drop',
      match: { ...fromInterconnect, 'sigwall.anomaly': ['sccp.missing_ssn'] },
    },
    {
      // Drop, not alert: Q.773 allows 1 to 4 octets, no conformant peer sends more, and the only
      // documented use of longer ids is evasion [S16]. sigwall decodes such a message anyway, but
      // the point of the trick is a parser differential: what the HLR executes may not be what
      // we screened. Failing closed costs nothing legitimate.
      name: 'tid-length',
      description: 'A TCAP transaction id outside 1..4 octets (Q.773).',
      category: 1,
      source: 'Symsoft/P1Sec Oct 2018, seen in the wild 2022 [S16]; drop: inferred',
      action: 'drop',
      match: { ...fromInterconnect, 'sigwall.anomaly': ['tcap.tid_length'] },
    },
    {
      // Shadow: an application context outside 0.4.0.0.1 is no MAP or CAP dialogue, but non-MAP
      // TCAP users may share the link; an operator who sees only attacks here makes it enforce.
      name: 'extended-application-context',
      description: 'An application context name outside the MAP/CAP tree 0.4.0.0.1.',
      category: 'custom',
      source: 'Enea FASG Nov 2022 [S16]; shadow: inferred',
      action: 'drop',
      mode: 'shadow',
      match: { ...fromInterconnect, 'sigwall.anomaly': ['tcap.extended_ac'] },
    },
    {
      // Shadow: SigFW drops it [S1], but MAP v1 peers (no dialogue portion) still exist.
      name: 'begin-without-dialogue',
      description: 'A TC-Begin without a dialogue portion (no application context: MAP v1 or an evasion).',
      category: 'custom',
      source: 'SigFW rule "Missing AC" [S1]; shadow: inferred',
      action: 'drop',
      mode: 'shadow',
      match: { ...fromInterconnect, 'sigwall.anomaly': ['tcap.no_dialogue'] },
    },

    // --- Category 1: never from the interconnect ----------------------------------------------
    {
      name: 'cat1-map',
      description: 'MAP operations that should only be received from within the home network.',
      category: 1,
      source: 'SigFW default config [S1]; Oracle vSTP Cat1 [S4]; SigPloit tracking [S8]',
      action: 'drop',
      match: {
        ...fromInterconnect,
        ...invoke,
        'map.opcode': [
          'noteSubscriberDataModified', // 5: SF [S1]
          'sendRoutingInfo', // 22: SF [S1]; IMSI + location [S8]
          'sendRoutingInfoForGprs', // 24: SF [S1]; SGSN tracking [S8]
          'checkIMEI', // 43: SF [S1]; IMEI probing
          'activateTraceMode', // 50: SF [S1]
          'deactivateTraceMode', // 51: SF [S1]
          'traceSubscriberActivity', // 52: SF [S1]
          'sendIdentification', // 55: SF [S1]; IMSI + auth vectors from the old VLR
          'sendIMSI', // 58: SF [S1]; IMSI disclosure [S8]
          'anyTimeSubscriptionInterrogation', // 62: SF [S1]; profile disclosure
          'anyTimeModification', // 65: SF [S1]; SS/CSI modification
          'anyTimeInterrogation', // 71: SF [S1]; "blocked by most operators" [S8]
          'provideSubscriberLocation', // 83: SF [S1]; LCS location
          'sendRoutingInfoForLCS', // 85: SF [S1]; serving MSC discovery
        ],
        'sccp.calling.digits': { lists: ['cat1-bilateral'], not: true },
      },
    },
    {
      name: 'cat1-vlr-to-hlr-operation-not-to-hlr',
      description: 'sendParameters and supplementary-service operations towards anything but the HLR (SSN 6).',
      category: 1,
      source: 'Oracle vSTP lists them as Cat1 and Cat3, distinguished by SSN [S4]',
      action: 'drop',
      match: { ...fromInterconnect, ...invoke, 'map.opcode': MAP_VLR_TO_HLR_ONLY, 'sccp.called.ssn': { not: [6] } },
    },
    {
      name: 'cat1-vlr-to-hlr-operation-not-from-vlr',
      description: 'sendParameters and supplementary-service operations from anything but a VLR (SSN 7).',
      category: 1,
      source: 'Oracle vSTP lists them as Cat1 and Cat3, distinguished by SSN [S4]',
      action: 'drop',
      match: { ...fromInterconnect, ...invoke, 'map.opcode': MAP_VLR_TO_HLR_ONLY, 'sccp.calling.ssn': { not: [7] } },
    },

    // --- Category 2: only from the subscriber's home network -------------------------------
    {
      // A home subscriber's HLR is ours: from the interconnect, it is spoofed.
      name: 'cat2-home-subscriber',
      description: 'HLR-to-VLR operations from the interconnect about a home subscriber.',
      category: 2,
      source: 'Oracle vSTP Cat2: target IMSI is own MCC+MNC [S4]',
      action: 'drop',
      match: { ...fromInterconnect, ...invoke, 'map.opcode': MAP_CATEGORY_2_HLR_TO_VLR, 'e212.imsi': { networks: ['home'] } },
    },
    {
      // Read on the component whose operation matched: the IMSI of that component.
      name: 'cat2-imsi-network-mismatch',
      description: "HLR-to-VLR operations whose calling GT is not in the IMSI's home network.",
      category: 2,
      source: 'Oracle vSTP Cat2: HLR id / operator id inconsistent with CgPA [S4]; SigFW Cat2 [S2]',
      action: 'drop',
      match: { ...fromInterconnect, ...invoke, 'map.opcode': MAP_CATEGORY_2_HLR_TO_VLR, 'sigwall.relation': { callingGtNetwork: 'differs-from-imsi-home' } },
    },
    {
      // Inbound roamers come from roaming partners only; this also covers the operations that
      // carry no IMSI (reset, USSD, getPassword, insertSubscriberData without imsi).
      name: 'cat2-no-roaming-agreement',
      description: 'HLR-to-VLR operations from a network that is not a roaming partner.',
      category: 2,
      source: 'SigFW Cat2 "only if foreign network is targeting own subscribers (inbound roamers)" [S2]; partner check: inferred',
      action: 'drop',
      match: { ...fromInterconnect, ...invoke, 'map.opcode': MAP_CATEGORY_2_HLR_TO_VLR, 'sccp.calling.digits': { networks: ['partners'], not: true } },
    },
    {
      // MT SMS for home subscribers is normal traffic (sm-RP-DA carries a home IMSI), so no IMSI
      // test: the SMSC must be a partner's (an SMS interworking agreement).
      name: 'cat2-mt-forward-sm-no-agreement',
      description: 'mt-forwardSM from an SMSC outside every partner (SMS spoofing/phishing).',
      category: 2,
      source: 'Oracle vSTP Cat2 [S4]; SigPloit "SMS phishing and spoofing" [S8]; partner check: inferred',
      action: 'drop',
      match: { ...fromInterconnect, ...invoke, 'map.opcode': ['mt-forwardSM'], 'sccp.calling.digits': { networks: ['partners'], not: true } },
    },
    {
      // The components carry no IMSI (it was in the initialDP), so the check is on the calling
      // GT: only a partner's gsmSCF controls calls of its roamers in our gsmSSF.
      name: 'cap-cat2-scf-not-partner',
      description: 'CAP gsmSCF-to-gsmSSF operations from a gsmSCF outside every partner (call redirection, release, charging).',
      category: 2,
      source: 'SigFW CAP Cat2 "home-SCF towards an inbound roamer\'s VPLMN" [S2]; per-operation mapping: inferred',
      action: 'drop',
      match: { ...fromInterconnect, ...invoke, 'cap.opcode': CAP_SCF_TO_SSF, 'sccp.calling.digits': { networks: ['partners'], not: true } },
    },

    // --- Category 3 and SMS: counted, not enforced ----------------------------------------
    {
      name: 'cat3-map-from-non-partner',
      description: 'Category 3 (visited-network) operations from a network that is no roaming partner: would drop once location state exists.',
      category: 3,
      source: 'EAGLE stateful applications [S5]; Oracle vSTP Cat3 [S4]; shadow until location state: inferred',
      action: 'drop',
      mode: 'shadow',
      match: { ...fromInterconnect, ...invoke, 'map.opcode': MAP_CATEGORY_3, 'sccp.calling.digits': { networks: ['partners'], not: true } },
    },
    {
      // CAP Category 3 (initialDP, eventReportBCSM, applyChargingReport, initialDPSMS, ...) flows
      // from an outbound roamer's visited network to our gsmSCF [S2] and is allowed. Our gsmSCF
      // serves our own subscribers only, so an initialDP for anyone else is counted here.
      name: 'cap-initial-dp-not-home-subscriber',
      description: "CAP initialDP from the interconnect for a subscriber that is not ours.",
      category: 3,
      source: 'SigFW CAP Cat3 [S2]; shadow: inferred',
      action: 'drop',
      mode: 'shadow',
      match: { ...fromInterconnect, ...invoke, 'cap.opcode': ['initialDP'], 'e212.imsi': { networks: ['home'], not: true } },
    },
    {
      // FS11.md: sendRoutingInfoForSM has no FS.11 category: SMS Home Routing (TR 23.840) answers
      // it with a pseudo IMSI and the SMS router's address [S13]. Without home routing it leaks the
      // IMSI and serving MSC [S7][S8]: an operator without it makes this rule enforce.
      name: 'sri-sm-from-foreign',
      description: 'sendRoutingInfoForSM from a network that is neither home nor a partner.',
      category: 'custom',
      source: 'no FS.11 category: SMS home routing (TR 23.840) [S13]; SigPloit tracking [S8]',
      action: 'drop',
      mode: 'shadow',
      match: { ...fromInterconnect, ...invoke, 'map.opcode': ['sendRoutingInfoForSM'], 'sccp.calling.digits': { networks: ['foreign'] } },
    },

    // --- Egress ----------------------------------------------------------------------------
    {
      // The home HLR serves the VLRs of roaming partners only (IR.21): subscriber data or a
      // roaming-number request towards any other network answers a registration that should not
      // have been accepted (the hostile updateLocation [S2]), and would hand the profile over.
      name: 'egress-cat2-to-foreign',
      description: 'HLR-to-VLR operations sent by the home network to a network that is neither home nor a partner.',
      category: 2,
      source: 'inferred (the sending side of Cat2; hostile updateLocation [S2][S8])',
      action: 'drop',
      match: { 'ingress.side': ['internal'], ...invoke, 'map.opcode': MAP_CATEGORY_2_HLR_TO_VLR, 'sccp.called.digits': { networks: ['foreign'] } },
    },
  ],
});
