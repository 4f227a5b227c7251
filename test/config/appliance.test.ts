// The appliance configuration schema as an operator meets it: errors name the file, the line
// and column, and the path; every cross-field rule; relative paths resolved against the file;
// every configuration shipped in firmware-config/appliance/ parses.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadApplianceConfig, parseApplianceConfig } from '../../src/config/appliance.js';
import { SigwallError } from '../../src/errors.js';

const root = new URL('../..', import.meta.url).pathname;
const shipped = join(root, 'firmware-config', 'appliance');
const scratch = mkdtempSync(join(tmpdir(), 'sigwall-appliance-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function configError(run: () => unknown): SigwallError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SigwallError);
    return error as SigwallError;
  }
  throw new Error('the configuration was accepted');
}

function writeConfig(name: string, text: string): string {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
}

const base = { policy: 'p.ts', dataDir: 'data' };

describe('shipped appliance configurations', () => {
  const files = readdirSync(shipped).filter((file) => /\.(ya?ml|json)$/.test(file));

  it('ships the demo, a two-port inline, a monitor and the production (systemd) configuration', () => {
    expect(files.sort()).toEqual(['demo.yaml', 'inline.yaml', 'monitor.yaml', 'production.yaml']);
  });

  it('production.yaml takes its policy from the installed layout the systemd unit uses (/etc/sigwall)', () => {
    const config = loadApplianceConfig(join(shipped, 'production.yaml'));
    expect(config.policy).toBe('/etc/sigwall/policies/fs11-baseline.ts');
    expect(config.dataDir).toBe('/var/lib/sigwall');
  });

  for (const file of files.filter((name) => name !== 'production.yaml')) {
    it(`${file} parses and its policy path points into firmware-config/policies`, () => {
      const config = loadApplianceConfig(join(shipped, file));
      expect(config.policy).toBe(join(root, 'firmware-config', 'policies', 'fs11-baseline.ts'));
    });
  }

  it('inline.yaml is a two-port afxdp bridge, fail-open, with pinned workers', () => {
    const config = loadApplianceConfig(join(shipped, 'inline.yaml'));
    expect(config).toMatchObject({ mode: 'inline', backend: 'afxdp', failMode: 'open', workers: 2, cpus: [2, 3], dataDir: '/var/lib/sigwall' });
    expect(config.ports.map((port) => port.role)).toEqual(['external', 'internal']);
    expect(config.api.socket).toBe('/var/lib/sigwall/sigwall.sock');
  });

  it('monitor.yaml reads one monitor port with afpacket', () => {
    const config = loadApplianceConfig(join(shipped, 'monitor.yaml'));
    expect(config).toMatchObject({ mode: 'monitor', backend: 'afpacket', monitorSide: 'external' });
    expect(config.ports).toEqual([{ interface: 'ens2f0', role: 'monitor' }]);
  });

  it('demo.yaml replays the bundled capture', () => {
    const config = loadApplianceConfig(join(shipped, 'demo.yaml'));
    expect(config).toMatchObject({ mode: 'offline', backend: 'pcap', replay: { capture: join(root, 'firmware-config', 'demo', 'demo.pcap'), loop: true } });
  });
});

describe('appliance configuration errors', () => {
  it('names the file, line and column, and the path of each problem in YAML', () => {
    const file = writeConfig(
      'bad.yaml',
      ['mode: inline', 'backend: afpacket', 'ports:', '  - interface: eth0', '    role: outside', '  - interface: eth1', '    role: internal', '    queues: [-1]', 'policy: p.ts', 'dataDir: data', 'rings:', '  batch: 5000', ''].join('\n'),
    );
    const error = configError(() => loadApplianceConfig(file));
    expect(error.code).toBe('SIGWALL_ERR_CONFIG');
    const lines = error.message.split('\n').slice(1);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${file}:5:11: ports\\[0\\]\\.role: `)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${file}:8:14: ports\\[1\\]\\.queues\\[0\\]: `)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${file}:12:10: rings\\.batch: `)));
    expect(error.details.issues).toHaveLength(lines.length);
  });

  it('names the file for JSON, YAML syntax errors and unknown keys', () => {
    const json = writeConfig('bad.json', JSON.stringify({ mode: 'offline', backend: 'pcap', ...base, replay: { capture: 'x.pcap', pace: 'warp' } }));
    expect(configError(() => loadApplianceConfig(json)).message).toMatch(new RegExp(`^invalid appliance configuration:\\n${json}: replay\\.pace: `));
    const syntax = writeConfig('syntax.yaml', 'mode: [inline\n');
    expect(configError(() => loadApplianceConfig(syntax)).message).toMatch(new RegExp(`^${syntax}: not valid YAML`));
    const unknown = writeConfig('unknown.yaml', 'mode: offline\nbackend: pcap\nreplay: { capture: x.pcap }\npolicy: p.ts\ndataDir: d\nworkerz: 2\n');
    expect(configError(() => loadApplianceConfig(unknown)).message).toMatch(/unknown\.yaml:1:1: .*workerz/);
    const missing = configError(() => loadApplianceConfig(join(scratch, 'absent.yaml')));
    expect(missing.code).toBe('SIGWALL_ERR_FILE');
  });

  const rules: { name: string; input: Record<string, unknown>; path: string; message: RegExp }[] = [
    { name: 'an interface listed twice', input: { mode: 'monitor', backend: 'afpacket', ports: [{ interface: 'a', role: 'monitor' }, { interface: 'a', role: 'monitor' }] }, path: 'ports[1].interface', message: /interface a is listed twice/ },
    { name: 'offline with a live backend', input: { mode: 'offline', backend: 'afpacket', replay: { capture: 'x.pcap' } }, path: 'backend', message: /backend must be pcap/ },
    { name: 'offline without a capture', input: { mode: 'offline', backend: 'pcap' }, path: 'replay', message: /mode offline needs replay\.capture/ },
    { name: 'monitor with the pcap backend', input: { mode: 'monitor', backend: 'pcap', ports: [{ interface: 'a', role: 'monitor' }] }, path: 'backend', message: /backend must be afpacket or afxdp/ },
    { name: 'a replay outside offline', input: { mode: 'monitor', backend: 'afpacket', ports: [{ interface: 'a', role: 'monitor' }], replay: { capture: 'x.pcap' } }, path: 'replay', message: /replay is for mode offline, not monitor/ },
    { name: 'inline with one port', input: { mode: 'inline', backend: 'afxdp', ports: [{ interface: 'a', role: 'external' }] }, path: 'ports', message: /exactly two ports/ },
    { name: 'inline with two external ports', input: { mode: 'inline', backend: 'afxdp', ports: [{ interface: 'a', role: 'external' }, { interface: 'b', role: 'external' }] }, path: 'ports', message: /one role external and one role internal/ },
    { name: 'monitor without ports', input: { mode: 'monitor', backend: 'afpacket' }, path: 'ports', message: /mode monitor needs one or more ports/ },
    { name: 'monitor with an inline role', input: { mode: 'monitor', backend: 'afpacket', ports: [{ interface: 'a', role: 'external' }] }, path: 'ports', message: /all with role monitor/ },
    { name: 'pace rate without a rate', input: { mode: 'offline', backend: 'pcap', replay: { capture: 'x.pcap', pace: 'rate' } }, path: 'replay.rate', message: /needs rate/ },
    { name: 'hashed subscriber ids without a salt', input: { mode: 'offline', backend: 'pcap', replay: { capture: 'x.pcap' }, events: { subscriberIds: 'hash' } }, path: 'events.saltFile', message: /needs saltFile/ },
    { name: 'an interface name with a slash', input: { mode: 'monitor', backend: 'afpacket', ports: [{ interface: 'a/b', role: 'monitor' }] }, path: 'ports[0].interface', message: /no spaces, slashes or colons/ },
    { name: 'an interface name over 15 characters', input: { mode: 'monitor', backend: 'afpacket', ports: [{ interface: 'a'.repeat(16), role: 'monitor' }] }, path: 'ports[0].interface', message: /15/ },
    { name: 'an API TCP host off loopback', input: { mode: 'offline', backend: 'pcap', replay: { capture: 'x.pcap' }, api: { tcp: { host: '0.0.0.0', port: 80, tokenFile: 't' } } }, path: 'api.tcp.host', message: /./ },
  ];
  for (const { name, input, path, message } of rules) {
    it(`refuses ${name} at ${path}`, () => {
      const error = configError(() => parseApplianceConfig({ ...base, ...input }, 'appliance.yaml'));
      expect(error.code).toBe('SIGWALL_ERR_CONFIG');
      const line = error.message.split('\n').find((entry) => entry.startsWith(`appliance.yaml: ${path}: `));
      expect(line, error.message).toBeDefined();
      expect(line).toMatch(message);
    });
  }

  it('reports every problem of one stage together (schema first, then the cross-field rules)', () => {
    const schema = configError(() => parseApplianceConfig({ mode: 'inline', backend: 'pcap', ports: [{ interface: 'a', role: 'x' }], rings: { batch: 0 } }, 'x.yaml'));
    expect(schema.message.split('\n').slice(1).map((line) => line.split(': ')[1])).toEqual(['ports[0].role', 'rings.batch', 'policy', 'dataDir']);
    const rules = configError(() => parseApplianceConfig({ ...base, mode: 'inline', backend: 'pcap', ports: [], replay: { capture: 'x.pcap' } }, 'x.yaml'));
    expect(rules.message.split('\n').slice(1).map((line) => line.split(': ')[1])).toEqual(['backend', 'replay', 'ports']);
  });
});

describe('path resolution', () => {
  it('resolves paths against the configuration file, and the API socket against dataDir', () => {
    const config = parseApplianceConfig(
      {
        mode: 'offline',
        backend: 'pcap',
        replay: { capture: '../captures/a.pcap' },
        policy: 'policies/p.yaml',
        dataDir: 'state',
        api: { socket: 'api.sock', tcp: { port: 8443, tokenFile: '/etc/sigwall/token' } },
        events: { subscriberIds: 'hash', saltFile: 'salt' },
      },
      '/etc/sigwall/appliance.yaml',
    );
    expect(config.replay!.capture).toBe('/etc/captures/a.pcap');
    expect(config.policy).toBe('/etc/sigwall/policies/p.yaml');
    expect(config.dataDir).toBe('/etc/sigwall/state');
    expect(config.api.socket).toBe('/etc/sigwall/state/api.sock');
    expect(config.api.tcp!.tokenFile).toBe('/etc/sigwall/token');
    expect(config.events.saltFile).toBe('/etc/sigwall/salt');
  });

  it('keeps absolute paths and an absolute socket as they are, and fills the defaults', () => {
    const config = parseApplianceConfig({ mode: 'monitor', backend: 'afpacket', ports: [{ interface: 'span0', role: 'monitor' }], policy: '/p.ts', dataDir: '/var/lib/sigwall', api: { socket: '/run/sigwall.sock' } }, 'rel/a.yaml', '/base');
    expect(config).toMatchObject({
      policy: '/p.ts',
      dataDir: '/var/lib/sigwall',
      api: { socket: '/run/sigwall.sock', socketMode: 0o600 },
      rings: { frames: 4096, batch: 64, events: 4096, idleSpinMicroseconds: 20 },
      failMode: 'open',
      monitorSide: 'external',
      decode: { verifyCrc: true, mtp3Variant: 'itu', capSsns: [146] },
    });
  });
});
