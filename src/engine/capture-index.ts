// An index of a capture's frames (where each frame's bytes are, its timestamp, link type and
// original length), built once when a replay starts. The native decoder yields records that
// name their frame by number; the replay engine needs each frame's time to pace the replay and
// its bytes for the pcapng export of blocked messages, without a second native call per frame.
//
// Reads what the native capture reader (native/io/capture_reader.cc) reads, numbering frames the
// same way (1-based, every packet block counts):
// - classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html §4-§5):
//   magic a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds), in either byte order;
// - pcapng (draft-ietf-opsawg-pcapng §4.1-§4.4, Appendix A): sections in either byte order,
//   IDB if_tsresol / if_tsoffset, EPB, SPB and the obsolete Packet Block.
// A fault stops the index at the last whole frame and is kept in `error` (the native decoder
// reports the same fault, with its offset, when the replay reaches it).

export interface CaptureIndex {
  readonly frames: number;
  readonly dataOffset: Uint32Array; // frame i (0-based) bytes at capture[dataOffset[i] .. + capturedLength[i]]
  readonly capturedLength: Uint32Array;
  readonly originalLength: Uint32Array;
  readonly linkType: Uint16Array;
  readonly timestampNs: BigInt64Array;
  readonly error?: { offset: number; message: string };
}

const kPcapHeader = 24;
const kPcapRecordHeader = 16;

class IndexBuilder {
  dataOffset = new Uint32Array(1024);
  capturedLength = new Uint32Array(1024);
  originalLength = new Uint32Array(1024);
  linkType = new Uint16Array(1024);
  timestampNs = new BigInt64Array(1024);
  frames = 0;

  add(offset: number, captured: number, original: number, linkType: number, timestampNs: bigint): void {
    if (this.frames === this.dataOffset.length) this.#grow();
    const i = this.frames++;
    this.dataOffset[i] = offset;
    this.capturedLength[i] = captured;
    this.originalLength[i] = original;
    this.linkType[i] = linkType;
    this.timestampNs[i] = timestampNs;
  }

  #grow(): void {
    const size = this.dataOffset.length * 2;
    const grow = <T extends Uint32Array | Uint16Array | BigInt64Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old as never);
      return next;
    };
    this.dataOffset = grow(this.dataOffset, (n) => new Uint32Array(n));
    this.capturedLength = grow(this.capturedLength, (n) => new Uint32Array(n));
    this.originalLength = grow(this.originalLength, (n) => new Uint32Array(n));
    this.linkType = grow(this.linkType, (n) => new Uint16Array(n));
    this.timestampNs = grow(this.timestampNs, (n) => new BigInt64Array(n));
  }

  finish(error?: { offset: number; message: string }): CaptureIndex {
    const n = this.frames;
    return {
      frames: n,
      dataOffset: this.dataOffset.slice(0, n),
      capturedLength: this.capturedLength.slice(0, n),
      originalLength: this.originalLength.slice(0, n),
      linkType: this.linkType.slice(0, n),
      timestampNs: this.timestampNs.slice(0, n),
      ...(error ? { error } : {}),
    };
  }
}

export function indexCapture(capture: Uint8Array): CaptureIndex {
  const view = new DataView(capture.buffer, capture.byteOffset, capture.byteLength);
  const builder = new IndexBuilder();
  if (capture.byteLength < 4) return builder.finish({ offset: 0, message: `not a capture: ${capture.byteLength} bytes` });
  const magicLe = view.getUint32(0, true);
  if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d || magicLe === 0xd4c3b2a1 || magicLe === 0x4d3cb2a1) {
    return indexPcap(view, builder);
  }
  if (magicLe === 0x0a0d0d0a) return indexPcapng(view, builder);
  return builder.finish({ offset: 0, message: 'not a pcap or pcapng capture (unknown magic number)' });
}

function indexPcap(view: DataView, builder: IndexBuilder): CaptureIndex {
  if (view.byteLength < kPcapHeader) return builder.finish({ offset: 0, message: 'pcap file header truncated' });
  const magicLe = view.getUint32(0, true);
  const littleEndian = magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d;
  const nanoseconds = magicLe === 0xa1b23c4d || magicLe === 0x4d3cb2a1;
  const minor = view.getUint16(6, littleEndian);
  const linkType = view.getUint32(20, littleEndian) & 0x0fffffff; // upper bits: FCS length
  let offset = kPcapHeader;
  while (offset < view.byteLength) {
    if (view.byteLength - offset < kPcapRecordHeader) return builder.finish({ offset, message: 'pcap record header truncated' });
    const seconds = view.getUint32(offset, littleEndian);
    const fraction = view.getUint32(offset + 4, littleEndian);
    let captured = view.getUint32(offset + 8, littleEndian);
    let original = view.getUint32(offset + 12, littleEndian);
    // Files before 2.3 (and some labelled 2.3) put the original length first, as the native reader allows.
    if (minor < 3 || (minor === 3 && captured > original)) [captured, original] = [original, captured];
    if (captured > view.byteLength - offset - kPcapRecordHeader) return builder.finish({ offset, message: 'pcap record runs past the end of the file' });
    const timestampNs = BigInt(seconds) * 1_000_000_000n + BigInt(fraction) * (nanoseconds ? 1n : 1000n);
    builder.add(offset + kPcapRecordHeader, captured, original, linkType, timestampNs);
    offset += kPcapRecordHeader + captured;
  }
  return builder.finish();
}

interface PcapngInterface {
  linkType: number;
  snapLength: number;
  // Timestamp units: 10^-exponent or 2^-exponent seconds.
  binary: boolean;
  exponent: number;
  offsetSeconds: bigint;
}

function unitsToNs(units: bigint, itf: PcapngInterface): bigint {
  let ns: bigint;
  if (itf.binary) ns = (units * 1_000_000_000n) >> BigInt(itf.exponent);
  else if (itf.exponent <= 9) ns = units * 10n ** BigInt(9 - itf.exponent);
  else ns = units / 10n ** BigInt(itf.exponent - 9);
  return ns + itf.offsetSeconds * 1_000_000_000n;
}

function indexPcapng(view: DataView, builder: IndexBuilder): CaptureIndex {
  let littleEndian = true;
  let interfaces: PcapngInterface[] = [];
  let offset = 0;
  const fail = (message: string) => builder.finish({ offset, message });
  while (offset < view.byteLength) {
    const left = view.byteLength - offset;
    if (left < 12) return fail('pcapng block truncated');
    const typeLe = view.getUint32(offset, true);
    if (typeLe === 0x0a0d0d0a) {
      if (left < 28) return fail('pcapng section header truncated');
      const order = view.getUint32(offset + 8, true);
      if (order === 0x1a2b3c4d) littleEndian = true;
      else if (order === 0x4d3c2b1a) littleEndian = false;
      else return fail('pcapng section header: bad byte-order magic');
      interfaces = [];
    }
    const type = view.getUint32(offset, littleEndian);
    const total = view.getUint32(offset + 4, littleEndian);
    if (total < 12 || total % 4 !== 0 || total > left) return fail('pcapng block total length is invalid');
    const body = offset + 8;
    const bodyLength = total - 12;
    switch (type) {
      case 0x00000001: {
        if (bodyLength < 8) return fail('pcapng interface description truncated');
        const itf: PcapngInterface = { linkType: view.getUint16(body, littleEndian), snapLength: view.getUint32(body + 4, littleEndian), binary: false, exponent: 6, offsetSeconds: 0n };
        let at = 8;
        while (bodyLength - at >= 4) {
          const code = view.getUint16(body + at, littleEndian);
          const length = view.getUint16(body + at + 2, littleEndian);
          if (code === 0) break;
          const padded = (length + 3) & ~3;
          if (padded > bodyLength - at - 4) return fail('pcapng interface option runs past the block');
          if (code === 9 && length === 1) {
            const resolution = view.getUint8(body + at + 4);
            itf.binary = (resolution & 0x80) !== 0;
            itf.exponent = resolution & 0x7f;
          } else if (code === 14 && length === 8) {
            itf.offsetSeconds = view.getBigInt64(body + at + 4, littleEndian);
          }
          at += 4 + padded;
        }
        interfaces.push(itf);
        break;
      }
      case 0x00000006:
      case 0x00000002: {
        if (bodyLength < 20) return fail('pcapng packet block truncated');
        const interfaceId = type === 6 ? view.getUint32(body, littleEndian) : view.getUint16(body, littleEndian);
        const itf = interfaces[interfaceId];
        if (!itf) return fail(`pcapng packet block names interface ${interfaceId}, not described`);
        const units = (BigInt(view.getUint32(body + 4, littleEndian)) << 32n) | BigInt(view.getUint32(body + 8, littleEndian));
        const captured = view.getUint32(body + 12, littleEndian);
        const original = view.getUint32(body + 16, littleEndian);
        if (captured > bodyLength - 20) return fail('pcapng packet data runs past the block');
        builder.add(body + 20, captured, original, itf.linkType, unitsToNs(units, itf));
        break;
      }
      case 0x00000003: {
        if (bodyLength < 4) return fail('pcapng simple packet block truncated');
        const itf = interfaces[0];
        if (!itf) return fail('pcapng simple packet block without an interface');
        const original = view.getUint32(body, littleEndian);
        const captured = itf.snapLength !== 0 && original > itf.snapLength ? itf.snapLength : original;
        if (captured > bodyLength - 4) return fail('pcapng simple packet data runs past the block');
        // No timestamp in an SPB (§4.4): it takes the previous frame's, so pacing does not jump.
        const previous = builder.frames > 0 ? builder.timestampNs[builder.frames - 1]! : 0n;
        builder.add(body + 4, captured, original, itf.linkType, previous);
        break;
      }
      default:
        break; // §3.1: blocks a reader does not need are skipped
    }
    offset += total;
  }
  return builder.finish();
}
