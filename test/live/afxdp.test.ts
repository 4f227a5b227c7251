// End-to-end: the afxdp backend (XDP program + AF_XDP sockets, copy mode on veth) in network
// namespaces. Root; see cases.ts.
import { defineLiveCases } from './cases.js';

defineLiveCases('afxdp');
