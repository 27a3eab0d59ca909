// Image decoding for the SDK suite, with nothing but Node's zlib: PNG is
// decoded to pixels (8-bit RGB and RGBA, every filter type, no interlace:
// what the emulator writes); JPEG and WebP are checked as far as their
// headers (signature, dimensions).
import { inflateSync, deflateSync, crc32 } from 'node:zlib';

export function decodeImage(buf) {
  if (buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return decodePNG(buf);
  if (buf[0] === 0xff && buf[1] === 0xd8) return decodeJPEGHeader(buf);
  if (buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return decodeWebPHeader(buf);
  throw new Error('not a PNG, JPEG or WebP image');
}

function decodePNG(buf) {
  let pos = 8;
  let width, height, depth, colorType, interlace;
  const idat = [];
  let ended = false;
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (crc32(buf.subarray(pos + 4, pos + 8 + len)) !== buf.readUInt32BE(pos + 8 + len)) throw new Error(`PNG: bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4); depth = data[8]; colorType = data[9]; interlace = data[12];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') { ended = true; break; }
    pos += 12 + len;
  }
  if (!ended) throw new Error('PNG: no IEND');
  if (depth !== 8 || interlace !== 0 || (colorType !== 2 && colorType !== 6)) throw new Error(`PNG: unsupported depth ${depth} colour type ${colorType}`);
  const bpp = colorType === 6 ? 4 : 3;
  const stride = width * bpp;
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG: ${raw.length} bytes of pixel data, want ${height * (stride + 1)}`);
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = px.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? px.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      let v;
      switch (f) {
        case 0: v = 0; break;
        case 1: v = a; break;
        case 2: v = b; break;
        case 3: v = (a + b) >> 1; break;
        case 4: { const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c); v = pa <= pb && pa <= pc ? a : pb <= pc ? b : c; break; }
        default: throw new Error(`PNG: bad filter ${f}`);
      }
      out[i] = (line[i] + v) & 0xff;
    }
  }
  let pixels = px;
  if (bpp === 3) {
    pixels = Buffer.alloc(width * height * 4);
    for (let i = 0, j = 0; i < px.length; i += 3, j += 4) { pixels[j] = px[i]; pixels[j + 1] = px[i + 1]; pixels[j + 2] = px[i + 2]; pixels[j + 3] = 255; }
  }
  return { format: 'png', width, height, pixels, pixel: (x, y) => [...pixels.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)] };
}

function decodeJPEGHeader(buf) {
  let pos = 2;
  while (pos + 4 < buf.length) {
    if (buf[pos] !== 0xff) throw new Error('JPEG: bad marker');
    const marker = buf[pos + 1];
    const len = buf.readUInt16BE(pos + 2);
    if ((marker >= 0xc0 && marker <= 0xc3) || (marker >= 0xc5 && marker <= 0xc7)) {
      return { format: 'jpeg', height: buf.readUInt16BE(pos + 5), width: buf.readUInt16BE(pos + 7) };
    }
    pos += 2 + len;
  }
  throw new Error('JPEG: no frame header');
}

function decodeWebPHeader(buf) {
  const chunk = buf.toString('latin1', 12, 16);
  if (chunk === 'VP8L') {
    if (buf[20] !== 0x2f) throw new Error('WebP: bad VP8L signature');
    const b = buf.readUInt32LE(21);
    return { format: 'webp', width: (b & 0x3fff) + 1, height: ((b >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ') return { format: 'webp', width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff };
  if (chunk === 'VP8X') return { format: 'webp', width: buf.readUIntLE(24, 3) + 1, height: buf.readUIntLE(27, 3) + 1 };
  throw new Error(`WebP: unknown chunk ${chunk}`);
}

// solid is an RGBA image of one colour, with an optional rectangle of
// another.
export function solid(width, height, rgba, rect) {
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inRect = rect && x >= rect.x0 && x < rect.x1 && y >= rect.y0 && y < rect.y1;
      pixels.set(inRect ? rect.rgba : rgba, (y * width + x) * 4);
    }
  }
  return { width, height, pixels };
}

// encodePNG writes an 8-bit RGBA PNG.
export function encodePNG({ width, height, pixels }) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) pixels.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// decodeGIF reads a GIF's structure: its size, loop count and, per frame,
// the delay (in hundredths of a second) and the frame's rectangle. The
// LZW-compressed pixels are skipped, block by block, after checking that
// each frame has some.
export function decodeGIF(buf) {
  const sig = buf.toString('latin1', 0, 6);
  if (sig !== 'GIF89a' && sig !== 'GIF87a') throw new Error('not a GIF');
  const width = buf.readUInt16LE(6), height = buf.readUInt16LE(8);
  const flags = buf[10];
  let pos = 13;
  if (flags & 0x80) pos += 3 * (1 << ((flags & 7) + 1));
  const frames = [];
  let delay = 0, loop = null;
  const skipBlocks = () => {
    let total = 0;
    for (;;) {
      if (pos >= buf.length) throw new Error('GIF: cut short');
      const n = buf[pos++];
      if (n === 0) return total;
      total += n; pos += n;
    }
  };
  for (;;) {
    if (pos >= buf.length) throw new Error('GIF: no trailer');
    const b = buf[pos++];
    if (b === 0x3b) break; // trailer
    if (b === 0x21) {
      const label = buf[pos++];
      if (label === 0xf9) { delay = buf.readUInt16LE(pos + 2); pos += buf[pos] + 1; skipBlocks(); }
      else if (label === 0xff && buf.toString('latin1', pos + 1, pos + 12) === 'NETSCAPE2.0') { loop = buf.readUInt16LE(pos + 15); pos += buf[pos] + 1; skipBlocks(); }
      else { pos += buf[pos] + 1; skipBlocks(); }
    } else if (b === 0x2c) {
      const fw = buf.readUInt16LE(pos + 4), fh = buf.readUInt16LE(pos + 6), fflags = buf[pos + 8];
      pos += 9;
      if (fflags & 0x80) pos += 3 * (1 << ((fflags & 7) + 1));
      pos++; // LZW minimum code size
      if (skipBlocks() === 0) throw new Error('GIF: a frame without pixels');
      frames.push({ width: fw, height: fh, delay });
    } else throw new Error(`GIF: unexpected block 0x${b.toString(16)}`);
  }
  return { format: 'gif', width, height, loop, frames };
}

// parseXML checks that text is a well-formed XML document (one root
// element, tags balanced and properly nested, attributes quoted and
// unique, only the predefined or numeric character references) and returns
// its root element: { name, attrs, children, text }, with character
// references in attribute values and text decoded.
export function parseXML(text) {
  let pos = 0;
  const fail = (why) => { throw new Error(`XML at ${pos}: ${why}`); };
  const name = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
  const space = /\s*/y;
  const skipSpace = () => { space.lastIndex = pos; space.exec(text); pos = space.lastIndex; };
  const readName = () => { name.lastIndex = pos; const m = name.exec(text); if (!m) fail('name expected'); pos = name.lastIndex; return m[0]; };
  const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  const checkText = (s) => {
    if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) fail(`bad character data ${JSON.stringify(s.slice(0, 40))}`);
    return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, r) =>
      r[0] !== '#' ? named[r] : String.fromCodePoint(r[1] === 'x' ? parseInt(r.slice(2), 16) : parseInt(r.slice(1), 10)));
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (text.startsWith('<?', pos)) { const e = text.indexOf('?>', pos); if (e < 0) fail('unclosed <?'); pos = e + 2; }
      else if (text.startsWith('<!--', pos)) { const e = text.indexOf('-->', pos); if (e < 0) fail('unclosed comment'); pos = e + 3; }
      else return;
    }
  };
  const element = () => {
    if (text[pos] !== '<') fail('element expected');
    pos++;
    const el = { name: readName(), attrs: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (text.startsWith('/>', pos)) { pos += 2; return el; }
      if (text[pos] === '>') { pos++; break; }
      const a = readName();
      skipSpace();
      if (text[pos] !== '=') fail(`= expected after ${a}`);
      pos++; skipSpace();
      const q = text[pos];
      if (q !== '"' && q !== "'") fail('quoted value expected');
      const end = text.indexOf(q, pos + 1);
      if (end < 0) fail('unclosed attribute value');
      const v = checkText(text.slice(pos + 1, end));
      if (a in el.attrs) fail(`attribute ${a} repeated`);
      el.attrs[a] = v;
      pos = end + 1;
    }
    for (;;) {
      const lt = text.indexOf('<', pos);
      if (lt < 0) fail(`</${el.name}> expected`);
      el.text += checkText(text.slice(pos, lt));
      pos = lt;
      if (text.startsWith('</', pos)) {
        pos += 2;
        if (readName() !== el.name) fail(`</${el.name}> expected`);
        skipSpace();
        if (text[pos++] !== '>') fail('> expected');
        return el;
      }
      if (text.startsWith('<!--', pos)) { const e = text.indexOf('-->', pos); if (e < 0) fail('unclosed comment'); pos = e + 3; continue; }
      el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (pos !== text.length) fail('content after the root element');
  return root;
}
