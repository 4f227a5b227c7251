// The bench policies (bench/classify.mjs), apart so that a profile of the compiler can build
// the same ones: node --cpu-prof -e "...buildPolicy(10000, 100000)...".
// ---------------------------------------------------------------------------------------------
// The policies. Rules come in groups of ten, one group per "roaming partner" g, each with a GT
// list gt-g and an IMSI list imsi-g; the 100,000 prefixes are shared out over all the lists. So
// 10 rules have 2 lists of 50,000 prefixes, 10,000 rules have 2,000 lists of 50. The ten rule
// shapes are those of the FS.11 baseline (firmware-config/policies/fs11-baseline.ts): side +
// component type + opcode set + GT or IMSI digits condition, SSN conditions, CAP, an internal
// rule, and a shadow rule in every tenth group.

// xorshift32: the same policies on every run.
function prng(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

// MAP/CAP operation codes by FS.11 category (FS11.md; the baseline's lists).
const MAP_CAT1 = [5, 22, 24, 43, 50, 51, 52, 55, 58, 62, 65, 71, 83, 85];
const MAP_CAT2 = [3, 4, 7, 8, 18, 37, 60, 61, 70];
const MAP_CAT3 = [2, 9, 10, 11, 12, 13, 14, 15, 17, 19, 23, 46, 48, 54, 56, 57, 59, 66, 67];
const MAP_VLR_TO_HLR = [9, 10, 11, 12, 13, 14, 17];
const MAP_SMS = [44, 45]; // mt-forwardSM, sendRoutingInfoForSM
const CAP_SCF_TO_SSF = [20, 22, 23, 31, 33, 34, 35];

// Country codes (E.164) and MCCs (E.212) the random prefixes start with.
const COUNTRY_CODES = ['1', '7', '20', '27', '31', '33', '34', '39', '41', '44', '46', '49', '52', '55', '61', '65', '81', '86', '91', '234', '255', '351', '353', '358', '420', '852', '966', '971'];
const MCCS = ['202', '204', '206', '208', '214', '222', '228', '232', '234', '240', '244', '250', '262', '268', '302', '310', '334', '404', '440', '450', '460', '505', '510', '520', '530', '602', '621', '655', '722', '724'];
// The load capture's own networks (src/builder/network.ts), so that rules also match traffic.
const CAPTURE_GT_PREFIXES = ['4477009000', '120255501', '614915700', '9998800'];
const CAPTURE_IMSI_PREFIXES = ['23415', '310990', '50599'];

function digits(random, count) {
  let out = '';
  for (let i = 0; i < count; i++) out += String(Math.floor(random() * 10));
  return out;
}

function subset(random, values, min, max) {
  const count = Math.min(values.length, min + Math.floor(random() * (max - min + 1)));
  const chosen = new Set();
  while (chosen.size < count) chosen.add(values[Math.floor(random() * values.length)]);
  return [...chosen].sort((a, b) => a - b);
}

export function buildPolicy(ruleCount, prefixCount, seed = 1) {
  const random = prng(seed * 7919 + ruleCount);
  const groups = Math.max(1, Math.ceil(ruleCount / 10));
  const listCount = groups * 2;
  const seen = new Set();
  const lists = {};
  let made = 0;
  for (let l = 0; l < listCount; l++) {
    const gt = l % 2 === 0;
    const g = Math.floor(l / 2);
    const want = Math.floor(prefixCount / listCount) + (l < prefixCount % listCount ? 1 : 0);
    const prefixes = [];
    // The first group's lists also hold the capture's networks.
    if (g === 0) for (const p of gt ? CAPTURE_GT_PREFIXES : CAPTURE_IMSI_PREFIXES) if (!seen.has(p) && prefixes.length < want) seen.add(p), prefixes.push(p);
    while (prefixes.length < want) {
      const p = gt
        ? COUNTRY_CODES[Math.floor(random() * COUNTRY_CODES.length)] + digits(random, 4 + Math.floor(random() * 5)) // CC + NDC (+ range): 5..12 digits
        : MCCS[Math.floor(random() * MCCS.length)] + digits(random, 2 + Math.floor(random() * 6)); // MCC + MNC (+ MSIN range): 5..11 digits
      if (seen.has(p)) continue;
      seen.add(p);
      prefixes.push(p);
    }
    made += prefixes.length;
    lists[`${gt ? 'gt' : 'imsi'}-${g}`] = { kind: gt ? 'gt' : 'imsi', prefixes };
  }

  const ext = { 'ingress.side': ['external'] };
  const invoke = { 'tcap.component_type': ['invoke'] };
  const rules = [];
  for (let i = 0; i < ruleCount; i++) {
    const g = Math.floor(i / 10);
    const gtList = `gt-${g}`;
    const imsiList = `imsi-${g}`;
    const name = `r${i}`;
    switch (i % 10) {
      case 0: // Category 1 from anyone without a bilateral agreement
        rules.push({ name, category: 1, action: 'drop', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT1, 3, 10), 'sccp.calling.digits': { lists: [gtList], not: true } } });
        break;
      case 1: // Category 2 about the subscribers of the IMSI ranges
        rules.push({ name, category: 2, action: 'drop', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT2, 2, 6), 'e212.imsi': { lists: [imsiList] } } });
        break;
      case 2: // Category 2 from the partner's GTs for its IMSIs: allowed
        rules.push({ name, category: 2, action: 'allow', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT2, 2, 6), 'sccp.calling.digits': { lists: [gtList] }, 'e212.imsi': { lists: [imsiList] } } });
        break;
      case 3: // SMS from the partner's SMSCs: alert
        rules.push({ name, category: 'custom', action: 'alert', match: { ...ext, ...invoke, 'map.opcode': MAP_SMS, 'sccp.calling.digits': { lists: [gtList] } } });
        break;
      case 4: // VLR-to-HLR operations not towards the HLR
        rules.push({ name, category: 1, action: 'drop', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_VLR_TO_HLR, 2, 7), 'sccp.called.ssn': { not: [6] }, 'sccp.called.digits': { lists: [gtList] } } });
        break;
      case 5: // CAP gsmSCF-to-gsmSSF from outside the partner
        rules.push({ name, category: 2, action: 'drop', match: { ...ext, ...invoke, 'cap.opcode': subset(random, CAP_SCF_TO_SSF, 2, 7), 'sccp.calling.digits': { lists: [gtList], not: true } } });
        break;
      case 6: // Category 3 from outside the partner: counted (shadow) in every tenth group
        rules.push({ name, category: 3, action: 'drop', mode: g % 10 === 0 ? 'shadow' : 'enforce', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT3, 3, 10), 'sccp.calling.digits': { lists: [gtList], not: true } } });
        break;
      case 7: // Category 2 towards the called GTs of the list
        rules.push({ name, category: 2, action: 'drop', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT2, 2, 6), 'sccp.called.digits': { lists: [gtList] } } });
        break;
      case 8: // Category 3 for IMSIs outside the ranges: alert
        rules.push({ name, category: 3, action: 'alert', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT3, 2, 6), 'e212.imsi': { lists: [imsiList], not: true }, 'sccp.calling.ssn': [7] } });
        break;
      case 9: // Category 1 sent out from the home network: alert
        rules.push({ name, category: 1, action: 'alert', match: { 'ingress.side': ['internal'], ...invoke, 'map.opcode': subset(random, MAP_CAT1, 2, 6), 'sccp.called.digits': { lists: [gtList], not: true } } });
        break;
    }
  }
  return {
    input: {
      name: `bench-${ruleCount}`,
      networks: { home: { mccMnc: ['23415'], gtPrefixes: ['447700900'] } },
      lists,
      defaults: { action: 'allow', malformed: 'drop' },
      rules,
    },
    prefixes: made,
    lists: listCount,
    shadows: rules.filter((r) => r.mode === 'shadow').length,
  };
}

