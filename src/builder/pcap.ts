// Capture file writers: classic libpcap (microsecond timestamps, one link type) and pcapng
// (IETF draft-ietf-opsawg-pcapng: Section Header, Interface Description with if_tsresol = 9
// for nanoseconds, Enhanced Packet Blocks with an optional opt_comment). Both stream: a
// writer hands out chunks through a sink so a million-packet capture never sits in memory.

export interface CapturedPacket {
  /** Nanoseconds since the Unix epoch. */
  timestampNs: bigint;
  data: Uint8Array;
  /** pcapng only: written as opt_comment. */
  comment?: string;
  /** pcapng only: index of the interface (link type) the packet was captured on. */
  interfaceId?: number;
}

export type ChunkSink = (chunk: Uint8Array) => void;

const DEFAULT_SNAPLEN = 262144;

/** Little-endian writer into a growable buffer, flushed to a sink in chunks. */
class ChunkBuffer {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(
    private readonly sink: ChunkSink,
    private readonly flushAt = 1 << 20,
  ) {
    this.buf = new Uint8Array(flushAt + 65536 * 2);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.len, v, true);
    this.len += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v >>> 0, true);
    this.len += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }

  maybeFlush(): void {
    if (this.len >= this.flushAt) this.flush();
  }

  flush(): void {
    if (this.len === 0) return;
    this.sink(this.buf.slice(0, this.len));
    this.len = 0;
  }
}

export interface PcapWriterOptions {
  linkType: number;
  snapLength?: number;
}

/** Classic pcap (magic a1b2c3d4, version 2.4, microsecond timestamps), little-endian. */
export class PcapWriter {
  private readonly out: ChunkBuffer;
  packets = 0;

  constructor(sink: ChunkSink, opts: PcapWriterOptions) {
    this.out = new ChunkBuffer(sink);
    this.out.u32(0xa1b2c3d4);
    this.out.u16(2);
    this.out.u16(4);
    this.out.u32(0); // thiszone
    this.out.u32(0); // sigfigs
    this.out.u32(opts.snapLength ?? DEFAULT_SNAPLEN);
    this.out.u32(opts.linkType);
  }

  write(p: CapturedPacket): void {
    const sec = p.timestampNs / 1_000_000_000n;
    const usec = (p.timestampNs % 1_000_000_000n) / 1000n;
    this.out.u32(Number(sec));
    this.out.u32(Number(usec));
    this.out.u32(p.data.length);
    this.out.u32(p.data.length);
    this.out.bytes(p.data);
    this.packets++;
    this.out.maybeFlush();
  }

  close(): void {
    this.out.flush();
  }
}

export interface PcapngInterface {
  linkType: number;
  snapLength?: number;
  name?: string;
}

export interface PcapngWriterOptions {
  interfaces: readonly PcapngInterface[];
  /** shb_userappl. */
  application?: string;
}

const encoder = new TextEncoder();

/** pcapng: one section, the given interfaces (nanosecond resolution), Enhanced Packet Blocks. */
export class PcapngWriter {
  private readonly out: ChunkBuffer;
  packets = 0;

  constructor(sink: ChunkSink, opts: PcapngWriterOptions) {
    this.out = new ChunkBuffer(sink);
    const shbOptions: [number, Uint8Array][] = [];
    if (opts.application) shbOptions.push([4, encoder.encode(opts.application)]); // shb_userappl
    this.block(0x0a0d0d0a, (o) => {
      o.u32(0x1a2b3c4d); // byte-order magic
      o.u16(1); // major
      o.u16(0); // minor
      o.u32(0xffffffff); // section length unknown (-1, 64 bits)
      o.u32(0xffffffff);
    }, shbOptions);
    for (const itf of opts.interfaces) {
      const options: [number, Uint8Array][] = [[9, Uint8Array.of(9)]]; // if_tsresol: 10^-9 s
      if (itf.name) options.unshift([2, encoder.encode(itf.name)]); // if_name
      this.block(0x00000001, (o) => {
        o.u16(itf.linkType);
        o.u16(0);
        o.u32(itf.snapLength ?? DEFAULT_SNAPLEN);
      }, options);
    }
  }

  private block(type: number, body: (o: ChunkBuffer) => void, options: readonly [number, Uint8Array][]): void {
    // Measure first: the block total length appears before and after the body.
    let optionsLength = 0;
    for (const [, v] of options) optionsLength += 4 + v.length + ((4 - (v.length % 4)) % 4);
    if (options.length) optionsLength += 4; // opt_endofopt
    const scratch: Uint8Array[] = [];
    const measure = new ChunkBuffer((c) => scratch.push(c), 1 << 30);
    body(measure);
    measure.flush();
    const bodyBytes = scratch[0] ?? new Uint8Array(0);
    const total = 12 + bodyBytes.length + optionsLength;
    const o = this.out;
    o.u32(type);
    o.u32(total);
    o.bytes(bodyBytes);
    for (const [code, v] of options) {
      o.u16(code);
      o.u16(v.length);
      o.bytes(v);
      o.zeros((4 - (v.length % 4)) % 4);
    }
    if (options.length) o.u32(0);
    o.u32(total);
  }

  write(p: CapturedPacket): void {
    const o = this.out;
    const comment = p.comment ? encoder.encode(p.comment) : undefined;
    const dataPad = (4 - (p.data.length % 4)) % 4;
    const optionsLength = comment ? 4 + comment.length + ((4 - (comment.length % 4)) % 4) + 4 : 0;
    const total = 32 + p.data.length + dataPad + optionsLength;
    o.u32(0x00000006); // Enhanced Packet Block
    o.u32(total);
    o.u32(p.interfaceId ?? 0);
    o.u32(Number(p.timestampNs >> 32n)); // timestamp in if_tsresol units (ns), high word first
    o.u32(Number(p.timestampNs & 0xffffffffn));
    o.u32(p.data.length);
    o.u32(p.data.length);
    o.bytes(p.data);
    o.zeros(dataPad);
    if (comment) {
      o.u16(1); // opt_comment
      o.u16(comment.length);
      o.bytes(comment);
      o.zeros((4 - (comment.length % 4)) % 4);
      o.u32(0); // opt_endofopt
    }
    o.u32(total);
    this.packets++;
    o.maybeFlush();
  }

  close(): void {
    this.out.flush();
  }
}

function collect(run: (sink: ChunkSink) => void): Uint8Array {
  const chunks: Uint8Array[] = [];
  run((c) => chunks.push(c));
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** A whole classic pcap file in memory. */
export function encodePcap(packets: Iterable<CapturedPacket>, opts: PcapWriterOptions): Uint8Array {
  return collect((sink) => {
    const w = new PcapWriter(sink, opts);
    for (const p of packets) w.write(p);
    w.close();
  });
}

/** A whole pcapng file in memory. */
export function encodePcapng(packets: Iterable<CapturedPacket>, opts: PcapngWriterOptions): Uint8Array {
  return collect((sink) => {
    const w = new PcapngWriter(sink, opts);
    for (const p of packets) w.write(p);
    w.close();
  });
}

