// Renders a ZPL file to PNG with zpl-renderer-js (an independent renderer).
// Usage: node render.mjs IN.zpl OUT.png [width_mm height_mm dpmm]
import { readFileSync, writeFileSync } from "node:fs";
const [inPath, outPath, w = "101.6", h = "152.4", dpmm = "8"] = process.argv.slice(2);
const { api } = await (await import("zpl-renderer-js")).ready;
const zpl = readFileSync(inPath, "utf8");
const png = await api.zplToBase64Async(zpl, Number(w), Number(h), Number(dpmm));
writeFileSync(outPath, Buffer.from(png, "base64"));
