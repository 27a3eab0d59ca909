// The wire comparison's Node side (run by tests/sdk/wire, `make test-sdk`):
// makes the calls of calls.json with the official Node SDK (npm openai,
// pinned in package-lock.json) against the recording server at BASE_URL.
// A value {"$file": "name.png"} is that file of FIXTURES, uploaded as the
// SDK's documentation shows (toFile with a name and a type).
//
// Usage: node tests/sdk/node/wire.mjs BASE_URL FIXTURES
import OpenAI, { toFile } from 'openai';
import { VERSION } from 'openai/version';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [baseURL, fixtures] = process.argv.slice(2);
if (!baseURL || !fixtures) throw new Error('usage: wire.mjs BASE_URL FIXTURES');
const client = new OpenAI({ apiKey: 'sk-wire-node', baseURL, maxRetries: 0 });

// withFiles replaces {"$file": name} by the upload of that fixture, in
// place, keeping the order of the keys (the SDK's part order follows it).
async function withFiles(v) {
  if (Array.isArray(v)) return Promise.all(v.map(withFiles));
  if (v && typeof v === 'object') {
    if (typeof v.$file === 'string') return toFile(readFileSync(join(fixtures, v.$file)), v.$file, { type: 'image/png' });
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = await withFiles(x);
    return out;
  }
  return v;
}

const calls = JSON.parse(readFileSync(join(fixtures, 'calls.json'), 'utf8'));
for (const c of calls) {
  const params = await withFiles(c.params);
  if (c.method === 'generate') await client.images.generate(params);
  else if (c.method === 'edit') await client.images.edit(params);
  else throw new Error(`unknown method ${c.method}`);
}
console.log(`openai ${VERSION}: ${calls.length} calls`);
