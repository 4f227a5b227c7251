// Inline bridge throughput and added latency, all measured in one run on the same veth
// topology (A <-> M <-> B in network namespaces, RIG.md):
//   - the in-kernel XDP redirect baseline (bench/inline-xdp.c, compiled now with clang): mA -> mB
//     with no user space at all, what bridging costs when nothing is inspected;
//   - each live backend built into the addon (afxdp, afpacket) forwarding without inspection
//     (LiveEngine inspect: false: the forwarding-only rate);
//   - the same backend with full inspection (decode + classify with the FS.11 baseline).
// Traffic: the generated load capture's SCTP packets (`sigwall inject --write`), sent by
// bench/inline-pktgen.c (AF_PACKET sendmmsg) from A, pinned to CPU 0; the engine's worker is
// pinned to CPU 1; B drops everything with XDP (its stack would otherwise be the bottleneck).
// Throughput: frames handled per second = (delivered to B + not forwarded because the policy
// dropped them) / send time, at the highest rate the generator reaches; BENCH_RUNS rounds, each
// running every mode once (interleaved, so background load hits all modes alike).
// Latency: one-way A -> B, p50/p99, at BENCH_LOW_PPS and BENCH_HIGH_PPS (B's stack receives).
// Prints ratios: inspection / forwarding-only per backend (target: inspection costs <= 10% of
// the forwarding-only rate, i.e. ratio >= 0.90), and every mode against the XDP baseline.
// Needs root, clang, gcc, ethtool, a built addon (npm run build) and dist/ (npm run build:ts).
//   BENCH_SECONDS  send time per throughput run (default 3)    BENCH_RUNS  rounds (default 5)
//   BENCH_LOW_PPS  (default 1000)    BENCH_HIGH_PPS  (default 20000)    BENCH_BACKENDS  e.g. afpacket
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const lowPps = Number(process.env.BENCH_LOW_PPS ?? 1000);
const highPps = Number(process.env.BENCH_HIGH_PPS ?? 20000);
const id = `swbench-${process.pid}`;
const ns = { a: `${id}-a`, m: `${id}-m`, b: `${id}-b` };
const scratch = mkdtempSync(join(tmpdir(), `${id}-`));
const children = new Set();

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}
const inNs = (n, cmd, args, opts) => sh('ip', ['netns', 'exec', n, cmd, ...args], opts);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function cleanup() {
  for (const child of children) child.kill('SIGKILL');
  for (const [n, devs] of [[ns.m, ['mA', 'mB']], [ns.b, ['vB']]]) for (const dev of devs) sh('ip', ['-n', n, 'link', 'set', 'dev', dev, 'xdp', 'off'], { allowFail: true });
  for (const n of Object.values(ns)) sh('ip', ['netns', 'del', n], { allowFail: true });
  rmSync(scratch, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { cleanup(); process.exit(130); });

function prerequisites() {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, XDP, AF_PACKET)';
  for (const tool of ['ip', 'ethtool', 'clang', 'gcc']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `missing ${tool}`;
  return undefined;
}

function topology() {
  for (const n of Object.values(ns)) {
    sh('ip', ['netns', 'add', n]);
    inNs(n, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  }
  sh('ip', ['link', 'add', 'vA', 'netns', ns.a, 'type', 'veth', 'peer', 'name', 'mA', 'netns', ns.m]);
  sh('ip', ['link', 'add', 'vB', 'netns', ns.b, 'type', 'veth', 'peer', 'name', 'mB', 'netns', ns.m]);
  sh('ip', ['-n', ns.a, 'addr', 'add', '10.77.0.1/24', 'dev', 'vA']);
  sh('ip', ['-n', ns.b, 'addr', 'add', '10.77.0.2/24', 'dev', 'vB']);
  inNs(ns.a, 'ethtool', ['-K', 'vA', 'tx', 'off', 'gro', 'on'], { allowFail: true });
  inNs(ns.b, 'ethtool', ['-K', 'vB', 'tx', 'off', 'gro', 'on'], { allowFail: true });
  for (const [n, dev] of [[ns.a, 'vA'], [ns.b, 'vB'], [ns.m, 'mA'], [ns.m, 'mB']]) sh('ip', ['-n', n, 'link', 'set', dev, 'up']);
  inNs(ns.m, 'ethtool', ['-K', 'mA', 'gro', 'off'], { allowFail: true });
  inNs(ns.m, 'ethtool', ['-K', 'mB', 'gro', 'off'], { allowFail: true });
}

const mac = (n, dev) => inNs(n, 'cat', [`/sys/class/net/${dev}/address`]).trim();

function xdpDrops() {
  const stats = inNs(ns.b, 'ethtool', ['-S', 'vB']);
  return [...stats.matchAll(/rx_queue_\d+_xdp_drops: (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

function pktgen(args) {
  const out = sh(join(scratch, 'pktgen'), ['--frames', join(scratch, 'frames.pcap'), '--tx-ns', ns.a, '--tx-if', 'vA', '--dst-mac', mac(ns.b, 'vB'), '--cpu', '0', ...args]);
  return JSON.parse(out);
}

class Engine {
  constructor() {
    this.child = spawn('ip', ['netns', 'exec', ns.m, process.execPath, join(root, 'test/live/engine-driver.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.add(this.child);
    this.pending = new Map();
    this.next = 0;
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line);
      const waiter = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (answer.ok) waiter?.resolve(answer.result);
      else waiter?.reject(new Error(`${answer.error.code}: ${answer.error.message}`));
    });
  }
  request(cmd, args = {}) {
    const requestId = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.child.stdin.write(JSON.stringify({ id: requestId, cmd, ...args }) + '\n');
    });
  }
  async stop() {
    await this.request('stop');
    this.child.stdin.end();
    await new Promise((resolve) => this.child.once('exit', resolve));
    children.delete(this.child);
  }
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

// One throughput run: B drops everything with XDP; the generator sends as fast as it can for
// `seconds`. Frames handled = delivered to B + not forwarded because the policy dropped them.
async function throughput(counters) {
  sh('ip', ['-n', ns.b, 'link', 'set', 'dev', 'vB', 'xdpdrv', 'obj', join(scratch, 'xdp.o'), 'sec', 'xdp_drop']);
  try {
    const before = xdpDrops();
    const c0 = counters ? await counters() : undefined;
    const sent = pktgen(['--seconds', String(seconds)]);
    await sleep(300);
    const delivered = xdpDrops() - before;
    const c1 = counters ? await counters() : undefined;
    const policyDrops = c1 ? c1.droppedPackets - c0.droppedPackets : 0;
    const ringDrops = c1 ? c1.ringDrops - c0.ringDrops : 0;
    return { pps: (delivered + policyDrops) / sent.elapsed, offered: sent.offeredPps, delivered, policyDrops, ringDrops };
  } finally {
    sh('ip', ['-n', ns.b, 'link', 'set', 'dev', 'vB', 'xdp', 'off']);
  }
}

// One-way latency A -> B at the low and the high rate; B's stack receives (GRO on vB keeps
// frames redirected into mB deliverable).
function latency() {
  const result = {};
  for (const [name, pps] of [['low', lowPps], ['high', highPps]]) {
    const r = pktgen(['--rx-ns', ns.b, '--rx-if', 'vB', '--rate', String(pps), '--count', String(Math.max(2000, Math.round(pps * 2)))]);
    result[name] = { pps, p50: r.p50us, p99: r.p99us, received: r.received, sent: r.sent };
  }
  return result;
}

// Runs `body` with the mode set up: the XDP redirect on mA, or an engine in M.
async function withMode(mode, table, body) {
  if (mode.kind === 'xdp') {
    sh('ip', ['-n', ns.m, 'link', 'set', 'dev', 'mA', 'xdpdrv', 'obj', join(scratch, 'xdp.o'), 'sec', 'xdp_redirect']);
    try {
      return await body(undefined);
    } finally {
      sh('ip', ['-n', ns.m, 'link', 'set', 'dev', 'mA', 'xdp', 'off']);
    }
  }
  const engine = new Engine();
  const config = {
    mode: 'inline',
    backend: mode.backend,
    ports: [{ interface: 'mA', role: 'external' }, { interface: 'mB', role: 'internal' }],
    workers: 1,
    cpus: [1],
    rings: { frames: 4096, batch: 64, events: 4096 },
  };
  await engine.request('start', { config, table, inspect: mode.inspect, dataDir: join(scratch, `data-${mode.key}-${engine.child.pid}`) });
  try {
    return await body(() => engine.request('counters'));
  } finally {
    await engine.stop();
  }
}

async function main() {
  const missing = prerequisites();
  if (missing) {
    process.stderr.write(`bench/inline: ${missing}\n`);
    process.exit(2);
  }
  const { liveAddon } = await import(join(root, 'dist/dataplane/live-native.js'));
  const built = liveAddon().liveBackends();
  const wanted = (process.env.BENCH_BACKENDS ?? 'afxdp,afpacket').split(',');
  const backends = wanted.filter((b) => built[b]);
  for (const b of wanted.filter((b) => !built[b])) process.stdout.write(`(${b}: not built into the addon, skipped)\n`);

  execFileSync('gcc', ['-O2', '-Wall', '-o', join(scratch, 'pktgen'), join(root, 'bench/inline-pktgen.c'), '-lpthread']);
  sh(process.execPath, [join(root, 'bin/sigwall.js'), 'inject', 'load:20000', '--src', '10.77.0.1', '--dst', '10.77.0.2', '--only', 'sctp', '--dry-run', '--write', join(scratch, 'frames.pcap')]);
  sh(process.execPath, [join(root, 'bin/sigwall.js'), 'compile', join(root, 'firmware-config/policies/fs11-baseline.ts'), '-o', join(scratch, 'table.bin')]);
  const table = sh('base64', ['-w0', join(scratch, 'table.bin')]).trim();
  topology();
  const mbIndex = inNs(ns.m, 'cat', ['/sys/class/net/mB/ifindex']).trim();
  execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', `-DREDIRECT_IFINDEX=${mbIndex}`, '-c', join(root, 'bench/inline-xdp.c'), '-o', join(scratch, 'xdp.o')]);
  process.stdout.write(`inline bridge, veth A -> M -> B, ${runs} rounds of ${seconds} s per mode, generator on CPU 0, worker on CPU 1\n`);
  // Every mode shares the machine's CPUs with whatever else runs: say how busy it was.
  const busy = () => `load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`;
  process.stdout.write(`at start: ${busy()}${loadavg()[0] > cpus().length / 2 ? ' (other work is running: rates and tails will be noisy)' : ''}\n`);

  const modes = [{ key: 'xdp', kind: 'xdp', label: 'xdp redirect (kernel)' }];
  for (const backend of backends) {
    for (const inspect of [false, true]) modes.push({ key: `${backend}-${inspect}`, kind: 'engine', backend, inspect, label: `${backend} ${inspect ? 'inspect' : 'forward only'}` });
  }
  // Rounds interleave the modes, so load from elsewhere on the machine drifts over all of them
  // alike; the ratios are taken within a round, then the median over the rounds.
  const results = Object.fromEntries(modes.map((mode) => [mode.key, { label: mode.label, runs: [] }]));
  for (let round = 0; round < runs; round++) {
    for (const mode of modes) results[mode.key].runs.push(await withMode(mode, table, (counters) => throughput(counters)));
  }
  for (const mode of modes) {
    const r = results[mode.key];
    r.pps = median(r.runs.map((run) => run.pps));
    r.latency = await withMode(mode, table, () => latency());
    const { low, high } = r.latency;
    process.stdout.write(
      `${mode.label.padEnd(24)} ${Math.round(r.pps).toLocaleString('en-US').padStart(9)} pps (median; rounds ${r.runs.map((x) => Math.round(x.pps / 1000) + 'k').join(' ')}; offered ${r.runs.map((x) => Math.round(x.offered / 1000) + 'k').join(' ')}; ring drops ${r.runs.map((x) => x.ringDrops).join(' ')}, policy drops ${r.runs.map((x) => x.policyDrops).join(' ')})` +
        `  latency p50/p99 µs: ${low.pps} pps ${low.p50}/${low.p99} (${low.received}/${low.sent} arrived), ${high.pps} pps ${high.p50}/${high.p99} (${high.received}/${high.sent})\n`,
    );
  }

  process.stdout.write(`at end: ${busy()}\n\nratios (median over the rounds of the ratio within each round)\n`);
  const roundRatios = (a, b) => median(results[a].runs.map((run, i) => run.pps / results[b].runs[i].pps));
  let failed = false;
  for (const backend of backends) {
    const ratio = roundRatios(`${backend}-true`, `${backend}-false`);
    const perRound = results[`${backend}-true`].runs.map((run, i) => (run.pps / results[`${backend}-false`].runs[i].pps).toFixed(2)).join(' ');
    const ok = ratio >= 0.9;
    failed ||= !ok;
    process.stdout.write(
      `${backend}: inspect / forward-only = ${ratio.toFixed(3)} (rounds ${perRound}; inspection costs ${((1 - ratio) * 100).toFixed(1)}% of the forwarding rate; target <= 10%: ${ok ? 'met' : 'NOT met'});` +
        ` forward-only / xdp redirect = ${roundRatios(`${backend}-false`, 'xdp').toFixed(3)}; inspect / xdp redirect = ${roundRatios(`${backend}-true`, 'xdp').toFixed(3)}\n`,
    );
    for (const load of ['low', 'high']) {
      const f = results[`${backend}-false`].latency[load];
      const i = results[`${backend}-true`].latency[load];
      const x = results.xdp.latency[load];
      process.stdout.write(`  latency at ${f.pps} pps: added by inspection p50 ${(i.p50 - f.p50).toFixed(1)} µs, p99 ${(i.p99 - f.p99).toFixed(1)} µs; added over xdp redirect p50 ${(i.p50 - x.p50).toFixed(1)} µs, p99 ${(i.p99 - x.p99).toFixed(1)} µs\n`);
    }
  }
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(join(root, 'build', 'bench-inline.json'), JSON.stringify(results, null, 1) + '\n');
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  process.stderr.write(`bench/inline: ${error.stack ?? error}\n`);
} finally {
  cleanup();
}
process.exit(code);
