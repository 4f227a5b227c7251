// The engine for an appliance configuration. This build has the offline engine (a capture
// replayed through the native decode + classify path); the live backends (afpacket, afxdp) come
// with the live data plane and are wired here when it lands.
import type { ApplianceConfig } from '../config/appliance.js';
import { SigwallError } from '../errors.js';
import type { Engine } from './contract.js';
import { ReplayEngine, replayOptionsFromConfig } from './replay.js';

export function createEngine(config: ApplianceConfig, table: Uint8Array): Engine {
  if (config.mode === 'offline') return new ReplayEngine(replayOptionsFromConfig(config), table);
  throw new SigwallError(
    'SIGWALL_ERR_ENGINE',
    `mode ${config.mode} with backend ${config.backend} is not in this build: the live data plane (afpacket/afxdp) is not built in; mode offline replays a capture`,
    { mode: config.mode, backend: config.backend },
  );
}
