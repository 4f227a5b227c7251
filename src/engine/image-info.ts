// What the control plane needs to know about a compiled table image without loading it: its
// header (format, registry, sizes), the policy's name and, per rule index, the rule's id, action,
// mode and category. Counters and events carry rule indices; this maps them back to ids.
//
// Only the header and three sections are read here: RULES (kind 1), STRINGS (kind 2) and
// POLICY_NAME (kind 8) (docs/table-format.md). Every other section kind is skipped, so the
// classification sections can change without touching this reader; the native loader validates
// the whole image when the engine takes it. The image is untrusted input: every offset and
// length is checked against the image before it is read, and anything wrong is a
// SIGWALL_ERR_TABLE naming the field and its offset.
import { createHash } from 'node:crypto';
import { crc32c } from '../builder/crc32c.js';
import { SigwallError } from '../errors.js';
import { SectionKind, TABLE_FORMAT_VERSION, TABLE_HEADER_SIZE, TABLE_MAGIC } from '../policy/compile.js';
import { registryHash } from '../policy/registry-header.js';

export type TableAction = 'allow' | 'drop' | 'alert';
export type TableRuleMode = 'enforce' | 'shadow';
// As EngineEvent.category: the FS.11 category, or custom.
export type TableRuleCategory = 'custom' | '1' | '2' | '3';

export interface TableRuleInfo {
  readonly index: number;
  readonly id: string; // `<policy>#<rule>`
  readonly action: TableAction;
  readonly mode: TableRuleMode;
  readonly category: TableRuleCategory;
}

export interface TableImageInfo {
  readonly formatVersion: number;
  readonly imageSize: number;
  readonly registryHash: bigint;
  readonly features: number;
  readonly sha256: string; // hex, of the whole image: the identity the control plane versions by
  readonly policyName: string;
  readonly defaultAction: TableAction;
  readonly malformedAction: TableAction;
  readonly rules: readonly TableRuleInfo[];
}

const kActions: readonly TableAction[] = ['allow', 'drop', 'alert'];
const kModes: readonly TableRuleMode[] = ['enforce', 'shadow'];
const kCategories: readonly TableRuleCategory[] = ['custom', '1', '2', '3'];
const kDirectoryEntrySize = 16;
const kRuleRecordSize = 16;
const kMaxRules = 0xffff; // 0xFFFF means "no rule" in results
const kCrcOffset = 20;

function fail(message: string, details: Record<string, unknown> = {}): never {
  throw new SigwallError('SIGWALL_ERR_TABLE', `table image: ${message}`, details);
}

// A byte range [offset, offset + size) inside an image of `total` bytes, without overflow.
function inside(offset: number, size: number, total: number): boolean {
  return offset <= total && size <= total - offset;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(bytes: Uint8Array, what: string, at: number): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return fail(`${what} at offset ${at} is not valid UTF-8`, { offset: at });
  }
}

interface Section {
  offset: number;
  size: number;
  count: number;
  entry: number; // the directory entry's own offset, for messages
}

export function readTableImageInfo(image: Uint8Array): TableImageInfo {
  if (!(image instanceof Uint8Array)) fail('not a byte array');
  const total = image.byteLength;
  if (total < TABLE_HEADER_SIZE) fail(`${total} bytes is shorter than the ${TABLE_HEADER_SIZE}-byte header`, { size: total });
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);

  const magic = String.fromCharCode(...image.subarray(0, 8));
  if (magic !== TABLE_MAGIC) fail(`magic ${JSON.stringify(magic)} at offset 0 is not ${TABLE_MAGIC}: not a sigwall table image`, { offset: 0 });
  const formatVersion = view.getUint32(8, true);
  if (formatVersion !== TABLE_FORMAT_VERSION) {
    fail(`format version ${formatVersion} at offset 8 is not ${TABLE_FORMAT_VERSION}: compile the policy again with this sigwall`, { offset: 8 });
  }
  const headerSize = view.getUint32(12, true);
  if (headerSize !== TABLE_HEADER_SIZE) fail(`header size ${headerSize} at offset 12 is not ${TABLE_HEADER_SIZE}`, { offset: 12 });
  const imageSize = view.getUint32(16, true);
  if (imageSize !== total) fail(`image size field ${imageSize} at offset 16 but ${total} bytes were given (truncated or padded)`, { offset: 16 });

  const storedCrc = view.getUint32(kCrcOffset, true);
  const zeroed = image.slice();
  zeroed.fill(0, kCrcOffset, kCrcOffset + 4);
  const actualCrc = crc32c(zeroed) >>> 0;
  if (storedCrc !== actualCrc) {
    fail(`CRC32c 0x${actualCrc.toString(16).padStart(8, '0')} differs from 0x${storedCrc.toString(16).padStart(8, '0')} at offset 20: the image is corrupted`, { offset: kCrcOffset });
  }

  const imageRegistry = view.getBigUint64(24, true);
  const ownRegistry = registryHash();
  if (imageRegistry !== ownRegistry) {
    fail(`registry hash 0x${imageRegistry.toString(16)} at offset 24 is not this build's 0x${ownRegistry.toString(16)}: the image was compiled for another field registry`, { offset: 24 });
  }
  const features = view.getUint32(32, true);
  const sectionCount = view.getUint32(36, true);
  const directoryOffset = view.getUint32(40, true);
  if (!inside(directoryOffset, sectionCount * kDirectoryEntrySize, total) || directoryOffset < TABLE_HEADER_SIZE) {
    fail(`section directory (${sectionCount} entries at offset ${directoryOffset}) lies outside the ${total}-byte image`, { offset: 40 });
  }
  const action = (code: number, at: number, what: string): TableAction => kActions[code] ?? fail(`${what} ${code} at offset ${at} is not 0 (allow), 1 (drop) or 2 (alert)`, { offset: at });
  const malformedAction = action(view.getUint8(44), 44, 'malformed action');
  const defaultAction = action(view.getUint8(45), 45, 'default action');
  const ruleCount = view.getUint32(48, true);
  if (ruleCount > kMaxRules - 1) fail(`rule count ${ruleCount} at offset 48 exceeds ${kMaxRules - 1}`, { offset: 48 });

  const sections = new Map<number, Section>();
  for (let i = 0; i < sectionCount; i++) {
    const entry = directoryOffset + i * kDirectoryEntrySize;
    const kind = view.getUint32(entry, true);
    if (kind !== SectionKind.RULES && kind !== SectionKind.STRINGS && kind !== SectionKind.POLICY_NAME) continue;
    const section = { offset: view.getUint32(entry + 4, true), size: view.getUint32(entry + 8, true), count: view.getUint32(entry + 12, true), entry };
    if (sections.has(kind)) fail(`section kind ${kind} appears twice in the directory (second at offset ${entry})`, { offset: entry });
    if (!inside(section.offset, section.size, total)) {
      fail(`section kind ${kind} (directory entry at offset ${entry}: ${section.size} bytes at offset ${section.offset}) lies outside the ${total}-byte image`, { offset: entry });
    }
    sections.set(kind, section);
  }
  const rulesSection = sections.get(SectionKind.RULES) ?? fail('no RULES section (kind 1) in the directory');
  const strings = sections.get(SectionKind.STRINGS) ?? fail('no STRINGS section (kind 2) in the directory');
  if (rulesSection.count !== ruleCount) {
    fail(`RULES section count ${rulesSection.count} (directory entry at offset ${rulesSection.entry}) differs from the header's rule count ${ruleCount}`, { offset: rulesSection.entry });
  }
  if (rulesSection.size !== ruleCount * kRuleRecordSize) {
    fail(`RULES section is ${rulesSection.size} bytes, not ${kRuleRecordSize} x ${ruleCount} rules (directory entry at offset ${rulesSection.entry})`, { offset: rulesSection.entry });
  }

  const rules: TableRuleInfo[] = [];
  for (let index = 0; index < ruleCount; index++) {
    const at = rulesSection.offset + index * kRuleRecordSize;
    const idOffset = view.getUint32(at, true);
    const idLength = view.getUint16(at + 4, true);
    if (!inside(idOffset, idLength, strings.size)) {
      fail(`rule ${index}'s id (${idLength} bytes at STRINGS offset ${idOffset}, record at offset ${at}) lies outside the ${strings.size}-byte STRINGS section`, { offset: at });
    }
    const idAt = strings.offset + idOffset;
    const id = text(image.subarray(idAt, idAt + idLength), `rule ${index}'s id`, idAt);
    if (id === '') fail(`rule ${index}'s id (record at offset ${at}) is empty`, { offset: at });
    const mode = kModes[view.getUint8(at + 7)] ?? fail(`rule ${index}'s mode ${view.getUint8(at + 7)} at offset ${at + 7} is not 0 (enforce) or 1 (shadow)`, { offset: at + 7 });
    const category =
      kCategories[view.getUint8(at + 8)] ?? fail(`rule ${index}'s category ${view.getUint8(at + 8)} at offset ${at + 8} is not 0 (custom), 1, 2 or 3`, { offset: at + 8 });
    rules.push(Object.freeze({ index, id, action: action(view.getUint8(at + 6), at + 6, `rule ${index}'s action`), mode, category }));
  }

  // POLICY_NAME when present; otherwise, as the native loader does, the part of rule 0's id
  // before the first '#' (ids are `<policy>#<rule>`), or empty without rules.
  const nameSection = sections.get(SectionKind.POLICY_NAME);
  const policyName = nameSection
    ? text(image.subarray(nameSection.offset, nameSection.offset + nameSection.size), 'the policy name', nameSection.offset)
    : (rules[0]?.id.split('#')[0] ?? '');

  return Object.freeze({
    formatVersion,
    imageSize,
    registryHash: imageRegistry,
    features,
    sha256: createHash('sha256').update(image).digest('hex'),
    policyName,
    defaultAction,
    malformedAction,
    rules: Object.freeze(rules),
  });
}

// The id the engine reports for a rule index, the default action or a malformed message.
export function ruleIdOf(info: TableImageInfo, ruleIndex: number): string | undefined {
  return info.rules[ruleIndex]?.id;
}
