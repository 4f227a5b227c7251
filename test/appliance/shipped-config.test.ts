// What ships for real deployments: the production configuration passes the schema (an inline
// afxdp appliance, TCP API with a token file, hashed subscriber ids, syslog), and the systemd
// unit is one systemd itself accepts, with the hardening the data plane's capabilities allow.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadApplianceConfig, parseApplianceConfig } from '../../src/config/appliance.js';

const root = new URL('../..', import.meta.url).pathname;

describe('shipped appliance files', () => {
  it('production.yaml: inline afxdp, TCP API with token file, hashed subscriber ids', () => {
    const config = loadApplianceConfig(join(root, 'firmware-config', 'appliance', 'production.yaml'));
    expect(config).toMatchObject({ mode: 'inline', backend: 'afxdp', dataDir: '/var/lib/sigwall' });
    expect(config.ports.map((port) => port.role).sort()).toEqual(['external', 'internal']);
    expect(config.api).toMatchObject({ socket: '/run/sigwall/sigwall.sock', socketMode: 0o600, tcp: { host: '127.0.0.1', tokenFile: '/etc/sigwall/api-token' } });
    expect(config.events).toMatchObject({ subscriberIds: 'hash', saltFile: '/var/lib/sigwall/subscriber-salt', syslog: true, syslogTarget: { transport: 'udp', port: 514 } });
  });

  it('demo.yaml (npm start) is an offline replay of the bundled capture', () => {
    const config = loadApplianceConfig(join(root, 'firmware-config', 'appliance', 'demo.yaml'));
    expect(config).toMatchObject({ mode: 'offline', backend: 'pcap', replay: { pace: 'capture', loop: true } });
    expect(config.replay!.capture).toBe(join(root, 'firmware-config', 'demo', 'demo.pcap'));
  });

  it('the syslog switch needs a target', () => {
    const base = { mode: 'offline', backend: 'pcap', replay: { capture: 'x.pcap' }, policy: 'p.ts', dataDir: 'd' };
    expect(() => loadApplianceConfigFrom({ ...base, events: { syslog: true } })).toThrow(/events.syslogTarget: syslog needs syslogTarget/);
    expect(loadApplianceConfigFrom({ ...base, events: { syslog: true, syslogTarget: { host: 'siem.example' } } }).events.syslogTarget).toEqual({
      host: 'siem.example', port: 514, transport: 'udp', facility: 16, appName: 'sigwall',
    });
  });

  it('sigwall.service: systemd accepts it; dedicated user, the four capabilities, state and runtime directories', () => {
    const unit = join(root, 'firmware-config', 'systemd', 'sigwall.service');
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    if (verify.error) throw new Error(`systemd-analyze is needed for this test (apt-get install systemd): ${verify.error.message}`);
    // Unknown keys, bad values and missing binaries are reported on stderr.
    expect(verify.stderr.split('\n').filter((line) => line.includes(unit) || /Unknown|Failed|invalid/i.test(line))).toEqual([]);
    const text = readFileSync(unit, 'utf8');
    const setting = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1];
    expect(setting('User')).toBe('sigwall');
    expect(setting('CapabilityBoundingSet')!.split(' ').sort()).toEqual(['CAP_BPF', 'CAP_IPC_LOCK', 'CAP_NET_ADMIN', 'CAP_NET_RAW']);
    expect(setting('StateDirectory')).toBe('sigwall');
    expect(setting('RuntimeDirectory')).toBe('sigwall');
    expect(setting('NoNewPrivileges')).toBe('yes');
    expect(setting('ProtectSystem')).toBe('strict');
    expect(setting('ExecStart')).toMatch(/sigwall\.js serve --config \/etc\/sigwall\/appliance\.yaml$/);
    const sysusers = readFileSync(join(root, 'firmware-config', 'systemd', 'sigwall.sysusers.conf'), 'utf8');
    expect(sysusers).toMatch(/^u sigwall - ".*" \/var\/lib\/sigwall/m);
  });
});

function loadApplianceConfigFrom(input: unknown) {
  return parseApplianceConfig(input, '/etc/sigwall/appliance.yaml');
}
