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
// Also prints the worker's own code per frame without io (bench/inline-worker.cc), and from it the
// best ratio a worker-bound bridge can reach.
// Needs root, clang, gcc, g++, ethtool, a built addon (npm run build) and dist/ (npm run build:ts).
//   BENCH_SECONDS  send time per throughput run (default 3)    BENCH_RUNS  rounds (default 5)
//   BENCH_LOW_PPS  (default 1000)    BENCH_HIGH_PPS  (default 20000)    BENCH_BACKENDS  e.g. afpacket
//   BENCH_IDLE_SPIN_US  afxdp rings.idleSpinMicroseconds (default: the appliance default, 20)
//   BENCH_NICE     nice value of the generator and the workers in every mode (default -20; 0: unchanged)
//   BENCH_PROFILE  a directory: `perf record -C <worker CPU> -e cpu-clock -g` during every
//                  throughput run, one file per mode and round (read with `perf report -i`)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('..', import.meta.url).pathname;
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const lowPps = Number(process.env.BENCH_LOW_PPS ?? 1000);
const highPps = Number(process.env.BENCH_HIGH_PPS ?? 20000);
const profileDir = process.env.BENCH_PROFILE;
const idleSpin = process.env.BENCH_IDLE_SPIN_US === undefined ? undefined : Number(process.env.BENCH_IDLE_SPIN_US);
const workerCpu = 1;
// The generator and the engine's workers run at this nice value in every mode: on a machine
// shared with other work (builds, tests), the default priority lets whatever else is runnable on
// the worker's CPU take a share of it that differs from mode to mode and round to round, and the
// rates then measure that share instead of the bridge. 0 leaves priorities alone.
// With sched_autogroup (Debian's default) nice only orders tasks within one session, and every
// session gets an equal share of a CPU: so the generator and the engine each run in a session of
// their own (setsid) whose autogroup gets the same nice value (/proc/PID/autogroup, sched(7)).
const niceness = Number(process.env.BENCH_NICE ?? -20);
const autogroupNice = `echo ${niceness} > /proc/self/autogroup 2>/dev/null; exec nice -n ${niceness} "$@"`;
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
  for (const tool of ['ip', 'ethtool', 'clang', 'gcc', 'g++']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `missing ${tool}`;
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
  const out = sh('setsid', ['-w', 'sh', '-c', autogroupNice, 'pktgen', join(scratch, 'pktgen'), '--frames', join(scratch, 'frames.pcap'), '--tx-ns', ns.a, '--tx-if', 'vA', '--dst-mac', mac(ns.b, 'vB'), '--cpu', '0', ...args]);
  return JSON.parse(out);
}

class Engine {
  constructor() {
    // detached: a session (and autogroup) of its own, see `niceness`.
    this.child = spawn('sh', ['-c', autogroupNice, 'engine', 'ip', 'netns', 'exec', ns.m, process.execPath, join(root, 'test/live/engine-driver.mjs')], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
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

// Where the worker's CPU went, from schedstat (ns, exact rather than tick-sampled): time on the
// CPU and time runnable but waiting for it, summed over the engine's worker threads (named
// sigwall-w<N> by the engine), plus the worker CPU's ksoftirqd (receive work the worker's own
// syscalls left over). "Waiting" says how much of the rate was lost to other tasks on that CPU.
// CPU per frame is the worker's cost only while it is saturated (on the CPU ~100 % with ring
// drops): a worker with time to spare spends it on smaller bursts and on idle polling.
function readSched(path) {
  try {
    const [run, wait] = readFileSync(path, 'utf8').split(' ').map(Number);
    return { run, wait };
  } catch {
    return { run: 0, wait: 0 };
  }
}
function workerTids(pid) {
  return readdirSync(`/proc/${pid}/task`).filter((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').startsWith('sigwall-w');
    } catch {
      return false;
    }
  });
}
function workerSched(pid) {
  const total = { run: 0, wait: 0 };
  for (const tid of workerTids(pid)) {
    const { run, wait } = readSched(`/proc/${pid}/task/${tid}/schedstat`);
    total.run += run;
    total.wait += wait;
  }
  return total;
}
let ksoftirqdPid;
function ksoftirqdCpuNs() {
  if (ksoftirqdPid === undefined) {
    ksoftirqdPid = null;
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === `ksoftirqd/${workerCpu}`) ksoftirqdPid = pid;
      } catch {}
    }
  }
  return ksoftirqdPid ? readSched(`/proc/${ksoftirqdPid}/schedstat`).run : 0;
}

// The worker's own code per frame without io (bench/inline-worker.cc, built against the addon's
// static core library), on the frames this bench sends: what inspection itself costs, free of
// the kernel, the rings and other tasks. Undefined when the library is not there.
function measureWorkerCode() {
  const library = join(root, 'build/native/libsigwall_core.a');
  if (spawnSync('test', ['-f', library]).status !== 0) {
    process.stdout.write(`(worker code alone: ${library} not found, skipped)\n`);
    return undefined;
  }
  const binary = join(scratch, 'inline-worker');
  execFileSync('g++', ['-O2', '-std=c++20', '-I', join(root, 'native'), join(root, 'bench/inline-worker.cc'), library, '-lpthread', '-o', binary]);
  const result = JSON.parse(sh(binary, [join(scratch, 'frames.pcap'), join(scratch, 'table.bin'), '10']));
  process.stdout.write(
    `worker code alone (no io, bench/inline-worker.cc): forward-only ${result.forwardNsPerFrame} ns/frame, inspect ${result.inspectNsPerFrame} ns/frame` +
      ` (${result.messagesPerFrame} messages/frame): inspection itself costs ${(result.inspectNsPerFrame - result.forwardNsPerFrame).toFixed(1)} ns/frame\n`,
  );
  return result;
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

// One throughput run: B drops everything with XDP; the generator sends as fast as it can for
// `seconds`. Frames handled = delivered to B + not forwarded because the policy dropped them.
async function throughput(counters, profileName, enginePid) {
  sh('ip', ['-n', ns.b, 'link', 'set', 'dev', 'vB', 'xdpdrv', 'obj', join(scratch, 'xdp.o'), 'sec', 'xdp_drop']);
  let profiler;
  try {
    const before = xdpDrops();
    const c0 = counters ? await counters() : undefined;
    const sched0 = enginePid ? workerSched(enginePid) : { run: 0, wait: 0 };
    const soft0 = ksoftirqdCpuNs();
    if (profileDir) {
      // A call-graph profile of the worker's CPU (user and kernel) over this run only.
      profiler = spawn('perf', ['record', '-q', '-C', String(workerCpu), '-e', 'cpu-clock', '-g', '-o', join(profileDir, `${profileName}.data`)], { stdio: 'ignore' });
      children.add(profiler);
      await sleep(200);
    }
    const sent = pktgen(['--seconds', String(seconds)]);
    const sched1 = enginePid ? workerSched(enginePid) : { run: 0, wait: 0 };
    const soft1 = ksoftirqdCpuNs();
    if (profiler) {
      const exited = new Promise((resolve) => profiler.once('exit', resolve));
      profiler.kill('SIGINT');
      await exited;
      children.delete(profiler);
    }
    await sleep(300);
    const delivered = xdpDrops() - before;
    const c1 = counters ? await counters() : undefined;
    const policyDrops = c1 ? c1.droppedPackets - c0.droppedPackets : 0;
    const ringDrops = c1 ? c1.ringDrops - c0.ringDrops : 0;
    const handled = delivered + policyDrops;
    const workerNs = sched1.run - sched0.run;
    const softirqNs = soft1 - soft0;
    return { pps: handled / sent.elapsed, offered: sent.offeredPps, delivered, policyDrops, ringDrops, workerNs, softirqNs, cpuNsPerFrame: handled ? (workerNs + softirqNs) / handled : 0, busy: workerNs / (sent.elapsed * 1e9), waited: (sched1.wait - sched0.wait) / (sent.elapsed * 1e9) };
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
    cpus: [workerCpu],
    rings: { frames: 4096, batch: 64, events: 4096, ...(idleSpin !== undefined ? { idleSpinMicroseconds: idleSpin } : {}) },
  };
  await engine.request('start', { config, table, inspect: mode.inspect, dataDir: join(scratch, `data-${mode.key}-${engine.child.pid}`) });
  const workers = workerTids(engine.child.pid);
  if (workers.length === 0) throw new Error('no sigwall-w* worker thread found in the engine process');
  if (niceness !== 0) for (const tid of workers) setPriority(Number(tid), niceness);
  try {
    return await body(() => engine.request('counters'), engine.child.pid);
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
  const workerCode = measureWorkerCode();
  topology();
  const mbIndex = inNs(ns.m, 'cat', ['/sys/class/net/mB/ifindex']).trim();
  execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', `-DREDIRECT_IFINDEX=${mbIndex}`, '-c', join(root, 'bench/inline-xdp.c'), '-o', join(scratch, 'xdp.o')]);
  process.stdout.write(`inline bridge, veth A -> M -> B, ${runs} rounds of ${seconds} s per mode, generator on CPU 0, worker on CPU ${workerCpu}, both at nice ${niceness}\n`);
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
    for (const mode of modes) results[mode.key].runs.push(await withMode(mode, table, (counters, pid) => throughput(counters, `${mode.key}-${round}`, pid)));
  }
  for (const mode of modes) {
    const r = results[mode.key];
    r.pps = median(r.runs.map((run) => run.pps));
    r.latency = await withMode(mode, table, () => latency());
    const { low, high } = r.latency;
    process.stdout.write(
      `${mode.label.padEnd(24)} ${Math.round(r.pps).toLocaleString('en-US').padStart(9)} pps (median; rounds ${r.runs.map((x) => Math.round(x.pps / 1000) + 'k').join(' ')}; offered ${r.runs.map((x) => Math.round(x.offered / 1000) + 'k').join(' ')}; ring drops ${r.runs.map((x) => x.ringDrops).join(' ')}, policy drops ${r.runs.map((x) => x.policyDrops).join(' ')})` +
        (mode.kind === 'engine' ? `  worker CPU ${Math.round(median(r.runs.map((x) => x.cpuNsPerFrame)))} ns/frame (rounds ${r.runs.map((x) => Math.round(x.cpuNsPerFrame)).join(' ')}; ksoftirqd share ${r.runs.map((x) => Math.round((100 * x.softirqNs) / Math.max(1, x.workerNs + x.softirqNs)) + '%').join(' ')}; worker on CPU ${r.runs.map((x) => Math.round(100 * x.busy) + '%').join(' ')}, runnable but waiting for it ${r.runs.map((x) => Math.round(100 * x.waited) + '%').join(' ')} of the send time)\n${''.padEnd(24)}` : '') +
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
    // The same comparison in CPU time per frame on the worker's CPU: the ratio of the rates a
    // saturated worker reaches with that CPU to itself (see readSched for when it applies).
    const cpuRatio = median(results[`${backend}-false`].runs.map((run, i) => run.cpuNsPerFrame / results[`${backend}-true`].runs[i].cpuNsPerFrame));
    const cpuAdded = median(results[`${backend}-true`].runs.map((run, i) => run.cpuNsPerFrame - results[`${backend}-false`].runs[i].cpuNsPerFrame));
    process.stdout.write(`  worker CPU per frame: forward-only / inspect = ${cpuRatio.toFixed(3)} (inspection adds ${Math.round(cpuAdded)} ns/frame)\n`);
    if (workerCode) {
      // A worker-bound bridge reaches at best forward / (forward + inspection) of its forward-only
      // rate, forward being the worker CPU's cost per frame without inspection (kernel, rings, the
      // worker's forwarding code). It is taken as the inspect run's cost minus inspection: that
      // worker is the busier one (full bursts, no idle polling), so its io cost is not inflated.
      const inspectionNs = workerCode.inspectNsPerFrame - workerCode.forwardNsPerFrame;
      const forwardNs = median(results[`${backend}-true`].runs.map((run) => run.cpuNsPerFrame)) - inspectionNs;
      process.stdout.write(
        `  ceiling when the worker is the bottleneck: forward ${forwardNs.toFixed(0)} ns/frame / (forward + inspection ${inspectionNs.toFixed(0)} ns/frame) = ${(forwardNs / (forwardNs + inspectionNs)).toFixed(3)};` +
          ` 0.90 needs inspection <= ${(forwardNs / 9).toFixed(0)} ns/frame\n`,
      );
    }
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
