// The fictional signalling world the scenarios play in: a home network (the one the firewall
// protects), two roaming partners and an attacker, with their global titles, point codes,
// subscribers, and the SCTP links between the home signalling gateway and the interconnect.
// Numbers are well-formed but fictional (UK Ofcom drama range for the home network, the
// North American 555-01xx fictional block, an Australian fictional block, and the reserved
// E.164 country code 999 for the attacker); any overlap with a real allocation is accidental.

import type { AssociationConfig } from './stack.js';
import { SCTP_PORT } from './sctp.js';

export interface NetworkNodes {
  name: string;
  mcc: string;
  mnc: string;
  /** E.164 country code. */
  cc: string;
  /** Global-title prefix every node of the network shares. */
  gtPrefix: string;
  hlr: string;
  vlr: string;
  msc: string;
  smsc: string;
  gsmScf: string;
  sgsn: string;
  ggsn: string;
  eir: string;
  gmlc: string;
  /** IMSI = mcc + mnc + MSIN; subscribers are numbered from 0. */
  imsiPrefix: string;
  msinDigits: number;
  /** MSISDN = msisdnPrefix + zero-padded subscriber index. */
  msisdnPrefix: string;
  msisdnDigits: number;
  /** Index of the first subscriber's MSISDN within the prefix block. */
  msisdnOffset: number;
  subscribers: number;
  /** LAC / CI range of the network's cells. */
  lac: number;
}

export const HOME: NetworkNodes = {
  name: 'home',
  mcc: '234',
  mnc: '15',
  cc: '44',
  gtPrefix: '4477009000',
  hlr: '447700900001',
  vlr: '447700900002',
  msc: '447700900003',
  smsc: '447700900004',
  gsmScf: '447700900005',
  sgsn: '447700900006',
  ggsn: '447700900007',
  eir: '447700900008',
  gmlc: '447700900009',
  imsiPrefix: '23415',
  msinDigits: 10,
  msisdnPrefix: '4477009001',
  msisdnDigits: 2,
  msisdnOffset: 0,
  subscribers: 100,
  lac: 0x2a10,
};

export const PARTNER_A: NetworkNodes = {
  name: 'partner-a',
  mcc: '310',
  mnc: '990',
  cc: '1',
  gtPrefix: '120255501',
  hlr: '12025550101',
  vlr: '12025550102',
  msc: '12025550103',
  smsc: '12025550104',
  gsmScf: '12025550105',
  sgsn: '12025550106',
  ggsn: '12025550107',
  eir: '12025550108',
  gmlc: '12025550109',
  imsiPrefix: '310990',
  msinDigits: 9,
  msisdnPrefix: '120255501',
  msisdnDigits: 2,
  msisdnOffset: 10, // 12025550110 .. 12025550199
  subscribers: 90,
  lac: 0x0451,
};

export const PARTNER_B: NetworkNodes = {
  name: 'partner-b',
  mcc: '505',
  mnc: '99',
  cc: '61',
  gtPrefix: '614915700',
  hlr: '61491570001',
  vlr: '61491570002',
  msc: '61491570003',
  smsc: '61491570004',
  gsmScf: '61491570005',
  sgsn: '61491570006',
  ggsn: '61491570007',
  eir: '61491570008',
  gmlc: '61491570009',
  imsiPrefix: '50599',
  msinDigits: 10,
  msisdnPrefix: '614915701',
  msisdnDigits: 2,
  msisdnOffset: 0,
  subscribers: 100,
  lac: 0x7d01,
};

/** An attacker with leased global titles; it has no subscribers of its own. */
export const ATTACKER = {
  name: 'attacker',
  gtPrefix: '9998800',
  gt: '99988000001',
  gsmScf: '99988000002',
  msc: '99988000003',
  vlr: '99988000004',
  smsc: '99988000005',
  gmlc: '99988000006',
  sgsn: '99988000007',
  hlr: '99988000008',
  /** A number calls get forwarded to. */
  forwardTo: '99988000099',
} as const;

export const NETWORKS = { home: HOME, partnerA: PARTNER_A, partnerB: PARTNER_B } as const;

export function imsiOf(net: NetworkNodes, index: number): string {
  return net.imsiPrefix + String(index).padStart(net.msinDigits, '0');
}

export function msisdnOf(net: NetworkNodes, index: number): string {
  return net.msisdnPrefix + String(index + net.msisdnOffset).padStart(net.msisdnDigits, '0');
}

/** Point codes (14-bit ITU). */
export const POINT_CODE = { homeSg: 1001, ipxA: 2001, ipxB: 2002, suaPeer: 2003, m2paPeer: 2004, vlanPeer: 2005, ipv6Peer: 2006 } as const;

export type LinkName = 'ipx-a' | 'ipx-b' | 'sua' | 'm2pa' | 'vlan' | 'ipv6';

const homeMac = '02:44:00:00:00:01';

/** The links into the home signalling gateway. Side a is the interconnect, side b is home. */
export const LINKS: Record<LinkName, AssociationConfig> = {
  'ipx-a': {
    name: 'ipx-a',
    adaptation: 'm3ua',
    routingContext: 100,
    a: { mac: '02:10:00:00:00:01', ip: '192.0.2.10', port: SCTP_PORT.m3ua, pc: POINT_CODE.ipxA },
    b: { mac: homeMac, ip: '198.51.100.1', port: SCTP_PORT.m3ua, pc: POINT_CODE.homeSg },
    verificationTags: [0x3a1f0001, 0x5b2e0001],
    initialTsns: [10000, 70000],
  },
  'ipx-b': {
    name: 'ipx-b',
    adaptation: 'm3ua',
    routingContext: 200,
    networkAppearance: 1,
    // Protocol Data first: RFC 4666 receivers must not depend on the parameter order.
    m3uaOrder: ['protocolData', 'routingContext', 'networkAppearance'],
    a: { mac: '02:10:00:00:00:02', ip: '192.0.2.20', port: 2906, pc: POINT_CODE.ipxB },
    b: { mac: homeMac, ip: '198.51.100.1', port: SCTP_PORT.m3ua, pc: POINT_CODE.homeSg },
    verificationTags: [0x3a1f0002, 0x5b2e0002],
    initialTsns: [20000, 80000],
  },
  sua: {
    name: 'sua',
    adaptation: 'sua',
    routingContext: 300,
    a: { mac: '02:10:00:00:00:03', ip: '192.0.2.30', port: SCTP_PORT.sua, pc: POINT_CODE.suaPeer },
    b: { mac: homeMac, ip: '198.51.100.1', port: SCTP_PORT.sua, pc: POINT_CODE.homeSg },
    verificationTags: [0x3a1f0003, 0x5b2e0003],
    initialTsns: [30000, 90000],
  },
  m2pa: {
    name: 'm2pa',
    adaptation: 'm2pa',
    a: { mac: '02:10:00:00:00:04', ip: '192.0.2.40', port: SCTP_PORT.m2pa, pc: POINT_CODE.m2paPeer },
    b: { mac: homeMac, ip: '198.51.100.1', port: SCTP_PORT.m2pa, pc: POINT_CODE.homeSg },
    verificationTags: [0x3a1f0004, 0x5b2e0004],
    initialTsns: [40000, 100000],
  },
  vlan: {
    name: 'vlan',
    adaptation: 'm3ua',
    routingContext: 500,
    vlans: [{ vid: 300 }, { vid: 42, pcp: 5 }], // 802.1ad S-tag 300, 802.1Q C-tag 42
    a: { mac: '02:10:00:00:00:05', ip: '192.0.2.50', port: SCTP_PORT.m3ua, pc: POINT_CODE.vlanPeer },
    b: { mac: homeMac, ip: '198.51.100.2', port: SCTP_PORT.m3ua, pc: POINT_CODE.homeSg },
    verificationTags: [0x3a1f0005, 0x5b2e0005],
    initialTsns: [50000, 110000],
  },
  ipv6: {
    name: 'ipv6',
    adaptation: 'm3ua',
    routingContext: 600,
    a: { mac: '02:10:00:00:00:06', ip: '2001:db8:10::60', port: SCTP_PORT.m3ua, pc: POINT_CODE.ipv6Peer },
    b: { mac: homeMac, ip: '2001:db8:44::1', port: SCTP_PORT.m3ua, pc: POINT_CODE.homeSg },
    verificationTags: [0x3a1f0006, 0x5b2e0006],
    initialTsns: [60000, 120000],
  },
};
