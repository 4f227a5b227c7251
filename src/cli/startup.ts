// What `sigwall run` (the engine alone) and `sigwall serve` (the appliance) both do before an
// engine starts: load the appliance configuration and check it against this machine
// (src/config/preflight.ts: interfaces, queues, CPUs, memlock, files, the backends this build
// has), refusing it with every problem and its fix (SIGWALL_ERR_CONFIG), and printing warnings.
import { loadApplianceConfig, type ApplianceConfig } from '../config/appliance.js';
import { assertPreflight, hostMachine, type PreflightMachine } from '../config/preflight.js';
import { liveAddon } from '../dataplane/live-native.js';

// The backends the addon was built with; undefined when the addon is missing (the engine's start
// then reports that with its own code).
function builtBackends(): readonly string[] | undefined {
  try {
    const backends = liveAddon().liveBackends();
    return Object.entries(backends)
      .filter(([, built]) => built)
      .map(([name]) => name);
  } catch {
    return undefined;
  }
}

export function loadCheckedConfig(file: string, options: { err: { write(text: string): unknown }; machine?: PreflightMachine }): ApplianceConfig {
  const config = loadApplianceConfig(file);
  const warnings = assertPreflight(config, file, options.machine ?? hostMachine(builtBackends));
  for (const warning of warnings) options.err.write(`sigwall: warning: ${warning.path === '' ? '' : `${warning.path}: `}${warning.problem} (${warning.fix})\n`);
  return config;
}
