// Where a rendered label has ink: counts the dark pixels of a rectangle of
// a PNG from render.mjs (8-bit grey or RGB(A), not interlaced) and prints
// "dark N right R", R being the rightmost dark column (-1 when none).
// Usage: node ink.mjs IN.png x0 y0 x1 y1
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
const [path, ...box] = process.argv.slice(2);
const [x0, y0, x1, y1] = box.map(Number);
const png = readFileSync(path);
let pos = 8, width = 0, height = 0, type = 0;
const idat = [];
while (pos < png.length) {
  const len = png.readUInt32BE(pos);
  const kind = png.toString("ascii", pos + 4, pos + 8);
  const data = png.subarray(pos + 8, pos + 8 + len);
  if (kind === "IHDR") {
    width = data.readUInt32BE(0);
    height = data.readUInt32BE(4);
    if (data[8] !== 8 || data[12] !== 0) throw new Error("8-bit, non-interlaced PNGs only");
    type = data[9];
  } else if (kind === "IDAT") idat.push(data);
  pos += 12 + len;
}
const bpp = { 0: 1, 2: 3, 4: 2, 6: 4 }[type];
if (!bpp) throw new Error(`colour type ${type} not handled`);
const raw = inflateSync(Buffer.concat(idat));
const stride = width * bpp;
const rows = [];
let prev = Buffer.alloc(stride);
for (let y = 0; y < height; y++) {
  const f = raw[y * (stride + 1)];
  const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
  for (let i = 0; i < stride; i++) {
    const a = i >= bpp ? line[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
    const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
    const pred = [0, a, b, Math.floor((a + b) / 2), pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
    line[i] = (line[i] + pred) & 0xff;
  }
  rows.push(line);
  prev = line;
}
let dark = 0, right = -1;
for (let y = Math.max(0, y0); y < Math.min(height, y1); y++)
  for (let x = Math.max(0, x0); x < Math.min(width, x1); x++)
    if (rows[y][x * bpp] < 128) { dark++; right = Math.max(right, x); }
console.log(`dark ${dark} right ${right}`);
