// The official Node SDK's AzureOpenAI client (npm openai, pinned in
// package-lock.json) making every call the Go library makes, against a
// recording server: tests/azure runs it and compares what each client sent.
//
// Usage: node tests/sdk/node/azure-wire.mjs ENDPOINT
//
// Before each operation the script GETs ENDPOINT/__op/NAME (with plain
// fetch, not the SDK) so that the recorder can label the requests that
// follow. The server's answers are canned; only the requests matter.
import { AzureOpenAI, toFile } from 'openai';
import { VERSION } from 'openai/version';

const endpoint = process.argv[2];
if (!endpoint) throw new Error('usage: azure-wire.mjs ENDPOINT');

const apiVersion = '2025-04-01-preview';
const apiKey = '0123456789abcdef0123456789abcdef';
const opts = { endpoint, apiVersion, maxRetries: 0 };
const keyed = new AzureOpenAI({ ...opts, apiKey });
const withDeployment = new AzureOpenAI({ ...opts, apiKey, deployment: 'images' });
const entra = new AzureOpenAI({ ...opts, azureADTokenProvider: async () => 'entra-token-0123456789abcdef' });

// A 2x2 PNG.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAEUlEQVR4nGP4z8DwHwyBNAMAY/sJ955dn7IAAAAASUVORK5CYII=', 'base64');
const file = (name) => toFile(png, name, { type: 'image/png' });

async function op(name, f) {
  await fetch(`${endpoint}/__op/${name}`);
  const out = await f();
  if (out && typeof out[Symbol.asyncIterator] === 'function') {
    for await (const _ of out); // drain a stream
  }
}

await op('generate', () => keyed.images.generate({ model: 'img-prod', prompt: 'a lighthouse' }));
await op('generate-stream', () => keyed.images.generate({ model: 'img-prod', prompt: 'a lighthouse', stream: true, partial_images: 1 }));
await op('edit', async () => keyed.images.edit({ model: 'img-prod', prompt: 'a hat', image: await file('a.png') }));
await op('edit-multi', async () => keyed.images.edit({ model: 'img-prod', prompt: 'a hat', image: [await file('a.png'), await file('b.png')] }));
// images.edit takes uploads only; a JSON edit goes through the client's
// generic post, as the SDK's own resources would send it.
await op('edit-json', () => keyed.post('/images/edits', { body: { model: 'img-prod', prompt: 'a hat', images: [{ image_url: 'https://example.com/a.png' }] } }));
await op('edit-stream', async () => keyed.images.edit({ model: 'img-prod', prompt: 'a hat', image: await file('a.png'), stream: true, partial_images: 1 }));
await op('variation', async () => keyed.images.createVariation({ model: 'dalle2', image: await file('a.png') }));
// Azure's docs pass the image deployment as a default header
// (how-to/responses.md, "Image generation"); the SDK has no option for it.
await op('responses', () => keyed.responses.create(
  { model: 'gpt-5-chat', input: 'a red car', tools: [{ type: 'image_generation', model: 'img-prod' }] },
  { headers: { 'x-ms-oai-image-generation-deployment': 'img-prod' } },
));
await op('upload', async () => keyed.files.create({ file: await file('a.png'), purpose: 'vision' }));
await op('batch-create', async () => {
  const f = await keyed.files.create({ file: await toFile(Buffer.from('{}\n'), 'batch.jsonl'), purpose: 'batch' });
  return keyed.batches.create({ input_file_id: f.id, endpoint: '/v1/images/generations', completion_window: '24h' });
});
await op('batch-retrieve', () => keyed.batches.retrieve('batch_1'));
await op('batch-cancel', () => keyed.batches.cancel('batch_1'));
await op('file-content', async () => {
  await (await keyed.files.content('file-8')).arrayBuffer();
  return (await keyed.files.content('file-9')).arrayBuffer();
});
await op('deployment-generate', () => withDeployment.images.generate({ model: 'gpt-image-1.5', prompt: 'a lighthouse' }));
await op('deployment-batch-create', async () => {
  const f = await withDeployment.files.create({ file: await toFile(Buffer.from('{}\n'), 'batch.jsonl'), purpose: 'batch' });
  return withDeployment.batches.create({ input_file_id: f.id, endpoint: '/v1/images/generations', completion_window: '24h' });
});
await op('entra-generate', () => entra.images.generate({ model: 'img-prod', prompt: 'a lighthouse' }));

console.log(JSON.stringify({ sdk: 'openai', version: VERSION }));
