// Blocked messages as pcapng (draft-ietf-opsawg-pcapng) in <dataDir>/events/blocked-YYYY-MM-DD[.N].pcapng:
// each packet is the frame that completed the blocked message, as received (its bytes travel in
// the event), with an opt_comment (§3.5, shown by Wireshark as the packet comment,
// `frame.comment`) naming the verdict, the rule, its FS.11 category and the event id, so a
// packet in Wireshark leads back to the JSON-lines event and the rule that dropped it.
// Files rotate by size like the JSON lines and share their total bound. Each run starts a new
// file (section header + interface descriptions written by src/builder/pcap.ts's writer); a
// frame of a link type the current file has no interface for starts the next file.
import { PcapngWriter } from '../builder/pcap.js';
import type { EngineEvent } from '../engine/contract.js';
import { WriteChain } from './write-chain.js';
import { dayOf, ensureDirectory, EventFiles, RotatingSeries } from './files.js';

export interface PcapngSinkOptions {
  dir: string;
  maxFileBytes: number;
  maxTotalBytes: number;
  application?: string; // shb_userappl
}

export function packetComment(event: EngineEvent): string {
  const parts = [`verdict=${event.action}`, `rule=${event.ruleId ?? '-'}`, `category=${event.category ?? '-'}`, `event=${event.id}`];
  const operations = event.operations.map((op) => op.name ?? (op.opcode !== undefined ? `opcode ${op.opcode}` : undefined)).filter((name) => name !== undefined);
  if (operations.length > 0) parts.push(`operation=${operations.join(',')}`);
  if (event.anomalies.length > 0) parts.push(`anomalies=${event.anomalies.join(',')}`);
  return `sigwall ${parts.join(' ')}`;
}

export class PcapngSink {
  readonly #series: RotatingSeries;
  readonly #options: PcapngSinkOptions;
  readonly #files: EventFiles;
  #fileLinkType: number | undefined; // the one interface of the file being written
  readonly #chain: WriteChain<EngineEvent>;
  #written = 0;

  constructor(options: PcapngSinkOptions, files: EventFiles = new EventFiles(options.dir, options.maxTotalBytes)) {
    ensureDirectory(options.dir);
    this.#options = options;
    this.#files = files;
    this.#series = files.add(new RotatingSeries(options.dir, 'blocked', 'pcapng', options.maxFileBytes, false));
    this.#chain = new WriteChain(`pcapng export in ${options.dir}`, options.dir, (batch) => this.#append(batch));
  }

  get written(): number {
    return this.#written;
  }

  // Queues the blocked events of a batch that carry their frame.
  write(events: readonly EngineEvent[]): void {
    const blocked = events.filter((event) => event.kind === 'blocked' && event.packet !== undefined);
    if (blocked.length === 0) return;
    this.#chain.queue(blocked);
  }

  flush(): Promise<void> {
    return this.#chain.flush();
  }

  async #append(events: EngineEvent[]): Promise<void> {
    let startedFile = false;
    for (const event of events) {
      const packet = event.packet!;
      const data = Buffer.from(packet.base64, 'base64');
      const block = encodePacket(data, BigInt(event.timestampNs), packetComment(event), packet.originalLength);
      const day = dayOf(event.time);
      const previous = this.#series.currentName;
      let target = this.#series.target(day, block.byteLength);
      if (!target.fresh && this.#fileLinkType !== packet.linkType) {
        this.#series.next();
        target = this.#series.target(day, block.byteLength);
      }
      if (previous !== undefined && previous !== target.name) this.#files.writing.delete(previous);
      this.#files.writing.add(target.name);
      if (target.fresh) {
        startedFile = true;
        await this.#series.append(target.name, encodeHeader(packet.linkType, this.#options.application ?? 'sigwall'));
        this.#fileLinkType = packet.linkType;
      }
      await this.#series.append(target.name, block);
      this.#written++;
    }
    if (startedFile) this.#files.enforce();
  }
}

// The section header and the file's one interface description (nanosecond if_tsresol), by
// src/builder/pcap.ts's writer.
function encodeHeader(linkType: number, application: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  const writer = new PcapngWriter((chunk) => chunks.push(chunk), { interfaces: [{ linkType, name: 'sigwall-blocked' }], application });
  writer.close();
  return Buffer.concat(chunks);
}

const kEnhancedPacketBlock = 0x00000006;
const kOptComment = 1;
const pad4 = (n: number) => (4 - (n % 4)) % 4;

// One Enhanced Packet Block (§4.3) on interface 0 with an opt_comment (§3.5) and opt_endofopt;
// the timestamp in the interface's nanosecond units, high word first.
export function encodePacket(data: Uint8Array, timestampNs: bigint, comment: string, originalLength = data.length): Uint8Array {
  const text = Buffer.from(comment, 'utf8');
  const commentLength = Math.min(text.length, 0xffff);
  const optionsLength = 4 + commentLength + pad4(commentLength) + 4;
  const total = 32 + data.length + pad4(data.length) + optionsLength;
  const block = Buffer.alloc(total);
  block.writeUInt32LE(kEnhancedPacketBlock, 0);
  block.writeUInt32LE(total, 4);
  block.writeUInt32LE(0, 8); // interface id
  block.writeUInt32LE(Number((timestampNs >> 32n) & 0xffffffffn), 12);
  block.writeUInt32LE(Number(timestampNs & 0xffffffffn), 16);
  block.writeUInt32LE(data.length, 20); // captured length
  block.writeUInt32LE(Math.max(originalLength, data.length), 24); // on the wire
  block.set(data, 28);
  let at = 28 + data.length + pad4(data.length);
  block.writeUInt16LE(kOptComment, at);
  block.writeUInt16LE(commentLength, at + 2);
  text.copy(block, at + 4, 0, commentLength);
  at += 4 + commentLength + pad4(commentLength);
  block.writeUInt32LE(0, at); // opt_endofopt
  block.writeUInt32LE(total, total - 4);
  return block;
}
