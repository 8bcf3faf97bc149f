/**
 * Bad input of a given size, for the validator's limits: a spec whose top level carries thousands
 * of unknown keys with long values, and one whose guest list is junk. Both must cost time in
 * proportion to their size and print the first problems and a count, never megabytes.
 */
import { generateEnvironment } from './generate-environment';

/** A YAML spec of about `bytes` bytes: a valid 10-guest environment plus unknown top-level keys. */
export function junkKeysYaml(bytes: number): string {
  const base = JSON.stringify(generateEnvironment(10));
  const lines = [
    `# ${bytes} bytes of unknown keys`,
    ...Object.entries(JSON.parse(base) as Record<string, unknown>).map(([k, v]) => `${k}: ${JSON.stringify(v)}`),
  ];
  let size = lines.join('\n').length;
  for (let i = 0; size < bytes; i++) {
    const line = `unknownKey${i}: ${'x'.repeat(40 + (i % 7) * 10)}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/** The same spec as JSON. */
export function junkKeysJson(bytes: number): string {
  const spec = generateEnvironment(10) as unknown as Record<string, unknown>;
  let size = JSON.stringify(spec).length;
  for (let i = 0; size < bytes; i++) {
    const value = 'x'.repeat(40 + (i % 7) * 10);
    spec[`unknownKey${i}`] = value;
    size += value.length + 20;
  }
  return `${JSON.stringify(spec, null, 1)}\n`;
}

/** A spec whose guest list holds `count` junk entries: each has several wrong fields. */
export function junkGuestsSpec(count: number): Record<string, unknown> {
  const spec = generateEnvironment(10) as unknown as Record<string, unknown>;
  spec.guests = Array.from({ length: count }, (_, i) => ({
    name: `Guest_${i}`,
    kind: 'container',
    cores: -1,
    memoryGib: 'lots',
    ipv4: `10.0.${i}`,
    disks: 'big',
    extra: 'y'.repeat(1000),
  }));
  return spec;
}
