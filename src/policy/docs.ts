// The field table of docs/policy.md, generated from the registry so the page cannot drift from
// what the schema accepts. `npm run docs:fields` rewrites it; a test checks the page holds
// exactly what fieldTable() renders.
import { FIELDS, type FieldDefinition } from './fields.js';

export const kFieldsBegin = '<!-- fields:begin -->';
export const kFieldsEnd = '<!-- fields:end -->';

// What a condition on a field of each type is written as (docs/policy.md, "Conditions").
const kConditionOf: Record<FieldDefinition['type'], string> = {
  pointCode: 'set of point codes',
  smallInt: 'set of 0..255',
  uint32: 'set of 0..2³²−1',
  digits: 'digits',
  operation: 'set of names or codes',
  enum: 'set of names',
  oid: 'set of dotted OIDs',
  anomaly: 'anomaly names',
};

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function conditionCell(field: FieldDefinition): string {
  let text = kConditionOf[field.type];
  if (field.digitsKind) text += ` (${field.digitsKind})`;
  if (field.values) text += `: ${field.values.map((value) => `\`${value}\``).join(', ')}`;
  if (field.absentMatchable) text += ', `absent`';
  return text;
}

// One row per registry field, in registry order.
export function fieldTable(): string {
  const rows = FIELDS.map((field: FieldDefinition) =>
    [
      `\`${field.name}\``,
      field.scope,
      conditionCell(field),
      field.wireshark ? `\`${field.wireshark}\`` : '',
      field.description,
    ]
      .map(cell)
      .join(' | '),
  );
  return ['| field | scope | condition | Wireshark | meaning |', '|---|---|---|---|---|', ...rows.map((row) => `| ${row} |`)].join('\n');
}

// `document` with the text between the markers replaced by the current table.
export function withFieldTable(document: string): string {
  const begin = document.indexOf(kFieldsBegin);
  const end = document.indexOf(kFieldsEnd);
  if (begin < 0 || end < begin) throw new Error(`the document has no ${kFieldsBegin} ... ${kFieldsEnd} section`);
  return `${document.slice(0, begin + kFieldsBegin.length)}\n${fieldTable()}\n${document.slice(end)}`;
}
