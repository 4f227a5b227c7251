// Network-namespace rig for the live data plane tests (../../shared/RIG.md): host A <-> M (the
// appliance, no IP) <-> host B over veth pairs, each namespace named uniquely per run
// (`swlive-<pid>-<n>-a|m|b`), deleted afterwards even when a test fails, with a sweep of those a
// crashed run left behind (their pid is dead). Every process started here is tracked and
// killed by pid. Needs root (CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF): without it the suites skip
// with the reason printed, except under CI, where a missing privilege fails.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const kRoot = new URL('../..', import.meta.url).pathname;
export const kPrefix = 'swlive';
export const kAddressA = '10.77.0.1';
export const kAddressB = '10.77.0.2';

let sequence = 0;

function which(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** Why the live suites cannot run here, or undefined when they can. */
export function liveUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, raw sockets, XDP): run as root, e.g. sudo npx vitest run test/live';
  const missing = ['ip', 'ethtool', 'tcpdump', 'ping', 'setpriv', 'gcc', 'pkg-config'].filter((tool) => !which(tool));
  if (missing.length > 0) return `missing tools: ${missing.join(', ')} (apt-get install iproute2 ethtool tcpdump iputils-ping util-linux gcc pkg-config libusrsctp-dev)`;
  return undefined;
}

/** Skips (printing why) on a developer machine; under CI a missing prerequisite is a failure. */
export function requireLive(): boolean {
  const reason = liveUnavailable();
  if (reason === undefined) return true;
  if (process.env.CI) throw new Error(`live data plane tests cannot run under CI: ${reason}`);
  process.stderr.write(`test/live: skipped: ${reason}\n`);
  return false;
}

export function run(cmd: string, args: readonly string[], opts: { allowFail?: boolean; input?: string } = {}): string {
  const result = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, timeout: 60_000 });
  if (result.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces of this prefix left by runs whose process is gone. */
export function sweepLeftovers(prefix = kPrefix): string[] {
  const swept: string[] = [];
  for (const line of run('ip', ['netns', 'list'], { allowFail: true }).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = new RegExp(`^${prefix}-(\\d+)-`).exec(name);
    if (!match || pidAlive(Number(match[1]))) continue;
    for (const dev of ['mA', 'mB']) run('ip', ['-n', name, 'link', 'set', 'dev', dev, 'xdp', 'off'], { allowFail: true });
    run('ip', ['netns', 'pids', name], { allowFail: true })
      .split('\n')
      .filter(Boolean)
      .forEach((pid) => {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      });
    run('ip', ['netns', 'del', name], { allowFail: true });
    swept.push(name);
  }
  return swept;
}

export interface Spawned {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface TopologyOptions {
  /** Create host B and the M<->B link (inline); otherwise A <-> M only (monitor). */
  withB: boolean;
  /** A and B joined by one veth, no M (checks of the rig itself). */
  direct?: boolean;
  /** RX/TX queues per veth (default: the veth default, 1 in use). */
  queues?: number;
}

/**
 * A <-> M [<-> B]. A: vA 10.77.0.1/24, B: vB 10.77.0.2/24, M: ports mA (facing A, role
 * external) and mB (facing B, role internal), up, no address. IPv6 is off everywhere so the
 * links carry only what a test sends (plus ARP). Sender offloads are off (RIG.md: checksum
 * offload leaves partial checksums a bridge forwards as they are).
 */
export class Topology {
  readonly id: string;
  readonly a: string;
  readonly m: string;
  readonly b: string;
  readonly scratch: string;
  readonly #processes = new Set<Spawned>();
  readonly withB: boolean;

  private constructor(opts: TopologyOptions) {
    this.id = `${kPrefix}-${process.pid}-${++sequence}`;
    this.a = `${this.id}-a`;
    this.m = `${this.id}-m`;
    this.b = `${this.id}-b`;
    this.withB = opts.withB;
    this.scratch = mkdtempSync(join(tmpdir(), `${this.id}-`));
  }

  static create(opts: TopologyOptions): Topology {
    const t = new Topology(opts);
    try {
      t.#build(opts);
    } catch (error) {
      t.destroy();
      throw error;
    }
    return t;
  }

  #build(opts: TopologyOptions): void {
    const spaces = opts.direct ? [this.a, this.b] : this.withB ? [this.a, this.m, this.b] : [this.a, this.m];
    for (const ns of spaces) {
      run('ip', ['netns', 'add', ns]);
      run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const queues = opts.queues ? ['numrxqueues', String(opts.queues), 'numtxqueues', String(opts.queues)] : [];
    if (opts.direct) run('ip', ['link', 'add', 'vA', 'netns', this.a, ...queues, 'type', 'veth', 'peer', 'name', 'vB', 'netns', this.b, ...queues]);
    else run('ip', ['link', 'add', 'vA', 'netns', this.a, ...queues, 'type', 'veth', 'peer', 'name', 'mA', 'netns', this.m, ...queues]);
    if (this.withB && !opts.direct) run('ip', ['link', 'add', 'vB', 'netns', this.b, ...queues, 'type', 'veth', 'peer', 'name', 'mB', 'netns', this.m, ...queues]);
    run('ip', ['-n', this.a, 'addr', 'add', `${kAddressA}/24`, 'dev', 'vA']);
    // tx off: no partial checksums for a bridge to forward as they are. gro on: a frame an XDP
    // program redirects into mA/mB (XDP_REDIRECT into a veth) is only delivered when the peer
    // (vA/vB) has GRO or an XDP program of its own (RIG.md §4, pitfall 5).
    run('ip', ['netns', 'exec', this.a, 'ethtool', '-K', 'vA', 'tx', 'off', 'gro', 'on'], { allowFail: true });
    run('ip', ['-n', this.a, 'link', 'set', 'vA', 'up']);
    if (this.withB) {
      run('ip', ['-n', this.b, 'addr', 'add', `${kAddressB}/24`, 'dev', 'vB']);
      run('ip', ['netns', 'exec', this.b, 'ethtool', '-K', 'vB', 'tx', 'off', 'gro', 'on'], { allowFail: true });
      run('ip', ['-n', this.b, 'link', 'set', 'vB', 'up']);
    } else {
      // Monitor: nobody answers A's ARP for B, so give A a neighbour entry.
      run('ip', ['-n', this.a, 'neigh', 'add', kAddressB, 'lladdr', '02:77:00:00:00:02', 'dev', 'vA', 'nud', 'permanent']);
    }
    for (const port of opts.direct ? [] : this.withB ? ['mA', 'mB'] : ['mA']) {
      run('ip', ['netns', 'exec', this.m, 'ethtool', '-K', port, 'gro', 'off'], { allowFail: true });
      run('ip', ['-n', this.m, 'link', 'set', port, 'up']);
    }
    // veth reports carrier only once both ends are up; traffic sent before that is lost.
    const ends: [string, string][] = [[this.a, 'vA']];
    if (this.withB) ends.push([this.b, 'vB']);
    const until = Date.now() + 5000;
    for (const [ns, dev] of ends) {
      while (run('ip', ['netns', 'exec', ns, 'cat', `/sys/class/net/${dev}/operstate`], { allowFail: true }).trim() !== 'up') {
        if (Date.now() > until) throw new Error(`${dev} in ${ns} did not come up`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  }

  /** Runs a command inside a namespace and waits for it. */
  exec(ns: string, cmd: string, args: readonly string[], opts: { allowFail?: boolean } = {}): string {
    return run('ip', ['netns', 'exec', ns, cmd, ...args], opts);
  }

  /** Starts a process inside a namespace; tracked and killed by destroy(). */
  spawn(ns: string, cmd: string, args: readonly string[], opts: { stdin?: boolean } = {}): Spawned {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const spawned: Spawned = {
      child,
      stdout: [],
      stderr: [],
      // 'close', not 'exit': by then every line the process wrote has been read.
      exited: new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal }))),
    };
    createInterface({ input: child.stdout! }).on('line', (line) => spawned.stdout.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => spawned.stderr.push(line));
    this.#processes.add(spawned);
    void spawned.exited.then(() => this.#processes.delete(spawned));
    return spawned;
  }

  /** Kills one process (SIGTERM, then SIGKILL after graceMs) and waits for it. */
  async kill(p: Spawned, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return p.exited;
    // `ip netns exec` execs the command, so the child's pid is the command's own pid.
    p.child.kill(signal);
    const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
    const result = await p.exited;
    clearTimeout(timer);
    return result;
  }

  /** Starts tcpdump on a namespace's interface writing a pcap; resolves once it listens. */
  async capture(ns: string, dev: string, name: string, filter: readonly string[] = []): Promise<{ stop: () => Promise<Uint8Array>; file: string }> {
    const file = join(this.scratch, `${name}.pcap`);
    const p = this.spawn(ns, 'tcpdump', ['-i', dev, '--immediate-mode', '-B', '65536', '-U', '-n', '-s', '0', '-w', file, ...filter]);
    await waitFor(() => p.stderr.some((line) => /listening on/.test(line)) || p.child.exitCode !== null, 10_000, `tcpdump on ${dev} in ${ns}`);
    if (p.child.exitCode !== null) throw new Error(`tcpdump on ${dev} in ${ns} failed: ${p.stderr.join('\n')}`);
    return {
      file,
      stop: async () => {
        // Let the last packets reach the file (immediate mode, -U flushes per packet): wait
        // until it has stopped growing for a while.
        let size = -1;
        for (let stable = 0; stable < 3; ) {
          await sleep(100);
          const now = existsSync(file) ? statSync(file).size : 0;
          stable = now === size ? stable + 1 : 0;
          size = now;
        }
        await this.kill(p, 'SIGINT');
        const dropped = p.stderr.map((line) => /(\d+) packets dropped by kernel/.exec(line)).find(Boolean);
        if (dropped && Number(dropped[1]) > 0) throw new Error(`tcpdump on ${dev} in ${ns} lost ${dropped[1]} packets: the capture is incomplete`);
        return existsSync(file) && statSync(file).size > 0 ? new Uint8Array(readFileSync(file)) : new Uint8Array(0);
      },
    };
  }

  /** Permanent ARP entries for each other in A and B: no ARP traffic during a counted test. */
  pinNeighbours(): void {
    const mac = (ns: string, dev: string) => this.exec(ns, 'cat', [`/sys/class/net/${dev}/address`]).trim();
    this.exec(this.a, 'ip', ['neigh', 'replace', kAddressB, 'lladdr', mac(this.b, 'vB'), 'dev', 'vA', 'nud', 'permanent']);
    this.exec(this.b, 'ip', ['neigh', 'replace', kAddressA, 'lladdr', mac(this.a, 'vA'), 'dev', 'vB', 'nud', 'permanent']);
  }

  /** Interface counters (/sys/class/net/<dev>/statistics) inside a namespace. */
  stat(ns: string, dev: string, counter: string): number {
    return Number(this.exec(ns, 'cat', [`/sys/class/net/${dev}/statistics/${counter}`]).trim());
  }

  /** Pings from one namespace; returns the number of replies. */
  ping(ns: string, address: string, count = 3, timeoutS = 1): number {
    const out = this.exec(ns, 'ping', ['-n', '-c', String(count), '-i', '0.2', '-W', String(timeoutS), address], { allowFail: true });
    const match = /(\d+) received/.exec(out);
    return match ? Number(match[1]) : 0;
  }

  /** XDP program attached to a port of M (`ip link` shows prog/xdp id), or undefined. */
  xdpProgram(dev: string): number | undefined {
    const out = this.exec(this.m, 'ip', ['-d', 'link', 'show', 'dev', dev], { allowFail: true });
    const match = /prog\/xdp id (\d+)/.exec(out);
    return match ? Number(match[1]) : undefined;
  }

  /** Kills every tracked process, detaches XDP from M's ports, deletes the namespaces. */
  async destroyAsync(): Promise<void> {
    await Promise.all([...this.#processes].map((p) => this.kill(p, 'SIGKILL', 1000)));
    this.destroy();
  }

  destroy(): void {
    for (const p of this.#processes) {
      try {
        p.child.kill('SIGKILL');
      } catch {
        // gone
      }
    }
    for (const dev of ['mA', 'mB']) run('ip', ['-n', this.m, 'link', 'set', 'dev', dev, 'xdp', 'off'], { allowFail: true });
    for (const ns of [this.a, this.m, this.b]) {
      // A process still inside (one we did not start cannot be, the names are ours) is killed.
      for (const pid of run('ip', ['netns', 'pids', ns], { allowFail: true }).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
      run('ip', ['netns', 'del', ns], { allowFail: true });
    }
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Builds test/rig/sctp-peer.c with gcc into a temporary directory named by the hash of the
 * source and flags: built once, reused by later runs and by suites running in parallel (each
 * build goes to its own file and is renamed into place, so nobody sees half a binary).
 */
export function buildSctpPeer(): string {
  const flags = run('pkg-config', ['--cflags', '--libs', 'usrsctp'], { allowFail: true }).trim();
  if (flags === '') throw new Error('usrsctp not found by pkg-config: apt-get install libusrsctp-dev');
  const source = join(kRoot, 'test/rig/sctp-peer.c');
  const hash = createHash('sha256').update(readFileSync(source)).update(flags).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `sigwall-sctp-peer-${hash}`);
  const binary = join(dir, 'sctp-peer');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}`;
  execFileSync('sh', ['-c', `gcc -O2 -Wall -Wextra -Werror -o '${partial}' '${source}' ${flags} -lpthread`], { stdio: 'pipe' });
  renameSync(partial, binary);
  return binary;
}

export interface PeerReport {
  role: 'server' | 'client';
  end: 'shutdown' | 'aborted' | 'timeout' | 'closed' | string;
  aspUp: boolean;
  aspActive: boolean;
  sent: number;
  sendFailures: number;
  received: number;
  unacked: number;
  elapsedMs: number;
  error: string;
}

export function peerReport(p: Spawned): PeerReport | undefined {
  for (const line of p.stderr) {
    if (line.startsWith('{"report":')) return (JSON.parse(line) as { report: PeerReport }).report;
  }
  return undefined;
}

/** Frames of a tcpdump pcap (Ethernet), SCTP-or-not agnostic. */
export { readCaptureFrames } from '../../src/inject/packets.js';
