// The official Node SDK (npm openai, pinned in package-lock.json) against
// `openai-images serve`: every Images API call a user of the SDK would make,
// the Responses API image tool, files, batches and the error cases. Every
// image is decoded and its format and size checked.
//
// Run with `make test-sdk` (it builds the command and sets
// OPENAI_IMAGES_BIN), or: OPENAI_IMAGES_BIN=path node --test tests/sdk/node/
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import OpenAI, { toFile } from 'openai';
import { VERSION } from 'openai/version';
import { decodeImage, decodeGIF, encodePNG, parseXML, solid } from './images.mjs';

const bin = process.env.OPENAI_IMAGES_BIN;
if (!bin) throw new Error('OPENAI_IMAGES_BIN must name the openai-images command (make test-sdk sets it)');

const servers = [];
after(() => servers.forEach((s) => s.kill('SIGTERM')));

// serve starts `openai-images serve` on a free port with extra flags and
// resolves to its base URL.
function serve(...flags) {
  const p = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--quiet', ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(p);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: p.stdout });
    lines.on('line', (l) => l.startsWith('OPENAI_BASE_URL=') && resolve(l.slice('OPENAI_BASE_URL='.length)));
    p.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

// Calls made through the SDK, and HTTP requests it sent.
let calls = 0;
let requests = 0;
function client(baseURL, opts = {}) {
  return new OpenAI({
    apiKey: 'sk-node-sdk', baseURL, maxRetries: 0, ...opts,
    fetch: (url, init) => { requests++; return fetch(url, init); },
  });
}
const call = (p) => { calls++; return p; };
after(() => console.log(`node SDK (openai ${VERSION}): ${calls} calls, ${requests} HTTP requests`));

const base = await serve('--batch-delay', '300ms');
const c = client(base);
// An OpenAI-compatible server that still serves the retired models and the
// variations endpoint.
const legacy = client(await serve('--allow-retired'));

function b64Image(b64, format, width, height) {
  const img = decodeImage(Buffer.from(b64, 'base64'));
  assert.equal(img.format, format);
  assert.equal(`${img.width}x${img.height}`, `${width}x${height}`);
  return img;
}

test('generate: formats, sizes, n', async () => {
  const png = await call(c.images.generate({ model: 'gpt-image-1.5', prompt: 'a red fox', size: '1024x1536', quality: 'low' }));
  b64Image(png.data[0].b64_json, 'png', 1024, 1536);
  assert.equal(png.size, '1024x1536');
  assert.equal(png.quality, 'low');
  assert.ok(png.usage.total_tokens > 0);

  const jpeg = await call(c.images.generate({ model: 'gpt-image-2', prompt: 'a wide fox', size: '1536x864', output_format: 'jpeg', output_compression: 60 }));
  b64Image(jpeg.data[0].b64_json, 'jpeg', 1536, 864);
  assert.equal(jpeg.size, '1536x864');

  const webp = await call(c.images.generate({ model: 'gpt-image-1-mini', prompt: 'a fox', output_format: 'webp', background: 'transparent', n: 2 }));
  assert.equal(webp.data.length, 2);
  webp.data.forEach((d) => b64Image(d.b64_json, 'webp', 1024, 1024));
  assert.equal(webp.background, 'transparent');
});

test('generate: quality xhigh, GIF, SVG, safety_identifier', async () => {
  const xhigh = await call(c.images.generate({ model: 'gpt-image-2.5-sunburst', prompt: 'a glacier', size: '512x512', quality: 'xhigh', complexity: 'high' }));
  b64Image(xhigh.data[0].b64_json, 'png', 512, 512);
  assert.equal(xhigh.quality, 'xhigh');
  assert.ok(xhigh.usage.output_tokens_details.text_tokens > 0, 'no planning tokens for complexity high');

  const anim = await call(c.images.generate({ model: 'gpt-image-2.5-flare', prompt: 'a spinning top', size: '256x256', output_format: 'gif', frame_count: 5, frame_duration_ms: 120 }));
  const g = decodeGIF(Buffer.from(anim.data[0].b64_json, 'base64'));
  assert.deepEqual([g.width, g.height, g.loop, g.frames.length], [256, 256, 0, 5]);
  assert.deepEqual(g.frames.map((f) => f.delay), [12, 12, 12, 12, 12]);
  assert.equal(anim.output_format, 'gif');
  const defaults = decodeGIF(Buffer.from((await call(c.images.generate({ model: 'gpt-image-2', prompt: 'a top', size: '256x256', output_format: 'gif' }))).data[0].b64_json, 'base64'));
  assert.deepEqual([defaults.frames.length, defaults.frames[0].delay], [9, 20]);

  const vector = await call(c.images.generate({ model: 'gpt-image-2.5-sunburst', prompt: 'a fox & <its> "den"', size: '768x512', output_format: 'svg', svg: { model: 'gpt-5', reasoning: { effort: 'low' } } }));
  const svg = parseXML(Buffer.from(vector.data[0].b64_json, 'base64').toString('utf8'));
  assert.equal(svg.name, 'svg');
  assert.deepEqual([svg.attrs.width, svg.attrs.height, svg.attrs.viewBox], ['768', '512', '0 0 768 512']);
  assert.equal(svg.attrs.xmlns, 'http://www.w3.org/2000/svg');
  assert.equal(svg.children.find((e) => e.name === 'title').text, 'a fox & <its> "den"');
  assert.ok(svg.children.some((e) => e.name === 'circle' || e.name === 'rect'), 'no shapes');
  assert.equal(vector.svg_usage.model, 'gpt-5');
  assert.equal(vector.svg_usage.total_tokens, vector.svg_usage.input_tokens + vector.svg_usage.output_tokens);

  const safe = await call(c.images.generate({ model: 'gpt-image-1-mini', prompt: 'x', size: '1024x1024', safety_identifier: 'hashed-user-42' }));
  assert.equal(safe.safety_identifier, 'hashed-user-42');
  const legacyUser = await call(c.images.generate({ model: 'gpt-image-1-mini', prompt: 'x', size: '1024x1024', user: 'old-user' }));
  assert.equal(legacyUser.safety_identifier, 'old-user');
  const stream = await call(c.images.generate({ model: 'gpt-image-1.5', prompt: 'x', size: '1024x1024', stream: true, partial_images: 1, safety_identifier: 'streamed-user' }));
  let completed;
  for await (const ev of stream) if (ev.type === 'image_generation.completed') completed = ev;
  assert.equal(completed.safety_identifier, 'streamed-user');
});

test('an OpenAI-compatible server (serve --allow-retired): DALL-E models, url answers, revised prompts', async () => {
  const url = await call(legacy.images.generate({ model: 'dall-e-2', prompt: 'a fox', size: '256x256', response_format: 'url' }));
  const body = Buffer.from(await (await fetch(url.data[0].url)).arrayBuffer());
  const img = decodeImage(body);
  assert.deepEqual([img.format, img.width, img.height], ['png', 256, 256]);

  const d3 = await call(legacy.images.generate({ model: 'dall-e-3', prompt: 'a fox', size: '1792x1024', response_format: 'b64_json' }));
  b64Image(d3.data[0].b64_json, 'png', 1792, 1024);
  assert.match(d3.data[0].revised_prompt, /a fox/);
});

test('generate: stream with partial images', async () => {
  const stream = await call(c.images.generate({ model: 'gpt-image-1.5', prompt: 'a forest', size: '1024x1024', stream: true, partial_images: 2 }));
  const types = [];
  for await (const ev of stream) {
    types.push(ev.type);
    b64Image(ev.b64_json, 'png', 1024, 1024);
    if (ev.type === 'image_generation.completed') assert.ok(ev.usage.output_tokens > 0);
  }
  assert.deepEqual(types, ['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);
});

const red = encodePNG(solid(512, 512, [220, 30, 30, 255]));
const blue = encodePNG(solid(512, 512, [30, 30, 220, 255]));
// The mask is opaque except a transparent square (128,128)-(256,256): only
// that square may change.
const mask = encodePNG(solid(512, 512, [0, 0, 0, 255], { x0: 128, y0: 128, x1: 256, y1: 256, rgba: [0, 0, 0, 0] }));

test('edit: one image, several images with a mask, and a stream', async () => {
  const one = await call(c.images.edit({ model: 'gpt-image-1.5', prompt: 'add a hat', image: await toFile(red, 'red.png', { type: 'image/png' }), size: '1024x1024' }));
  b64Image(one.data[0].b64_json, 'png', 1024, 1024);

  const several = await call(c.images.edit({
    model: 'gpt-image-1.5', prompt: 'put them in a basket', size: '1024x1024',
    image: [await toFile(red, 'red.png', { type: 'image/png' }), await toFile(blue, 'blue.png', { type: 'image/png' })],
    mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
  }));
  const img = b64Image(several.data[0].b64_json, 'png', 1024, 1024);
  // Outside the mask's square (scaled to 256..512), the first image's red
  // is kept, except where the second image is inset (top-left tiles).
  assert.deepEqual(img.pixel(900, 900), [220, 30, 30, 255]);
  assert.deepEqual(img.pixel(600, 100), [220, 30, 30, 255]);
  assert.notDeepEqual(img.pixel(380, 380), [220, 30, 30, 255]);
  assert.ok(several.usage.input_tokens_details.image_tokens > 0);

  const stream = await call(c.images.edit({ model: 'gpt-image-1.5', prompt: 'add a hat', image: await toFile(red, 'red.png', { type: 'image/png' }), stream: true, partial_images: 1, size: '1024x1024' }));
  const types = [];
  for await (const ev of stream) {
    types.push(ev.type);
    b64Image(ev.b64_json, 'png', 1024, 1024);
  }
  assert.deepEqual(types, ['image_edit.partial_image', 'image_edit.completed']);
});

test('edit: markup guides the edit', async () => {
  // A transparent markup with one opaque yellow stroke.
  const stroke = { x0: 100, y0: 250, x1: 400, y1: 262, rgba: [255, 220, 0, 255] };
  const markup = encodePNG(solid(512, 512, [0, 0, 0, 0], stroke));
  const params = { model: 'gpt-image-2.5-sunburst', prompt: 'a bridge across', size: '512x512' };
  const plain = await call(c.images.edit({ ...params, image: await toFile(red, 'red.png', { type: 'image/png' }) }));
  const marked = await call(c.images.edit({ ...params, image: await toFile(red, 'red.png', { type: 'image/png' }), markup: await toFile(markup, 'markup.png', { type: 'image/png' }) }));
  const a = b64Image(plain.data[0].b64_json, 'png', 512, 512), b = b64Image(marked.data[0].b64_json, 'png', 512, 512);
  assert.ok(!a.pixels.equals(b.pixels), 'the markup changed nothing');
  assert.deepEqual(b.pixel(250, 255), [255, 220, 0, 255]);
  assert.deepEqual(b.pixel(250, 300), a.pixel(250, 300));
});

test('variation: retired, served by an OpenAI-compatible server', async () => {
  const refused = await c.images.createVariation({ model: 'dall-e-2', image: await toFile(red, 'red.png', { type: 'image/png' }), n: 2, size: '256x256' }).catch((e) => e);
  calls++;
  assert.ok(refused instanceof OpenAI.BadRequestError);
  assert.equal(refused.code, 'model_not_found');
  assert.match(refused.message, /variations endpoint .* retired on May 12, 2026/);

  const v = await call(legacy.images.createVariation({ model: 'dall-e-2', image: await toFile(red, 'red.png', { type: 'image/png' }), n: 2, size: '256x256', response_format: 'b64_json' }));
  assert.equal(v.data.length, 2);
  v.data.forEach((d) => b64Image(d.b64_json, 'png', 256, 256));
});

function callImage(resp, w, h) {
  const item = resp.output.find((o) => o.type === 'image_generation_call');
  assert.ok(item, 'no image_generation_call');
  for (const k of ['action', 'background', 'output_format', 'quality', 'revised_prompt', 'size']) assert.ok(item[k], `call lacks ${k}`);
  assert.equal(item.size, `${w}x${h}`);
  return { item, img: b64Image(item.result, 'png', w, h) };
}

test('responses: two turns, retrieval, an input image, text, and a stream', async () => {
  const tools = [{ type: 'image_generation', model: 'gpt-image-1.5', size: '1024x1024' }];
  const first = await call(c.responses.create({ model: 'gpt-5', input: 'Generate an image: a red car', tools }));
  const a = callImage(first, 1024, 1024);
  assert.equal(a.item.action, 'generate');
  for (const k of ['parallel_tool_calls', 'tool_choice', 'instructions', 'error', 'metadata', 'temperature', 'top_p']) assert.ok(k in first, `response lacks ${k}`);
  const second = await call(c.responses.create({ model: 'gpt-5', input: 'Make it blue', tools, previous_response_id: first.id }));
  const b = callImage(second, 1024, 1024);
  assert.equal(b.item.action, 'edit');
  assert.ok(!a.img.pixels.equals(b.img.pixels), 'the second turn did not change the image');
  const got = await call(c.responses.retrieve(second.id));
  assert.equal(got.id, second.id);
  assert.equal(got.output[0].result, b.item.result);

  const edited = await call(c.responses.create({
    model: 'gpt-5', tools: [{ type: 'image_generation', input_image_mask: { image_url: 'data:image/png;base64,' + mask.toString('base64') } }],
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'add a hat' }, { type: 'input_image', image_url: 'data:image/png;base64,' + red.toString('base64'), detail: 'auto' }] }],
  }));
  const e = callImage(edited, 512, 512);
  assert.equal(e.item.action, 'edit');
  assert.deepEqual(e.img.pixel(400, 400), [220, 30, 30, 255]);
  assert.notDeepEqual(e.img.pixel(190, 190), [220, 30, 30, 255]);

  const text = await call(c.responses.create({ model: 'gpt-5', input: 'hello' }));
  assert.match(text.output_text, /emulator/);

  const stream = await call(c.responses.create({ model: 'gpt-5', input: 'a boat', tools: [{ type: 'image_generation', partial_images: 2, size: '1536x1024' }], stream: true }));
  const types = [];
  let done;
  for await (const ev of stream) {
    types.push(ev.type);
    if (ev.type === 'response.image_generation_call.partial_image') b64Image(ev.partial_image_b64, 'png', 1536, 1024);
    if (ev.type === 'response.completed') done = ev.response;
  }
  assert.equal(types.filter((t) => t.endsWith('partial_image')).length, 2);
  assert.equal(types.at(-1), 'response.completed');
  callImage(done, 1536, 1024);
});

test('files and batches: upload, list with auto-paging, poll, download', async () => {
  const lines = ['one', 'two', 'three'].map((p) => JSON.stringify({ custom_id: p, method: 'POST', url: '/v1/images/generations', body: { model: 'gpt-image-1-mini', prompt: p, size: '1024x1024', quality: 'low' } }));
  const input = await call(c.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'batch.jsonl'), purpose: 'batch' }));
  assert.equal(input.purpose, 'batch');
  assert.equal((await call(c.files.retrieve(input.id))).bytes, input.bytes);
  const extra = await call(c.files.create({ file: await toFile(red, 'red.png', { type: 'image/png' }), purpose: 'vision' }));

  const batch = await call(c.batches.create({ input_file_id: input.id, endpoint: '/v1/images/generations', completion_window: '24h' }));
  const seen = [batch.status];
  let b = batch;
  while (!['completed', 'failed', 'cancelled', 'expired'].includes(b.status)) {
    await new Promise((r) => setTimeout(r, 50));
    b = await call(c.batches.retrieve(batch.id));
    if (seen.at(-1) !== b.status) seen.push(b.status);
  }
  assert.deepEqual(seen, ['validating', 'in_progress', 'finalizing', 'completed']);
  assert.deepEqual(b.request_counts, { total: 3, completed: 3, failed: 0 });

  const listed = [];
  for await (const x of c.batches.list({ limit: 1 })) { listed.push(x.id); }
  calls++;
  assert.ok(listed.includes(batch.id));
  const files = [];
  for await (const f of c.files.list({ limit: 1 })) { files.push(f.id); }
  calls++;
  for (const id of [input.id, extra.id, b.output_file_id]) assert.ok(files.includes(id), `files list lacks ${id}`);
  const batchFiles = await call(c.files.list({ purpose: 'batch' }));
  assert.deepEqual(batchFiles.data.map((f) => f.id), [input.id]);

  const out = await (await call(c.files.content(b.output_file_id))).text();
  const results = out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(results.map((r) => r.custom_id).sort(), ['one', 'three', 'two']);
  for (const r of results) {
    assert.equal(r.response.status_code, 200);
    b64Image(r.response.body.data[0].b64_json, 'png', 1024, 1024);
  }
});

test('errors: unknown model, bad value, bad key, unknown path and ids', async () => {
  const bad = await c.images.generate({ model: 'not-a-model', prompt: 'x' }).catch((e) => e);
  calls++;
  assert.ok(bad instanceof OpenAI.BadRequestError);
  assert.equal(bad.code, 'invalid_value');
  assert.equal(bad.param, 'model');
  assert.match(bad.message, /Invalid value: 'not-a-model'\. Supported values are: /);
  assert.ok(bad.requestID);

  const typo = await c.images.generate({ model: 'gpt-image-l', prompt: 'x' }).catch((e) => e);
  calls++;
  assert.ok(typo instanceof OpenAI.BadRequestError);
  assert.equal(typo.param, 'model');
  assert.match(typo.message, /Invalid value: 'gpt-image-l'\. Supported values are: 'gpt-image-2\.6-sunburst'/);

  const retired = await c.images.generate({ model: 'dall-e-3', prompt: 'x' }).catch((e) => e);
  calls++;
  assert.ok(retired instanceof OpenAI.BadRequestError);
  assert.deepEqual([retired.param, retired.code], ['model', 'model_not_found']);
  assert.match(retired.message, /dall-e-3` was retired on May 12, 2026 .* Use gpt-image-2\.5-sunburst or gpt-image-2\.5-flare instead/);

  const value = await c.images.generate({ model: 'gpt-image-2', prompt: 'x', quality: 'xhigh' }).catch((e) => e);
  calls++;
  assert.ok(value instanceof OpenAI.BadRequestError);
  assert.deepEqual([value.param, value.code], ['quality', 'invalid_value']);
  assert.equal(value.error.message, "Invalid value: 'xhigh'. Supported values are: 'low', 'medium', 'high', and 'auto'.");

  const gifStream = await c.images.generate({ model: 'gpt-image-2', prompt: 'x', output_format: 'gif', stream: true }).catch((e) => e);
  calls++;
  assert.ok(gifStream instanceof OpenAI.BadRequestError);
  assert.deepEqual([gifStream.param, gifStream.code], ['stream', 'unsupported_value']);

  const frames = await c.images.generate({ model: 'gpt-image-2', prompt: 'x', output_format: 'gif', frame_count: 40 }).catch((e) => e);
  calls++;
  assert.ok(frames instanceof OpenAI.BadRequestError);
  assert.deepEqual([frames.param, frames.code], ['frame_count', 'integer_above_max_value']);

  const key = await client(base, { apiKey: 'sk-invalid' }).images.generate({ model: 'gpt-image-1.5', prompt: 'x' }).catch((e) => e);
  calls++;
  assert.ok(key instanceof OpenAI.AuthenticationError);
  assert.equal(key.code, 'invalid_api_key');
  assert.ok(key.requestID);

  const path = await c.get('/images/nothing').catch((e) => e);
  calls++;
  assert.ok(path instanceof OpenAI.NotFoundError);
  assert.equal(path.message, '404 Invalid URL (GET /v1/images/nothing)');
  assert.ok(path.requestID);

  for (const f of [() => c.batches.retrieve('batch_nope'), () => c.responses.retrieve('resp_nope'), () => c.files.retrieve('file-nope')]) {
    const e = await f().catch((err) => err);
    calls++;
    assert.ok(e instanceof OpenAI.NotFoundError, String(e));
  }
  const prev = await c.responses.create({ model: 'gpt-5', input: 'x', tools: [{ type: 'image_generation' }], previous_response_id: 'resp_nope' }).catch((e) => e);
  calls++;
  assert.ok(prev instanceof OpenAI.BadRequestError);
  assert.equal(prev.code, 'previous_response_not_found');
});

test('retries: 500s, 429 with Retry-After, then success', async () => {
  const failing = client(await serve('--fail', '500=1'), { maxRetries: 2 });
  const before = requests;
  const e = await failing.images.generate({ model: 'gpt-image-2', prompt: 'x', size: '256x256' }).catch((err) => err);
  calls++;
  assert.ok(e instanceof OpenAI.InternalServerError);
  assert.equal(requests - before, 3);

  // --rpm 60 --burst 1: the second request gets 429, Retry-After 1, and
  // the SDK's retry succeeds a second later.
  const limited = client(await serve('--rpm', '60', '--burst', '1'), { maxRetries: 2 });
  await call(limited.images.generate({ model: 'gpt-image-2', prompt: 'x', size: '256x256' }));
  const start = Date.now();
  const r = await call(limited.images.generate({ model: 'gpt-image-2', prompt: 'y', size: '256x256' }));
  b64Image(r.data[0].b64_json, 'png', 256, 256);
  assert.ok(Date.now() - start >= 900, 'the SDK did not wait for the rate limit');
});
