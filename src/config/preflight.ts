// Checks an appliance configuration against the machine before anything starts: the ports exist,
// are up and have the queues named, the process has the privileges its backend needs, offloads
// that break an inline bridge are off, the files it names exist, the data directory is writable.
// Every problem is reported together, each with its fix, so an operator corrects them in one
// pass (SIGWALL_ERR_CONFIG). Warnings (a port without carrier, a stale sigwall XDP program that
// start will replace) are returned but do not stop the start.
//
// Where the facts come from is injectable (sys and proc roots, ethtool and ip readers, the
// addon's backend list), so tests run against fake machines.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SigwallError } from '../errors.js';
import type { ApplianceConfig } from './appliance.js';

// Linux capability numbers (include/uapi/linux/capability.h).
export const Capability = { NET_ADMIN: 12, NET_RAW: 13, IPC_LOCK: 14, SYS_ADMIN: 21, BPF: 39 } as const;
type CapabilityName = keyof typeof Capability;

const kIffUp = 0x1; // include/uapi/linux/if.h
// The UMEM frame size the afxdp backend uses per ring frame (RIG.md: 2048-byte frames, one UMEM
// per socket, fill + TX halves).
export const kAfxdpFrameBytes = 2048;
// The program a crashed sigwall run can leave on a port: the project's own (native/bpf/, its name
// starts with "sigwall"; BPF names are cut at 15 characters). libxdp's default XSK program
// (xsk_def_prog) is someone else's: the afxdp backend refuses to replace it, so preflight does too.
const kSigwallXdpProgram = /^sigwall/;

export interface XdpProgramInfo {
  id: number;
  name: string;
}

export interface PreflightMachine {
  sysRoot: string; // '/sys'
  procRoot: string; // '/proc'
  // Offload features of an interface by ethtool name ('generic-receive-offload' -> true when
  // on); undefined when they cannot be read (no ethtool).
  offloads(interfaceName: string): Map<string, boolean> | undefined;
  // XDP programs attached to an interface; undefined when they cannot be read (no iproute2).
  xdpPrograms(interfaceName: string): XdpProgramInfo[] | undefined;
  // Backends the loaded addon was built with; undefined when the addon cannot tell.
  builtBackends(): readonly string[] | undefined;
}

export interface PreflightIssue {
  severity: 'error' | 'warning';
  path: string; // where in the configuration: "ports[0].interface", "dataDir", "" for the process
  problem: string;
  fix: string;
}

export interface PreflightReport {
  errors: PreflightIssue[];
  warnings: PreflightIssue[];
}

function runTool(file: string, args: string[]): string | undefined {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
  } catch {
    return undefined;
  }
}

// `ethtool -k` lines: "generic-receive-offload: on" (optionally " [fixed]").
export function parseEthtoolFeatures(text: string): Map<string, boolean> {
  const features = new Map<string, boolean>();
  for (const line of text.split('\n')) {
    const match = /^\s*([a-z0-9-]+): (on|off)\b/.exec(line);
    if (match) features.set(match[1]!, match[2] === 'on');
  }
  return features;
}

// `ip -j -d link show dev X`: xdp.prog (one program; iproute2 also repeats it in xdp.attached)
// and xdp.attached[].prog (one per attach mode, or libxdp's dispatcher), each program once.
export function parseIpLinkXdp(json: string): XdpProgramInfo[] {
  const links = JSON.parse(json) as { xdp?: { prog?: { id?: number; name?: string }; attached?: { prog?: { id?: number; name?: string } }[] } }[];
  const programs = new Map<number, XdpProgramInfo>();
  for (const link of links) {
    const candidates = [link.xdp?.prog, ...(link.xdp?.attached ?? []).map((entry) => entry.prog)];
    for (const prog of candidates) if (prog?.id !== undefined && !programs.has(prog.id)) programs.set(prog.id, { id: prog.id, name: prog.name ?? '' });
  }
  return [...programs.values()];
}

export function hostMachine(builtBackends: () => readonly string[] | undefined = () => undefined): PreflightMachine {
  return {
    sysRoot: '/sys',
    procRoot: '/proc',
    offloads(name) {
      const text = runTool('ethtool', ['-k', name]);
      return text === undefined ? undefined : parseEthtoolFeatures(text);
    },
    xdpPrograms(name) {
      const text = runTool('ip', ['-j', '-d', 'link', 'show', 'dev', name]);
      if (text === undefined) return undefined;
      try {
        return parseIpLinkXdp(text);
      } catch {
        return undefined;
      }
    },
    builtBackends,
  };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

// /sys/devices/system/cpu/online: "0-3,6,8-9".
export function parseCpuList(text: string): Set<number> {
  const cpus = new Set<number>();
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    for (let cpu = from; cpu <= (to ?? from); cpu++) cpus.add(cpu);
  }
  return cpus;
}

// CapEff from /proc/<self>/status, as a bigint bitmask; undefined when unreadable.
function effectiveCapabilities(procRoot: string): bigint | undefined {
  const status = readText(join(procRoot, 'self', 'status'));
  const match = status === undefined ? null : /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(status);
  return match ? BigInt(`0x${match[1]}`) : undefined;
}

// The soft "Max locked memory" limit in bytes from /proc/<self>/limits (undefined: unlimited or unreadable).
function memlockLimit(procRoot: string): number | undefined {
  const limits = readText(join(procRoot, 'self', 'limits'));
  const match = limits === undefined ? null : /^Max locked memory\s+(\S+)/m.exec(limits);
  if (!match || match[1] === 'unlimited') return undefined;
  const bytes = Number(match[1]);
  return Number.isFinite(bytes) ? bytes : undefined;
}

function rxQueues(sysRoot: string, name: string): number[] | undefined {
  try {
    return readdirSync(join(sysRoot, 'class', 'net', name, 'queues'))
      .map((entry) => /^rx-(\d+)$/.exec(entry))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => a - b);
  } catch {
    return undefined;
  }
}

function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(bytes % (1 << 20) === 0 ? 0 : 1)} MiB`;
}

export function preflight(config: ApplianceConfig, machine: PreflightMachine = hostMachine()): PreflightReport {
  const errors: PreflightIssue[] = [];
  const warnings: PreflightIssue[] = [];
  const error = (path: string, problem: string, fix: string) => errors.push({ severity: 'error', path, problem, fix });
  const warning = (path: string, problem: string, fix: string) => warnings.push({ severity: 'warning', path, problem, fix });
  const netDir = join(machine.sysRoot, 'class', 'net');
  const live = config.mode !== 'offline';

  // Files the configuration names.
  const readable = (path: string, at: string, what: string, fix: string) => {
    try {
      if (!statSync(path).isFile()) return error(at, `${what} ${path} is not a file`, fix);
      accessSync(path, constants.R_OK);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      error(at, `${what} ${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (cause as Error).message})`}`, fix);
    }
  };
  readable(config.policy, 'policy', 'the policy', 'point policy at a policy file (.ts, .yaml or .json; relative paths are from the configuration file)');
  if (config.replay) readable(config.replay.capture, 'replay.capture', 'the capture', 'point replay.capture at a pcap or pcapng file (relative to the configuration file)');
  if (config.api.tcp) readable(config.api.tcp.tokenFile, 'api.tcp.tokenFile', 'the API token file', 'create it with one line holding the bearer token, mode 0600');
  if (config.events.saltFile !== undefined) readable(config.events.saltFile, 'events.saltFile', 'the salt file', 'create it with random bytes, e.g. `head -c 32 /dev/urandom > <file>`, mode 0600');

  // The data directory: writable, or creatable under its nearest existing ancestor.
  {
    let directory = config.dataDir;
    for (;;) {
      let isDirectory: boolean | undefined;
      try {
        isDirectory = statSync(directory).isDirectory();
      } catch {
        isDirectory = undefined;
      }
      if (isDirectory === false) {
        error('dataDir', `${directory} is not a directory${directory === config.dataDir ? '' : ` (on the way to ${config.dataDir})`}`, 'point dataDir at a directory sigwall may write to');
        break;
      }
      if (isDirectory === true) {
        try {
          accessSync(directory, constants.W_OK | constants.X_OK);
        } catch {
          error(
            'dataDir',
            directory === config.dataDir ? `the data directory ${directory} is not writable by this user` : `the data directory ${config.dataDir} does not exist and ${directory} is not writable to create it`,
            `create it and give it to the service user (e.g. \`install -d -o sigwall ${config.dataDir}\`), or point dataDir elsewhere`,
          );
        }
        break;
      }
      const parent = dirname(directory);
      if (parent === directory) break;
      directory = parent;
    }
  }

  // CPUs to pin to.
  if (config.cpus) {
    const online = readText(join(machine.sysRoot, 'devices', 'system', 'cpu', 'online'));
    if (online !== undefined) {
      const cpus = parseCpuList(online);
      for (const [i, cpu] of config.cpus.entries()) {
        if (!cpus.has(cpu)) error(`cpus[${i}]`, `CPU ${cpu} is not online on this machine (online: ${online.trim()})`, `pin to online CPUs only (${online.trim()}), or leave cpus out`);
      }
    }
  }

  // Backend built into the addon.
  if (config.backend === 'afxdp') {
    const built = machine.builtBackends();
    if (built !== undefined && !built.includes('afxdp')) {
      error(
        'backend',
        'the afxdp backend is not built into this sigwall (the build found no clang, libxdp or libbpf)',
        'install clang, libxdp-dev and libbpf-dev and rebuild (`npm run build:native`), or use backend afpacket',
      );
    }
  }

  // afpacket has no in-kernel fallback: while no engine is attached (start-up, restart, crash)
  // nothing is bridged, whatever failMode says. Said before start, not discovered at the first crash.
  if (config.backend === 'afpacket' && config.mode === 'inline' && config.failMode === 'open') {
    warning(
      'failMode',
      'failMode is open, but the afpacket backend has no in-kernel fallback: while no engine runs (start-up, restart, crash) the inline ports bridge nothing, SCTP or otherwise',
      'use backend afxdp, whose XDP program forwards while no engine runs (or a bypass NIC), or set failMode: closed to state what afpacket does',
    );
  }

  // Privileges.
  if (live) {
    const caps = effectiveCapabilities(machine.procRoot);
    const has = (name: CapabilityName) => caps !== undefined && (caps & (1n << BigInt(Capability[name]))) !== 0n;
    const needed: CapabilityName[] = config.backend === 'afxdp' ? ['NET_RAW', 'NET_ADMIN'] : ['NET_RAW'];
    const missing = needed.filter((name) => !has(name));
    // Loading the XDP program needs CAP_BPF (kernel 5.8+), or CAP_SYS_ADMIN which includes it.
    if (config.backend === 'afxdp' && !has('BPF') && !has('SYS_ADMIN')) missing.push('BPF');
    if (caps === undefined) {
      warning('', `cannot read the process capabilities from ${join(machine.procRoot, 'self', 'status')}`, 'make sure sigwall runs as root or with the capabilities its backend needs');
    } else if (missing.length > 0) {
      const list = missing.map((name) => `CAP_${name}`).join(', ');
      error(
        'backend',
        `backend ${config.backend} needs ${list}, which this process does not have (${config.backend === 'afxdp' ? 'AF_XDP sockets, attaching and loading the XDP program' : 'AF_PACKET sockets'})`,
        `run as root, or grant the capabilities: \`setcap ${[...needed, ...(config.backend === 'afxdp' ? ['BPF'] : [])].map((name) => `cap_${name.toLowerCase()}`).join(',')}+ep $(readlink -f $(which node))\` or AmbientCapabilities=${missing.map((name) => `CAP_${name}`).join(' ')} in the systemd unit`,
      );
    }

    // AF_XDP UMEM is locked memory: without CAP_IPC_LOCK it counts against RLIMIT_MEMLOCK.
    if (config.backend === 'afxdp' && caps !== undefined && !has('IPC_LOCK')) {
      const limit = memlockLimit(machine.procRoot);
      let sockets = 0;
      for (const port of config.ports) sockets += port.queues?.length ?? rxQueues(machine.sysRoot, port.interface)?.length ?? 1;
      const needBytes = sockets * config.rings.frames * kAfxdpFrameBytes;
      if (limit !== undefined && needBytes > limit) {
        error(
          'rings.frames',
          `AF_XDP needs ${mib(needBytes)} of locked memory (${sockets} socket(s) x ${config.rings.frames} frames x ${kAfxdpFrameBytes} bytes) but the memlock limit is ${mib(limit)} and the process lacks CAP_IPC_LOCK`,
          `grant CAP_IPC_LOCK (AmbientCapabilities=CAP_IPC_LOCK), raise the limit (LimitMEMLOCK= in the systemd unit), or lower rings.frames to ${Math.max(64, Math.floor(limit / (sockets * kAfxdpFrameBytes)))} or less`,
        );
      }
    }
  }

  // Ports.
  const ifindexes = new Map<string, number>();
  for (const [i, port] of config.ports.entries()) {
    const at = `ports[${i}]`;
    const name = port.interface;
    const dir = join(netDir, name);
    let exists = false;
    try {
      exists = statSync(dir).isDirectory();
    } catch {
      exists = false;
    }
    if (!exists) {
      let names: string[] = [];
      try {
        names = readdirSync(netDir).sort();
      } catch {
        names = [];
      }
      error(`${at}.interface`, `interface ${name} does not exist on this machine${names.length > 0 ? ` (interfaces: ${names.join(', ')})` : ''}`, 'name an existing interface (`ip link show`), or create it first');
      continue;
    }
    const ifindex = Number(readText(join(dir, 'ifindex'))?.trim());
    if (Number.isInteger(ifindex)) {
      const earlier = [...ifindexes].find(([, index]) => index === ifindex);
      if (earlier) error(`${at}.interface`, `interface ${name} is the same device as ${earlier[0]} (ifindex ${ifindex})`, 'give each port its own interface');
      ifindexes.set(name, ifindex);
    }

    const flags = Number.parseInt(readText(join(dir, 'flags'))?.trim() ?? '', 16);
    if (Number.isInteger(flags) && (flags & kIffUp) === 0) {
      error(`${at}.interface`, `interface ${name} is down`, `bring it up: \`ip link set dev ${name} up\``);
    } else {
      const operstate = readText(join(dir, 'operstate'))?.trim();
      if (operstate === 'down' || operstate === 'lowerlayerdown' || operstate === 'notpresent') {
        warning(`${at}.interface`, `interface ${name} is up but has no link (operstate ${operstate})`, 'check the cable, the SFP or the peer port; sigwall starts and sees traffic once the link comes up');
      }
    }

    const queues = rxQueues(machine.sysRoot, name);
    if (port.queues && queues !== undefined) {
      const absent = port.queues.filter((queue) => !queues.includes(queue));
      if (absent.length > 0) {
        error(
          `${at}.queues`,
          `interface ${name} has RX queue${queues.length === 1 ? '' : 's'} ${queues.join(', ')}; queue${absent.length === 1 ? '' : 's'} ${absent.join(', ')} do${absent.length === 1 ? 'es' : ''} not exist`,
          `name existing queues, leave queues out (every queue), or add queues: \`ethtool -L ${name} combined ${Math.max(...port.queues) + 1}\``,
        );
      }
      const seen = new Set<number>();
      for (const queue of port.queues) {
        if (seen.has(queue)) error(`${at}.queues`, `queue ${queue} of ${name} is listed twice`, 'list each queue once');
        seen.add(queue);
      }
    }

    // GRO/LRO merge frames beyond the MTU before a packet socket or AF_XDP sees them: an inline
    // bridge then cannot send them on (RIG.md: send() fails, TCP stalls).
    if (config.mode === 'inline') {
      const features = machine.offloads(name);
      if (features === undefined) {
        warning(`${at}.interface`, `cannot read the offloads of ${name} (is ethtool installed?); GRO must be off on inline ports`, `install ethtool, or check by hand: \`ethtool -k ${name} | grep receive-offload\``);
      } else {
        const on = ['generic-receive-offload', 'large-receive-offload', 'rx-gro-hw'].filter((feature) => features.get(feature) === true);
        if (on.length > 0) {
          const short: Record<string, string> = { 'generic-receive-offload': 'gro', 'large-receive-offload': 'lro', 'rx-gro-hw': 'rx-gro-hw' };
          error(
            `${at}.interface`,
            `${on.join(', ')} ${on.length === 1 ? 'is' : 'are'} on for inline port ${name}: merged frames larger than the MTU cannot be forwarded`,
            `\`ethtool -K ${name} ${on.map((feature) => `${short[feature]} off`).join(' ')}\``,
          );
        }
      }
    }

    if (config.backend === 'afxdp') {
      const programs = machine.xdpPrograms(name);
      for (const program of programs ?? []) {
        if (kSigwallXdpProgram.test(program.name)) {
          warning(`${at}.interface`, `a stale XDP program from an earlier sigwall run is attached to ${name} (id ${program.id}, ${program.name})`, 'nothing to do: start replaces it');
        } else {
          error(
            `${at}.interface`,
            `another XDP program is attached to ${name} (id ${program.id}${program.name === '' ? '' : `, ${program.name}`}); sigwall will not replace a program it did not load`,
            `detach it if it is not needed: \`ip link set dev ${name} xdp off\`, or use backend afpacket`,
          );
        }
      }
    }
  }
  return { errors, warnings };
}

export function formatPreflightIssue(file: string, issue: PreflightIssue): string {
  return `${file}: ${issue.path === '' ? '' : `${issue.path}: `}${issue.problem}\n    fix: ${issue.fix}`;
}

// Runs preflight and throws SIGWALL_ERR_CONFIG listing every error (with its fix) when there is
// one; returns the warnings otherwise.
export function assertPreflight(config: ApplianceConfig, file: string, machine?: PreflightMachine): PreflightIssue[] {
  const report = preflight(config, machine);
  if (report.errors.length > 0) {
    const lines = [...report.errors, ...report.warnings].map((issue) => (issue.severity === 'warning' ? 'warning: ' : '') + formatPreflightIssue(file, issue));
    throw new SigwallError('SIGWALL_ERR_CONFIG', `the machine is not ready for ${resolve(file)} (${report.errors.length} problem${report.errors.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, {
      file,
      issues: report.errors,
      warnings: report.warnings,
    });
  }
  return report.warnings;
}
