// preflight against fake machines: a sys root and a proc root built in a temporary directory,
// fake ethtool / ip readers, and the addon's backend list. Every problem is reported together
// with its fix; warnings never stop a start.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseApplianceConfig, type ApplianceConfigInput } from '../../src/config/appliance.js';
import {
  assertPreflight,
  parseCpuList,
  parseEthtoolFeatures,
  parseIpLinkXdp,
  preflight,
  type PreflightMachine,
  type XdpProgramInfo,
} from '../../src/config/preflight.js';
import { SigwallError } from '../../src/errors.js';

const ALL_CAPS = '000001ffffffffff';
const NO_CAPS = '0000000000000000';
// CAP_NET_RAW (13) and CAP_NET_ADMIN (12) only.
const NET_CAPS = (1n << 13n | 1n << 12n).toString(16).padStart(16, '0');

interface FakeInterface {
  name: string;
  up?: boolean;
  operstate?: string;
  rxQueues?: number;
  ifindex?: number;
  offloads?: Record<string, boolean>;
  xdp?: XdpProgramInfo[];
}

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sigwall-preflight-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function fakeMachine(options: { interfaces: FakeInterface[]; capEff?: string; memlock?: string; cpus?: string; backends?: string[] | undefined; ethtool?: boolean }): PreflightMachine {
  const machineRoot = mkdtempSync(join(root, 'machine-'));
  const sysRoot = join(machineRoot, 'sys');
  const procRoot = join(machineRoot, 'proc');
  mkdirSync(join(sysRoot, 'class', 'net'), { recursive: true });
  mkdirSync(join(sysRoot, 'devices', 'system', 'cpu'), { recursive: true });
  writeFileSync(join(sysRoot, 'devices', 'system', 'cpu', 'online'), `${options.cpus ?? '0-3'}\n`);
  options.interfaces.forEach((iface, i) => {
    const dir = join(sysRoot, 'class', 'net', iface.name);
    mkdirSync(join(dir, 'queues'), { recursive: true });
    writeFileSync(join(dir, 'flags'), iface.up === false ? '0x1002\n' : '0x1003\n');
    writeFileSync(join(dir, 'operstate'), `${iface.operstate ?? (iface.up === false ? 'down' : 'up')}\n`);
    writeFileSync(join(dir, 'ifindex'), `${iface.ifindex ?? i + 2}\n`);
    for (let q = 0; q < (iface.rxQueues ?? 1); q++) {
      mkdirSync(join(dir, 'queues', `rx-${q}`));
      mkdirSync(join(dir, 'queues', `tx-${q}`));
    }
  });
  mkdirSync(join(procRoot, 'self'), { recursive: true });
  writeFileSync(join(procRoot, 'self', 'status'), `Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t${options.capEff ?? ALL_CAPS}\nCapBnd:\t${ALL_CAPS}\n`);
  writeFileSync(
    join(procRoot, 'self', 'limits'),
    `Limit                     Soft Limit           Hard Limit           Units     \nMax locked memory         ${options.memlock ?? '8388608'}              ${options.memlock ?? '8388608'}              bytes     \n`,
  );
  const byName = new Map(options.interfaces.map((iface) => [iface.name, iface]));
  return {
    sysRoot,
    procRoot,
    offloads: (name) => (options.ethtool === false ? undefined : new Map(Object.entries(byName.get(name)?.offloads ?? { 'generic-receive-offload': false }))),
    xdpPrograms: (name) => byName.get(name)?.xdp ?? [],
    builtBackends: () => ('backends' in options ? options.backends : ['pcap', 'afpacket', 'afxdp']),
  };
}

function files() {
  const policy = join(root, 'policy.yaml');
  const capture = join(root, 'demo.pcap');
  writeFileSync(policy, 'name: p\n');
  writeFileSync(capture, '');
  return { policy, capture, dataDir: join(root, 'data') };
}

function inlineConfig(overrides: Partial<ApplianceConfigInput> = {}) {
  const { policy, dataDir } = files();
  return parseApplianceConfig(
    {
      mode: 'inline',
      backend: 'afxdp',
      ports: [
        { interface: 'ext0', role: 'external' },
        { interface: 'int0', role: 'internal' },
      ],
      policy,
      dataDir,
      ...overrides,
    },
    join(root, 'inline.yaml'),
  );
}

const twoPorts: FakeInterface[] = [{ name: 'ext0' }, { name: 'int0' }];

describe('preflight', () => {
  it('passes a ready machine with no errors and no warnings', () => {
    expect(preflight(inlineConfig(), fakeMachine({ interfaces: twoPorts }))).toEqual({ errors: [], warnings: [] });
  });

  it('passes an offline configuration on a machine without any privilege or interface', () => {
    const { policy, capture, dataDir } = files();
    const config = parseApplianceConfig({ mode: 'offline', backend: 'pcap', replay: { capture }, policy, dataDir }, join(root, 'demo.yaml'));
    expect(preflight(config, fakeMachine({ interfaces: [], capEff: NO_CAPS, backends: ['pcap'] })).errors).toEqual([]);
  });

  it('reports a missing interface with the interfaces the machine has', () => {
    const { errors } = preflight(inlineConfig(), fakeMachine({ interfaces: [{ name: 'ext0' }, { name: 'eth7' }] }));
    expect(errors).toEqual([
      { severity: 'error', path: 'ports[1].interface', problem: 'interface int0 does not exist on this machine (interfaces: eth7, ext0)', fix: expect.stringMatching(/ip link show/) },
    ]);
  });

  it('reports a down interface with `ip link set up`, and a missing carrier as a warning', () => {
    const report = preflight(inlineConfig(), fakeMachine({ interfaces: [{ name: 'ext0', up: false }, { name: 'int0', operstate: 'lowerlayerdown' }] }));
    expect(report.errors).toEqual([{ severity: 'error', path: 'ports[0].interface', problem: 'interface ext0 is down', fix: 'bring it up: `ip link set dev ext0 up`' }]);
    expect(report.warnings).toEqual([expect.objectContaining({ path: 'ports[1].interface', problem: expect.stringMatching(/int0 is up but has no link \(operstate lowerlayerdown\)/) })]);
  });

  it('reports queues the interface does not have, and a queue listed twice', () => {
    const config = inlineConfig({
      ports: [
        { interface: 'ext0', role: 'external', queues: [0, 1, 3] },
        { interface: 'int0', role: 'internal', queues: [1, 1] },
      ],
    });
    const { errors } = preflight(config, fakeMachine({ interfaces: [{ name: 'ext0', rxQueues: 2 }, { name: 'int0', rxQueues: 2 }] }));
    expect(errors.map((e) => [e.path, e.problem])).toEqual([
      ['ports[0].queues', 'interface ext0 has RX queues 0, 1; queue 3 does not exist'],
      ['ports[1].queues', 'queue 1 of int0 is listed twice'],
    ]);
    expect(errors[0]!.fix).toContain('ethtool -L ext0 combined 4');
  });

  it('reports two ports that are one device (same ifindex)', () => {
    const { errors } = preflight(inlineConfig(), fakeMachine({ interfaces: [{ name: 'ext0', ifindex: 9 }, { name: 'int0', ifindex: 9 }] }));
    expect(errors).toEqual([expect.objectContaining({ path: 'ports[1].interface', problem: 'interface int0 is the same device as ext0 (ifindex 9)' })]);
  });

  it('reports missing capabilities for afxdp (NET_RAW, NET_ADMIN, BPF) and afpacket (NET_RAW)', () => {
    const afxdp = preflight(inlineConfig(), fakeMachine({ interfaces: twoPorts, capEff: NO_CAPS, memlock: 'unlimited' }));
    expect(afxdp.errors).toEqual([
      expect.objectContaining({ path: 'backend', problem: expect.stringMatching(/^backend afxdp needs CAP_NET_RAW, CAP_NET_ADMIN, CAP_BPF, which this process does not have/) }),
    ]);
    expect(afxdp.errors[0]!.fix).toMatch(/setcap cap_net_raw,cap_net_admin,cap_bpf\+ep/);
    const bpfOnly = preflight(inlineConfig(), fakeMachine({ interfaces: twoPorts, capEff: NET_CAPS, memlock: 'unlimited' }));
    expect(bpfOnly.errors.map((e) => e.problem)).toEqual([expect.stringMatching(/^backend afxdp needs CAP_BPF,/)]);
    const afpacket = preflight(inlineConfig({ backend: 'afpacket' }), fakeMachine({ interfaces: twoPorts, capEff: NO_CAPS }));
    expect(afpacket.errors.map((e) => e.problem)).toEqual([expect.stringMatching(/^backend afpacket needs CAP_NET_RAW,/)]);
  });

  it('warns that afpacket cannot honour failMode open in inline mode (nothing is bridged while no engine runs)', () => {
    const open = preflight(inlineConfig({ backend: 'afpacket' }), fakeMachine({ interfaces: twoPorts }));
    expect(open.errors).toEqual([]);
    expect(open.warnings).toEqual([
      expect.objectContaining({ severity: 'warning', path: 'failMode', problem: expect.stringMatching(/afpacket backend has no in-kernel fallback/), fix: expect.stringMatching(/backend afxdp.*failMode: closed/) }),
    ]);
    expect(preflight(inlineConfig({ backend: 'afpacket', failMode: 'closed' }), fakeMachine({ interfaces: twoPorts })).warnings).toEqual([]);
    // afxdp's XDP program is the fallback: open is what it does.
    expect(preflight(inlineConfig({ failMode: 'open' }), fakeMachine({ interfaces: twoPorts })).warnings).toEqual([]);
  });

  it('accepts CAP_SYS_ADMIN in place of CAP_BPF', () => {
    const sysAdmin = (1n << 13n | 1n << 12n | 1n << 21n | 1n << 14n).toString(16);
    expect(preflight(inlineConfig(), fakeMachine({ interfaces: twoPorts, capEff: sysAdmin })).errors).toEqual([]);
  });

  it('reports an AF_XDP UMEM beyond the memlock limit without CAP_IPC_LOCK, with the frames that fit', () => {
    const noIpcLock = (1n << 13n | 1n << 12n | 1n << 39n).toString(16);
    const config = inlineConfig({ rings: { frames: 4096 } });
    const { errors } = preflight(config, fakeMachine({ interfaces: [{ name: 'ext0', rxQueues: 2 }, { name: 'int0', rxQueues: 2 }], capEff: noIpcLock }));
    expect(errors).toEqual([
      {
        severity: 'error',
        path: 'rings.frames',
        problem: 'AF_XDP needs 32 MiB of locked memory (4 socket(s) x 4096 frames x 2048 bytes) but the memlock limit is 8 MiB and the process lacks CAP_IPC_LOCK',
        fix: expect.stringMatching(/CAP_IPC_LOCK.*LimitMEMLOCK.*lower rings.frames to 1024 or less/),
      },
    ]);
    // With CAP_IPC_LOCK the UMEM is not charged to the limit.
    expect(preflight(config, fakeMachine({ interfaces: [{ name: 'ext0', rxQueues: 2 }, { name: 'int0', rxQueues: 2 }] })).errors).toEqual([]);
  });

  it('reports an afxdp configuration when the addon was built without AF_XDP', () => {
    const { errors } = preflight(inlineConfig(), fakeMachine({ interfaces: twoPorts, backends: ['pcap', 'afpacket'] }));
    expect(errors).toEqual([expect.objectContaining({ path: 'backend', problem: expect.stringMatching(/afxdp backend is not built/), fix: expect.stringMatching(/libxdp-dev.*or use backend afpacket/) })]);
  });

  it('reports GRO, LRO and hardware GRO on inline ports with the ethtool line that fixes them', () => {
    const machine = fakeMachine({
      interfaces: [
        { name: 'ext0', offloads: { 'generic-receive-offload': true, 'large-receive-offload': false } },
        { name: 'int0', offloads: { 'generic-receive-offload': true, 'large-receive-offload': true, 'rx-gro-hw': true } },
      ],
    });
    const { errors } = preflight(inlineConfig({ backend: 'afpacket' }), machine);
    expect(errors.map((e) => [e.path, e.fix])).toEqual([
      ['ports[0].interface', '`ethtool -K ext0 gro off`'],
      ['ports[1].interface', '`ethtool -K int0 gro off lro off rx-gro-hw off`'],
    ]);
    expect(errors[1]!.problem).toBe('generic-receive-offload, large-receive-offload, rx-gro-hw are on for inline port int0: merged frames larger than the MTU cannot be forwarded');
  });

  it('does not check GRO on monitor ports, and warns when offloads cannot be read', () => {
    const { policy, dataDir } = files();
    const monitor = parseApplianceConfig({ mode: 'monitor', backend: 'afpacket', ports: [{ interface: 'span0', role: 'monitor' }], policy, dataDir }, join(root, 'monitor.yaml'));
    expect(preflight(monitor, fakeMachine({ interfaces: [{ name: 'span0', offloads: { 'generic-receive-offload': true } }] }))).toEqual({ errors: [], warnings: [] });
    const unreadable = preflight(inlineConfig(), fakeMachine({ interfaces: twoPorts, ethtool: false }));
    expect(unreadable.errors).toEqual([]);
    expect(unreadable.warnings.map((w) => w.problem)).toEqual([expect.stringMatching(/cannot read the offloads of ext0/), expect.stringMatching(/cannot read the offloads of int0/)]);
  });

  it('warns of a stale sigwall XDP program and refuses to replace a foreign one', () => {
    const report = preflight(
      inlineConfig(),
      fakeMachine({ interfaces: [{ name: 'ext0', xdp: [{ id: 41, name: 'sigwall_xdp' }] }, { name: 'int0', xdp: [{ id: 42, name: 'xdp_lb' }] }] }),
    );
    expect(report.warnings).toEqual([expect.objectContaining({ path: 'ports[0].interface', problem: expect.stringMatching(/stale XDP program .* ext0 \(id 41, sigwall_xdp\)/), fix: 'nothing to do: start replaces it' })]);
    expect(report.errors).toEqual([expect.objectContaining({ path: 'ports[1].interface', fix: expect.stringMatching(/ip link set dev int0 xdp off/) })]);
  });

  it('reports a missing policy, a missing capture, missing token and salt files', () => {
    const config = parseApplianceConfig(
      {
        mode: 'offline',
        backend: 'pcap',
        replay: { capture: 'nowhere.pcap' },
        policy: 'nopolicy.yaml',
        dataDir: 'data',
        api: { tcp: { port: 9000, tokenFile: 'token' } },
        events: { subscriberIds: 'hash', saltFile: 'salt' },
      },
      join(root, 'offline.yaml'),
    );
    const { errors } = preflight(config, fakeMachine({ interfaces: [] }));
    expect(errors.map((e) => [e.path, e.problem])).toEqual([
      ['policy', `the policy ${join(root, 'nopolicy.yaml')} does not exist`],
      ['replay.capture', `the capture ${join(root, 'nowhere.pcap')} does not exist`],
      ['api.tcp.tokenFile', `the API token file ${join(root, 'token')} does not exist`],
      ['events.saltFile', `the salt file ${join(root, 'salt')} does not exist`],
    ]);
  });

  it('reports a data directory that is a file, or that cannot be written', () => {
    const { policy, capture } = files();
    writeFileSync(join(root, 'plain'), '');
    const onFile = parseApplianceConfig({ mode: 'offline', backend: 'pcap', replay: { capture }, policy, dataDir: join(root, 'plain', 'data') }, join(root, 'a.yaml'));
    expect(preflight(onFile, fakeMachine({ interfaces: [] })).errors).toEqual([
      expect.objectContaining({ path: 'dataDir', problem: `${join(root, 'plain')} is not a directory (on the way to ${join(root, 'plain', 'data')})` }),
    ]);
    // A directory that does not exist yet is fine when its parent is writable.
    const creatable = parseApplianceConfig({ mode: 'offline', backend: 'pcap', replay: { capture }, policy, dataDir: join(root, 'new', 'deeper') }, join(root, 'a.yaml'));
    expect(preflight(creatable, fakeMachine({ interfaces: [] })).errors).toEqual([]);
    if (process.getuid?.() !== 0) {
      // Root writes anywhere, so the permission case only means something for another user.
      mkdirSync(join(root, 'locked'));
      chmodSync(join(root, 'locked'), 0o500);
      const locked = parseApplianceConfig({ mode: 'offline', backend: 'pcap', replay: { capture }, policy, dataDir: join(root, 'locked') }, join(root, 'a.yaml'));
      expect(preflight(locked, fakeMachine({ interfaces: [] })).errors).toEqual([expect.objectContaining({ path: 'dataDir', problem: expect.stringMatching(/is not writable/) })]);
    }
  });

  it('reports CPUs that are not online', () => {
    const { errors } = preflight(inlineConfig({ cpus: [1, 2, 5] }), fakeMachine({ interfaces: twoPorts, cpus: '0-2' }));
    expect(errors).toEqual([expect.objectContaining({ path: 'cpus[2]', problem: 'CPU 5 is not online on this machine (online: 0-2)' })]);
  });

  it('throws SIGWALL_ERR_CONFIG listing every problem with its fix, and returns warnings when there is none', () => {
    const machine = fakeMachine({ interfaces: [{ name: 'ext0', up: false, xdp: [{ id: 5, name: 'sigwall_xdp' }] }], capEff: NO_CAPS, memlock: 'unlimited' });
    let failure: unknown;
    try {
      assertPreflight(inlineConfig({ cpus: [9] }), 'inline.yaml', machine);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(SigwallError);
    const error = failure as SigwallError;
    expect(error.code).toBe('SIGWALL_ERR_CONFIG');
    expect(error.message).toMatch(/\(4 problems\):/);
    expect(error.message).toContain('inline.yaml: cpus[0]: CPU 9 is not online');
    expect(error.message).toContain('inline.yaml: backend: backend afxdp needs');
    expect(error.message).toContain('inline.yaml: ports[0].interface: interface ext0 is down\n    fix: bring it up: `ip link set dev ext0 up`');
    expect(error.message).toContain('inline.yaml: ports[1].interface: interface int0 does not exist');
    // Warnings come last, marked, so the operator sees them in the same pass.
    expect(error.message.split('\n').at(-2)).toMatch(/^warning: inline\.yaml: ports\[0\]\.interface: a stale XDP program .*sigwall_xdp/);
    const warnings = assertPreflight(inlineConfig(), 'inline.yaml', fakeMachine({ interfaces: [{ name: 'ext0', operstate: 'down' }, { name: 'int0' }] }));
    expect(warnings.map((w) => w.path)).toEqual(['ports[0].interface']);
  });
});

describe('machine readers', () => {
  it('parses ethtool -k output', () => {
    const features = parseEthtoolFeatures('Features for mA:\nrx-checksumming: on [fixed]\ngeneric-receive-offload: off\nlarge-receive-offload: off [fixed]\nrx-gro-hw: on\n');
    expect([...features]).toEqual([
      ['rx-checksumming', true],
      ['generic-receive-offload', false],
      ['large-receive-offload', false],
      ['rx-gro-hw', true],
    ]);
  });

  it('parses XDP programs from ip -j -d link, single and multi-program', () => {
    expect(parseIpLinkXdp('[{"ifname":"mA","xdp":{"mode":1,"prog":{"id":17,"name":"xsk_def_prog","tag":"ab"}}}]')).toEqual([{ id: 17, name: 'xsk_def_prog' }]);
    expect(parseIpLinkXdp('[{"ifname":"mA","xdp":{"mode":4,"attached":[{"mode":1,"prog":{"id":3,"name":"a"}},{"mode":2,"prog":{"id":4}}]}}]')).toEqual([
      { id: 3, name: 'a' },
      { id: 4, name: '' },
    ]);
    expect(parseIpLinkXdp('[{"ifname":"lo"}]')).toEqual([]);
    // iproute2 6.1 with one program in driver mode lists it under prog and again under attached.
    const both =
      '[{"ifname":"xa","xdp":{"mode":1,"prog":{"id":291,"name":"sigwall_xdp","tag":"e878b812323e58af","jited":1},"attached":[{"mode":1,"prog":{"id":291,"name":"sigwall_xdp","tag":"e878b812323e58af","jited":1}}]}}]';
    expect(parseIpLinkXdp(both)).toEqual([{ id: 291, name: 'sigwall_xdp' }]);
  });

  it('parses CPU lists', () => {
    expect([...parseCpuList('0-3,6,8-9\n')]).toEqual([0, 1, 2, 3, 6, 8, 9]);
    expect([...parseCpuList('0\n')]).toEqual([0]);
  });
});
