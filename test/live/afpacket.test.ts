// End-to-end: the afpacket backend (TPACKET_V3) in network namespaces. Root; see cases.ts.
import { defineLiveCases } from './cases.js';

defineLiveCases('afpacket');
