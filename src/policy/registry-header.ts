// Generates native/table/fields.generated.h from the field registry, so that the table image's
// field ids and registry hash mean the same on both sides. `npm run gen:fields` writes it; a
// test regenerates it and compares with the committed file.
import { FIELDS } from './fields.js';

// The registry's canonical text (docs/table-format.md): `name:type:scope\n` per field, in order.
export function registryCanonicalText(): string {
  return FIELDS.map((field) => `${field.name}:${field.type}:${field.scope}\n`).join('');
}

// FNV-1a 64 of the canonical text's UTF-8 bytes.
export function registryHash(): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(registryCanonicalText())) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

// "sccp.called.ssn" -> "kSccpCalledSsn"
export function fieldIdentifier(name: string): string {
  return 'k' + name.split(/[._]/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

export function registryHeader(): string {
  const lines = [
    '// Generated from src/policy/fields.ts by `npm run gen:fields`. Do not edit: CI regenerates',
    '// this file and fails when it differs.',
    '#pragma once',
    '',
    '#include <cstdint>',
    '',
    'namespace sigwall::table {',
    '',
    '// Field ids: the index of each field in the registry (the table image names fields by it).',
    'enum class FieldId : uint16_t {',
    ...FIELDS.map((field, index) => `  ${fieldIdentifier(field.name)} = ${index},  // ${field.name} (${field.type}, ${field.scope})`),
    '};',
    '',
    `inline constexpr uint16_t kFieldCount = ${FIELDS.length};`,
    '',
    '// Each field\'s value type and scope: they decide which lookup kinds a dimension on the field',
    '// may use and whether it is read per message or per component.',
    'enum class FieldType : uint8_t { kPointCode, kSmallInt, kUint32, kDigits, kOperation, kEnum, kOid, kAnomaly };',
    '',
    'struct FieldSpec {',
    '  FieldType type;',
    '  bool component;  // scope: per TCAP component (true) or per message (false)',
    '};',
    '',
    'inline constexpr FieldSpec kFieldSpecs[kFieldCount] = {',
    ...FIELDS.map((field) => `    {FieldType::k${field.type.charAt(0).toUpperCase()}${field.type.slice(1)}, ${field.scope === 'component'}},  // ${field.name}`),
    '};',
    `inline constexpr uint64_t kRegistryHash = 0x${registryHash().toString(16).padStart(16, '0')}ull;`,
    '',
    '}  // namespace sigwall::table',
    '',
  ];
  return lines.join('\n');
}
