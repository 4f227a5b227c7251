// What the control plane needs to know about a compiled table image (docs/table-format.md): its
// SHA-256, the policy name and the rules in table order (id, action, mode, category). Counters
// and events carry rule indices; this maps them to ids, and lets the summary say which rules
// block. Read after the native loader accepted the image, but still bounds-checked: a table is
// untrusted input everywhere.
import { createHash } from 'node:crypto';
import { SigwallError } from '../errors.js';

export interface TableRuleInfo {
  index: number;
  id: string;
  action: 'allow' | 'drop' | 'alert';
  mode: 'enforce' | 'shadow';
  category: 'custom' | '1' | '2' | '3';
}

export interface TableInfo {
  sha256: string;
  policyName: string;
  rules: TableRuleInfo[];
}

const kHeaderSize = 64;
const kRuleRecordSize = 16;
const kSectionRules = 1;
const kSectionStrings = 2;
const kSectionPolicyName = 8;
const kActions = ['allow', 'drop', 'alert'] as const;
const kCategories = ['custom', '1', '2', '3'] as const;

function refuse(message: string): never {
  throw new SigwallError('SIGWALL_ERR_TABLE', `table image: ${message}`);
}

export function describeTable(image: Uint8Array): TableInfo {
  if (image.byteLength < kHeaderSize) refuse(`${image.byteLength} bytes, shorter than the 64-byte header`);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const magic = new TextDecoder().decode(image.subarray(0, 8));
  if (magic !== 'SGWLTBL1') refuse('bad magic');
  const sectionCount = view.getUint32(36, true);
  const directory = view.getUint32(40, true);
  if (directory > image.byteLength || sectionCount > (image.byteLength - directory) / 16) refuse('section directory out of bounds');
  const sections = new Map<number, { offset: number; size: number; count: number }>();
  for (let i = 0; i < sectionCount; i++) {
    const at = directory + i * 16;
    const kind = view.getUint32(at, true);
    const offset = view.getUint32(at + 4, true);
    const size = view.getUint32(at + 8, true);
    if (offset > image.byteLength || size > image.byteLength - offset) refuse(`section ${i} (kind ${kind}) out of bounds`);
    if (!sections.has(kind)) sections.set(kind, { offset, size, count: view.getUint32(at + 12, true) });
  }
  const rulesSection = sections.get(kSectionRules);
  const strings = sections.get(kSectionStrings);
  if (!rulesSection || !strings) refuse('RULES or STRINGS section missing');
  if (rulesSection.size !== rulesSection.count * kRuleRecordSize) refuse('RULES size does not match its count');
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const rules: TableRuleInfo[] = [];
  for (let index = 0; index < rulesSection.count; index++) {
    const at = rulesSection.offset + index * kRuleRecordSize;
    const idOffset = view.getUint32(at, true);
    const idLength = view.getUint16(at + 4, true);
    if (idOffset > strings.size || idLength > strings.size - idOffset) refuse(`rule ${index}: id outside STRINGS`);
    const id = decoder.decode(image.subarray(strings.offset + idOffset, strings.offset + idOffset + idLength));
    rules.push({
      index,
      id,
      action: kActions[view.getUint8(at + 6)] ?? refuse(`rule ${index}: unknown action`),
      mode: view.getUint8(at + 7) === 1 ? 'shadow' : 'enforce',
      category: kCategories[view.getUint8(at + 8)] ?? refuse(`rule ${index}: unknown category`),
    });
  }
  const nameSection = sections.get(kSectionPolicyName);
  const policyName = nameSection
    ? decoder.decode(image.subarray(nameSection.offset, nameSection.offset + nameSection.size))
    : (rules[0]?.id.split('#')[0] ?? '');
  return { sha256: createHash('sha256').update(image).digest('hex'), policyName, rules };
}
