// Link layers: Ethernet II (IEEE 802.3 type field) with up to two VLAN tags (802.1Q C-tag,
// 802.1ad S-tag), and Linux cooked capture v1 (LINKTYPE_LINUX_SLL, tcpdump.org/linktypes).

import { checkRange, concat, u16be } from './bytes.js';

export const ETHERTYPE = { ipv4: 0x0800, ipv6: 0x86dd, vlan: 0x8100, qinq: 0x88a8 } as const;

/** pcap link types written by this builder. */
export const LINKTYPE = { ethernet: 1, linuxSll: 113 } as const;

export interface VlanTag {
  /** Tag protocol identifier: 0x8100 (802.1Q) or 0x88a8 (802.1ad). Default: 0x88a8 for the
   *  outer of two tags, 0x8100 otherwise. */
  tpid?: number;
  vid: number; // 12 bits
  pcp?: number; // priority code point, 3 bits
  dei?: boolean;
}

export interface EthernetFrame {
  dst: string | Uint8Array; // "02:00:00:00:00:01"
  src: string | Uint8Array;
  /** Outermost first; at most two (the decoder's kMaxVlanDepth). */
  vlans?: readonly VlanTag[];
  etherType: number;
  payload: Uint8Array;
}

export function parseMac(mac: string | Uint8Array): Uint8Array {
  if (mac instanceof Uint8Array) {
    if (mac.length !== 6) throw new RangeError('a MAC address has 6 bytes');
    return mac;
  }
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new RangeError(`bad MAC: ${mac}`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function encodeEthernet(frame: EthernetFrame): Uint8Array {
  const vlans = frame.vlans ?? [];
  if (vlans.length > 2) throw new RangeError('at most two VLAN tags');
  const parts: Uint8Array[] = [parseMac(frame.dst), parseMac(frame.src)];
  vlans.forEach((tag, i) => {
    checkRange('VLAN id', tag.vid, 0, 4095);
    const pcp = tag.pcp ?? 0;
    checkRange('VLAN PCP', pcp, 0, 7);
    const tpid = tag.tpid ?? (vlans.length === 2 && i === 0 ? ETHERTYPE.qinq : ETHERTYPE.vlan);
    // 802.1Q §9.6: TCI = PCP(3) | DEI(1) | VID(12)
    parts.push(u16be(tpid), u16be((pcp << 13) | (tag.dei ? 0x1000 : 0) | tag.vid));
  });
  parts.push(u16be(frame.etherType), frame.payload);
  return concat(parts);
}

export interface SllFrame {
  /** 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. */
  packetType?: number;
  /** ARPHRD_ type of the device; 1 = Ethernet. */
  arphrdType?: number;
  /** Link-layer source address (up to 8 bytes). */
  address?: string | Uint8Array;
  protocol: number; // ethertype of the payload
  payload: Uint8Array;
}

export function encodeSll(frame: SllFrame): Uint8Array {
  const addr = frame.address === undefined ? new Uint8Array(6) : parseMac(frame.address);
  const header = new Uint8Array(16);
  header.set(u16be(frame.packetType ?? 0), 0);
  header.set(u16be(frame.arphrdType ?? 1), 2);
  header.set(u16be(addr.length), 4);
  header.set(addr.subarray(0, 8), 6);
  header.set(u16be(frame.protocol), 14);
  return concat([header, frame.payload]);
}
