#!/usr/bin/env node
// Generates the bpg/proxmox L1 bindings from the vendored schema, offline.
// Why not `cdktf get`: it needs a terraform binary and registry access; the generator
// library writes the same TypeScript from the pinned schema in a couple of seconds.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const root = path.resolve(__dirname, '..');
const schemaPath = path.join(root, 'providers/proxmox/schema.json');
const genRoot = path.join(root, '.gen');
const outDir = path.join(genRoot, 'providers/proxmox');
const stampPath = path.join(outDir, '.schema-sha256');

function schemaHash() {
  return crypto.createHash('sha256').update(fs.readFileSync(schemaPath)).digest('hex');
}

async function main() {
  const ifMissing = process.argv.includes('--if-missing');
  const hash = schemaHash();
  if (ifMissing && fs.existsSync(stampPath) && fs.readFileSync(stampPath, 'utf8') === hash) return;
  // The generator probes terraform, which complains about a missing CLI config file (a red
  // "[ERROR] ... does not exist" during `npm ci`) and would phone home; neither matters for
  // offline generation. A TF_CLI_CONFIG_FILE that names a missing file is as good as none.
  process.env.CHECKPOINT_DISABLE = '1';
  const given = process.env.TF_CLI_CONFIG_FILE;
  if (!given || !fs.existsSync(given)) {
    const emptyRc = path.join(require('node:os').tmpdir(), 'pvestack-empty.terraformrc');
    fs.writeFileSync(emptyRc, '');
    process.env.TF_CLI_CONFIG_FILE = emptyRc;
  }
  let generator;
  try {
    generator = require('@cdktf/provider-generator');
  } catch (err) {
    console.error('pvestack: cannot generate provider bindings: @cdktf/provider-generator is not installed (run `npm ci`).');
    process.exit(1);
  }
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  fs.rmSync(outDir, { recursive: true, force: true });
  const started = Date.now();
  await generator.generateProviderBindingsFromSchema(genRoot, schema);
  fs.writeFileSync(stampPath, hash);
  console.log(`pvestack: generated bpg/proxmox bindings in ${Date.now() - started} ms`);
}

main().catch((err) => {
  console.error(`pvestack: generating provider bindings failed: ${err.message}`);
  process.exit(1);
});
