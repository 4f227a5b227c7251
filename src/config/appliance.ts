// The appliance configuration: what an operator writes (firmware-config/appliance/*.yaml) to say
// which ports sigwall uses and how, which policy it enforces, where it keeps its state and where
// the control API listens. This zod schema is the one source of its type; the data plane
// (issue 4: `sigwall run`) and the control plane (issue 5: API, events, `npm start`) both read
// the parsed, defaulted value. Checks against the machine (interfaces exist, capabilities,
// privileges) are a separate step (preflight), run before anything starts.
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { SigwallError } from '../errors.js';

const interfaceName = z
  .string()
  .min(1)
  .max(15) // IFNAMSIZ - 1
  .regex(/^[^\s/:]+$/, 'an interface name has no spaces, slashes or colons');

export const PortRole = z.enum(['external', 'internal', 'monitor']);

export const Port = z
  .object({
    interface: interfaceName,
    // external: faces the interconnect (ingress.side = external); internal: faces the home
    // network; monitor: a SPAN/TAP port whose traffic is judged but never forwarded (each
    // message's side then comes from `monitorSide`).
    role: PortRole,
    // RX queues to read (afxdp: one socket per queue; afpacket: a fanout group member per queue).
    // Omitted: every queue the interface has.
    queues: z.array(z.number().int().min(0).max(1023)).min(1).optional(),
  })
  .strict();
export type Port = z.infer<typeof Port>;

export const Replay = z
  .object({
    capture: z.string().min(1), // a pcap/pcapng file, relative to the config file
    // fast: as fast as the workers go; capture: at the capture's own timing; rate: packets per second.
    pace: z.enum(['fast', 'capture', 'rate']).default('capture'),
    rate: z.number().positive().optional(),
    loop: z.boolean().default(false), // start over at the end (a demo that keeps running)
    side: z.enum(['external', 'internal']).default('external'),
  })
  .strict()
  .refine((replay) => replay.pace !== 'rate' || replay.rate !== undefined, { message: 'pace "rate" needs rate (packets per second)', path: ['rate'] });

export const ApplianceConfig = z
  .object({
    name: z.string().min(1).default('sigwall'),
    // offline: replay a capture through the engine; monitor: judge and report, never forward;
    // inline: a transparent bridge between one external and one internal port.
    mode: z.enum(['offline', 'monitor', 'inline']),
    backend: z.enum(['pcap', 'afpacket', 'afxdp']),
    ports: z.array(Port).default([]),
    replay: Replay.optional(),
    // The side of messages seen on a monitor port (a TAP on the interconnect sees both; the
    // policy's ingress.side then comes from which SCTP endpoint is the home side).
    monitorSide: z.enum(['external', 'internal']).default('external'),
    workers: z.number().int().min(1).max(64).optional(), // default: one per RX queue
    cpus: z.array(z.number().int().min(0)).optional(), // pin worker i to cpus[i % cpus.length]
    rings: z
      .object({
        frames: z.number().int().min(64).max(1 << 20).default(4096), // per RX/TX ring or UMEM
        batch: z.number().int().min(1).max(1024).default(64), // packets per receive burst
        events: z.number().int().min(16).max(1 << 20).default(4096), // event slots per worker
        // afxdp: how long (µs) a worker whose RX rings ran dry keeps polling them before it sleeps.
        // Higher: less wakeup cost at high rates; lower: less idle CPU on sparse traffic (0: none).
        idleSpinMicroseconds: z.number().int().min(0).max(1000).default(20),
      })
      .strict()
      .default({ frames: 4096, batch: 64, events: 4096, idleSpinMicroseconds: 20 }),
    // When no engine is attached (crashed, stopping, starting), SCTP is forwarded (open) or
    // dropped (closed); everything that is not SCTP is always forwarded in inline mode.
    failMode: z.enum(['open', 'closed']).default('open'),
    decode: z
      .object({
        verifyCrc: z.boolean().default(true),
        mtp3Variant: z.enum(['itu', 'japan', 'ansi']).default('itu'),
        capSsns: z.array(z.number().int().min(0).max(255)).max(8).default([146]),
      })
      .strict()
      .default({ verifyCrc: true, mtp3Variant: 'itu', capSsns: [146] }),
    policy: z.string().min(1), // the policy loaded at start when the data directory has no applied version
    dataDir: z.string().min(1), // policy versions, audit log, events
    api: z
      .object({
        socket: z.string().min(1).default('sigwall.sock'), // relative: inside dataDir
        socketMode: z.number().int().min(0).max(0o777).default(0o600),
        tcp: z
          .object({
            host: z.enum(['127.0.0.1', '::1', 'localhost']).default('127.0.0.1'), // loopback only
            port: z.number().int().min(1).max(65535),
            tokenFile: z.string().min(1), // bearer token, one line; never logged
          })
          .strict()
          .optional(),
        bodyLimitBytes: z.number().int().min(1024).max(64 << 20).default(8 << 20),
      })
      .strict()
      .default({ socket: 'sigwall.sock', socketMode: 0o600, bodyLimitBytes: 8 << 20 }),
    events: z
      .object({
        file: z.boolean().default(true), // JSON lines in <dataDir>/events/
        maxFileBytes: z.number().int().min(4096).default(64 << 20),
        maxTotalBytes: z.number().int().min(4096).default(1 << 30),
        syslog: z.boolean().default(false),
        // Where syslog goes when `syslog` is on: RFC 5424 messages over UDP (RFC 5426, one per
        // datagram) or TCP (RFC 6587 octet counting), facility local0 (16) unless set.
        syslogTarget: z
          .object({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65535).default(514),
            transport: z.enum(['udp', 'tcp']).default('udp'),
            facility: z.number().int().min(0).max(23).default(16),
            appName: z.string().regex(/^[!-~]{1,48}$/, 'APP-NAME is 1 to 48 printable ASCII characters (RFC 5424 §6.2.5)').default('sigwall'),
          })
          .strict()
          .optional(),
        // Subscriber identifiers (IMSI, MSISDN) in exported events: as decoded, masked
        // (all but the first 5 digits and the last 2), or salted SHA-256 (salt from a file).
        subscriberIds: z.enum(['clear', 'mask', 'hash']).default('mask'),
        saltFile: z.string().optional(),
        pcapng: z.boolean().default(true), // blocked messages to <dataDir>/events/blocked-*.pcapng
      })
      .strict()
      .default({ file: true, maxFileBytes: 64 << 20, maxTotalBytes: 1 << 30, syslog: false, subscriberIds: 'mask', pcapng: true })
      .refine((events) => events.subscriberIds !== 'hash' || events.saltFile !== undefined, { message: 'subscriberIds "hash" needs saltFile', path: ['saltFile'] })
      .refine((events) => !events.syslog || events.syslogTarget !== undefined, { message: 'syslog needs syslogTarget (host, port, transport)', path: ['syslogTarget'] }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const roles = config.ports.map((port) => port.role);
    const names = config.ports.map((port) => port.interface);
    for (const [i, name] of names.entries()) {
      if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: ['ports', i, 'interface'], message: `interface ${name} is listed twice` });
    }
    if (config.mode === 'offline') {
      if (config.backend !== 'pcap') ctx.addIssue({ code: 'custom', path: ['backend'], message: 'mode offline replays a capture: backend must be pcap' });
      if (!config.replay) ctx.addIssue({ code: 'custom', path: ['replay'], message: 'mode offline needs replay.capture' });
    } else {
      if (config.backend === 'pcap') ctx.addIssue({ code: 'custom', path: ['backend'], message: `mode ${config.mode} reads interfaces: backend must be afpacket or afxdp` });
      if (config.replay) ctx.addIssue({ code: 'custom', path: ['replay'], message: `replay is for mode offline, not ${config.mode}` });
    }
    if (config.mode === 'inline') {
      const external = roles.filter((role) => role === 'external').length;
      const internal = roles.filter((role) => role === 'internal').length;
      if (external !== 1 || internal !== 1 || roles.length !== 2) {
        ctx.addIssue({ code: 'custom', path: ['ports'], message: 'mode inline bridges exactly two ports: one role external and one role internal' });
      }
    }
    if (config.mode === 'monitor') {
      if (roles.length === 0 || roles.some((role) => role !== 'monitor')) {
        ctx.addIssue({ code: 'custom', path: ['ports'], message: 'mode monitor needs one or more ports, all with role monitor' });
      }
    }
  });
export type ApplianceConfig = z.infer<typeof ApplianceConfig>;
export type ApplianceConfigInput = z.input<typeof ApplianceConfig>;

// Resolves the file paths of a parsed configuration against the directory of the file it came
// from (and api.socket against dataDir), so the rest of the program sees absolute paths only.
function resolvePaths(config: ApplianceConfig, baseDir: string): ApplianceConfig {
  const at = (path: string, base = baseDir) => (isAbsolute(path) ? path : resolve(base, path));
  const dataDir = at(config.dataDir);
  return {
    ...config,
    policy: at(config.policy),
    dataDir,
    replay: config.replay ? { ...config.replay, capture: at(config.replay.capture) } : undefined,
    api: {
      ...config.api,
      socket: at(config.api.socket, dataDir),
      tcp: config.api.tcp ? { ...config.api.tcp, tokenFile: at(config.api.tcp.tokenFile) } : undefined,
    },
    events: { ...config.events, saltFile: config.events.saltFile === undefined ? undefined : at(config.events.saltFile) },
  };
}

// Validates an in-memory configuration (paths relative to `baseDir`). Throws SIGWALL_ERR_CONFIG
// with one line per issue: `<file>: <path>: <problem>`.
export function parseApplianceConfig(input: unknown, file: string, baseDir = dirname(resolve(file)), lines?: LineCounter, doc?: ReturnType<typeof parseDocument>): ApplianceConfig {
  const parsed = ApplianceConfig.safeParse(input);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => {
      const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').replace(/^\./, '');
      let where = file;
      if (lines && doc) {
        const node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
        if (node?.range) {
          const position = lines.linePos(node.range[0]);
          where = `${file}:${position.line}:${position.col}`;
        }
      }
      return `${where}: ${path === '' ? '' : `${path}: `}${issue.message}`;
    });
    throw new SigwallError('SIGWALL_ERR_CONFIG', `invalid appliance configuration:\n${messages.join('\n')}`, { file, issues: messages });
  }
  return resolvePaths(parsed.data, baseDir);
}

// Reads and validates an appliance configuration file (YAML or JSON).
export function loadApplianceConfig(file: string): ApplianceConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SigwallError('SIGWALL_ERR_FILE', `${file}: cannot read the appliance configuration: ${(error as Error).message}`, { file });
  }
  if (extname(file) === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new SigwallError('SIGWALL_ERR_CONFIG', `${file}: not valid JSON: ${(error as Error).message}`, { file });
    }
    return parseApplianceConfig(value, file);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new SigwallError('SIGWALL_ERR_CONFIG', `${file}: not valid YAML:\n${doc.errors.map((error) => error.message).join('\n')}`, { file });
  }
  return parseApplianceConfig(doc.toJS(), file, dirname(resolve(file)), lines, doc);
}
