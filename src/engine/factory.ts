// The engine for an appliance configuration: always the native data plane (src/engine/live.ts
// over native/live/), whatever the mode and backend. `offline` is the pcap backend: a capture
// replayed through the same workers, decoders, classifier, counters and event rings as a live
// link (monitor/inline on afpacket or afxdp), so the demo, the tests and the benchmarks measure
// the engine that runs on the wire.
import type { ApplianceConfig } from '../config/appliance.js';
import type { Engine } from './contract.js';
import { LiveEngine } from './live.js';

export function createEngine(config: ApplianceConfig, table: Uint8Array): Engine {
  return new LiveEngine({ config, table });
}
