// `node dist/cli/gen-fields.js`: rewrites native/table/fields.generated.h from the registry.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registryHeader } from '../policy/registry-header.js';

const target = fileURLToPath(new URL('../../native/table/fields.generated.h', import.meta.url));
writeFileSync(target, registryHeader());
process.stderr.write(`wrote ${target}\n`);
