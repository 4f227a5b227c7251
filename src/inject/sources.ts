// What `sigwall inject` sends: the project's own generated SIGTRAN traffic (the demo capture,
// a load capture, named scenarios) or the frames of a pcap/pcapng file.
import { readFileSync } from 'node:fs';
import { buildDemoFrames, buildLoadCapture } from '../builder/capture.js';
import { LINKS, type LinkName } from '../builder/network.js';
import { BENIGN_SCENARIOS, ATTACK_SCENARIOS, ScenarioContext, scenarioByName, type ScenarioDefinition } from '../builder/scenarios.js';
import { Association } from '../builder/stack.js';
import { SigwallError } from '../errors.js';
import { readCaptureFrames, type CaptureFrame } from './packets.js';

export const kSourceHelp = `a source is one of:
  demo                      the bundled demo capture (benign traffic and every attack scenario once)
  load:N[:SEED]             a generated load capture of at least N SS7 messages
  scenario:NAME[,NAME...]   the named builder scenarios (or "benign" / "attack" for all of a kind),
                            each link brought up first (INIT..COOKIE ACK, ASP Up/Active)
  <file>                    the frames of a pcap or pcapng capture`;

const kLoadLimit = 2_000_000;

/** Frames of one named source; `seed` varies the generated traffic. */
export function sourceFrames(spec: string, seed = 1): CaptureFrame[] {
  if (spec === 'demo') {
    return buildDemoFrames({ seed: seed === 1 ? undefined : seed }).packets.map((p) => ({ linkType: 1, data: p.data, timestampNs: p.timestampNs }));
  }
  const load = /^load:(\d+)(?::(\d+))?$/.exec(spec);
  if (load) {
    const messages = Number(load[1]);
    if (messages < 1 || messages > kLoadLimit) throw new SigwallError('SIGWALL_ERR_USAGE', `load:N takes N from 1 to ${kLoadLimit}, got ${load[1]}`);
    const chunks = [...buildLoadCapture(messages, load[2] === undefined ? seed : Number(load[2]))];
    const total = chunks.reduce((sum, c) => sum + c.length, 0);
    const bytes = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      bytes.set(c, off);
      off += c.length;
    }
    return readCaptureFrames(bytes, spec);
  }
  if (spec.startsWith('scenario:')) return scenarioFrames(spec.slice('scenario:'.length).split(','), seed);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(spec);
  } catch (error) {
    throw new SigwallError('SIGWALL_ERR_FILE', `${spec}: cannot read the capture: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n${kSourceHelp}`, { file: spec });
  }
  return readCaptureFrames(bytes, spec);
}

/** The frames of named scenarios, played over fresh associations (start-up first), with SACKs. */
export function scenarioFrames(names: readonly string[], seed = 1): CaptureFrame[] {
  const definitions: ScenarioDefinition[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === 'benign') definitions.push(...BENIGN_SCENARIOS);
    else if (name === 'attack') definitions.push(...ATTACK_SCENARIOS);
    else {
      const found = scenarioByName(name);
      if (!found) {
        const known = [...BENIGN_SCENARIOS, ...ATTACK_SCENARIOS].map((s) => s.name).join(', ');
        throw new SigwallError('SIGWALL_ERR_USAGE', `unknown scenario "${name}"; known: benign, attack, ${known}`);
      }
      definitions.push(found);
    }
  }
  if (definitions.length === 0) throw new SigwallError('SIGWALL_ERR_USAGE', 'scenario: names at least one scenario');
  const ctx = new ScenarioContext(seed);
  const associations = new Map<LinkName, Association>();
  const frames: CaptureFrame[] = [];
  let time = 1_768_467_600_000_000_000n;
  const emit = (data: Uint8Array, linkType: number) => {
    time += 1_000_000n;
    frames.push({ linkType, data, timestampNs: time });
  };
  const association = (link: LinkName): Association => {
    let a = associations.get(link);
    if (!a) {
      a = new Association(LINKS[link]);
      associations.set(link, a);
      for (const f of a.startup()) emit(f.data, f.linkType);
    }
    return a;
  };
  for (const definition of definitions) {
    const messages = definition.build(ctx);
    for (let i = 0; i < messages.length; ) {
      const msg = messages[i]!;
      const a = association(msg.link);
      if (msg.bundle !== undefined) {
        const group = [msg];
        while (i + group.length < messages.length && messages[i + group.length]!.bundle === msg.bundle) group.push(messages[i + group.length]!);
        for (const f of a.sendBundle(msg.dir, group.map((m) => m.ss7), msg.send).frames) emit(f.data, f.linkType);
        i += group.length;
      } else {
        for (const f of a.send(msg.dir, msg.ss7, msg.send).frames) emit(f.data, f.linkType);
        i++;
      }
    }
    for (const a of associations.values()) {
      emit(a.sack('ba').data, a.linkType);
      emit(a.sack('ab').data, a.linkType);
    }
  }
  return frames;
}
