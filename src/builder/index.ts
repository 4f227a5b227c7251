// sigwall's SIGTRAN traffic builder: encoders for every layer from Ethernet to MAP/CAP, capture
// writers, the labelled scenario library and the demo / load captures.

export * from './bytes.js';
export { crc32c } from './crc32c.js';
export { Prng } from './prng.js';
export * from './link.js';
export * from './ip.js';
export * from './sctp.js';
export * from './m3ua.js';
export * from './mtp3.js';
export * from './m2pa.js';
export * from './sua.js';
export * from './sccp.js';
export * as ber from './ber.js';
export type { BerEncodeOptions, BerNode, LengthForm } from './ber.js';
export * from './tcap.js';
export * from './digits.js';
export * from './sms.js';
export * from './map.js';
export * from './cap.js';
export * from './pcap.js';
export * from './stack.js';
export * from './network.js';
export * from './scenarios.js';
export * from './capture.js';
export * from './schema.js';
