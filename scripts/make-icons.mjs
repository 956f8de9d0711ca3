// Renders the app icon set in resources/ from the two SVG sources:
//   resources/icon.svg        the mark, used from 48 px up
//   resources/icon-small.svg  the same mark simplified for 16-32 px
// Outputs (committed, so packaging needs no image tools):
//   resources/icons/NxN.png   Linux (electron-builder reads the folder)
//   resources/icon.png        1024 px, the master PNG
//   resources/icon.ico        Windows: 16-128 px as 32-bit bitmaps, 256 px as PNG
//   resources/icon.icns       macOS: PNG entries from 32 (16@2x) to 1024 (512@2x)
// Run: node scripts/make-icons.mjs
import fs from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';

const root = path.resolve(import.meta.dirname, '..');
const resources = path.join(root, 'resources');
const LARGE = fs.readFileSync(path.join(resources, 'icon.svg'));
const SMALL = fs.readFileSync(path.join(resources, 'icon-small.svg'));

const PNG_SIZES = [16, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

/** The rendered image at `size` px: premultiplied RGBA pixels and the PNG encoding. */
function render(size) {
  const image = new Resvg(size <= 32 ? SMALL : LARGE, { fitTo: { mode: 'width', value: size } }).render();
  if (image.width !== size || image.height !== size) throw new Error(`rendered ${image.width}x${image.height}, expected ${size}x${size}`);
  return { size, pixels: image.pixels, png: image.asPng() };
}

/**
 * A 32-bit BMP icon entry (BITMAPINFOHEADER + BGRA rows bottom-up + AND mask).
 * Bitmaps rather than PNG below 256 px because NSIS refuses PNG-compressed small entries.
 */
function bmpEntry({ size, pixels }) {
  const maskRow = Math.ceil(size / 32) * 4;
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // XOR image + AND mask
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(size * size * 4 + maskRow * size, 20);
  const xor = Buffer.alloc(size * size * 4);
  const mask = Buffer.alloc(maskRow * size);
  for (let y = 0; y < size; y++) {
    const row = size - 1 - y; // bottom-up
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const a = pixels[i + 3];
      // resvg's pixels are premultiplied; bitmaps want straight alpha.
      const un = (c) => (a === 0 ? 0 : Math.min(255, Math.round((c * 255) / a)));
      const o = (row * size + x) * 4;
      xor[o] = un(pixels[i + 2]);
      xor[o + 1] = un(pixels[i + 1]);
      xor[o + 2] = un(pixels[i]);
      xor[o + 3] = a;
      if (a === 0) mask[row * maskRow + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return Buffer.concat([header, xor, mask]);
}

function makeIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  const blobs = [];
  let offset = 6 + 16 * images.length;
  for (const image of images) {
    const blob = image.size >= 256 ? image.png : bmpEntry(image);
    const e = Buffer.alloc(16);
    e.writeUInt8(image.size >= 256 ? 0 : image.size, 0); // 0 means 256
    e.writeUInt8(image.size >= 256 ? 0 : image.size, 1);
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(blob.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += blob.length;
    entries.push(e);
    blobs.push(blob);
  }
  return Buffer.concat([header, ...entries, ...blobs]);
}

/** ICNS element types holding PNG data, by pixel size (the @2x types share sizes). */
const ICNS_TYPES = [
  ['ic11', 32], ['ic12', 64], ['ic07', 128], ['ic13', 256],
  ['ic08', 256], ['ic14', 512], ['ic09', 512], ['ic10', 1024],
];

function makeIcns(pngBySize) {
  const chunks = ICNS_TYPES.map(([type, size]) => {
    const png = pngBySize.get(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + chunks.reduce((n, c) => n + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

const sizes = [...new Set([...PNG_SIZES, ...ICO_SIZES])].sort((a, b) => a - b);
const images = new Map(sizes.map((s) => [s, render(s)]));

fs.mkdirSync(path.join(resources, 'icons'), { recursive: true });
for (const s of PNG_SIZES) fs.writeFileSync(path.join(resources, 'icons', `${s}x${s}.png`), images.get(s).png);
fs.writeFileSync(path.join(resources, 'icon.png'), images.get(1024).png);
fs.writeFileSync(path.join(resources, 'icon.ico'), makeIco(ICO_SIZES.map((s) => images.get(s))));
fs.writeFileSync(path.join(resources, 'icon.icns'), makeIcns(new Map([...images].map(([s, i]) => [s, i.png]))));
console.log(`icons written to ${path.relative(root, resources)}/: ${PNG_SIZES.length} PNGs, icon.png, icon.ico, icon.icns`);
