// The bundled demo capture (firmware-config/demo) is a generated artefact: it must be exactly
// what the builder produces today, so a change to the builder is seen and the file regenerated
// (`npm run demo:capture`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDemoCapture } from '../../src/builder/index.js';

describe('bundled demo capture', () => {
  it('equals a fresh build, byte for byte, with the same labels', () => {
    const { pcap, labels } = buildDemoCapture();
    const committed = readFileSync(new URL('../../firmware-config/demo/demo.pcap', import.meta.url));
    expect(Buffer.compare(Buffer.from(pcap), committed), 'regenerate with `npm run demo:capture`').toBe(0);
    const committedLabels = JSON.parse(readFileSync(new URL('../../firmware-config/demo/demo-labels.json', import.meta.url), 'utf8'));
    expect(committedLabels).toEqual(JSON.parse(JSON.stringify(labels)));
  });
});
