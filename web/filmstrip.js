// filmstrip.js - "from noise to digits": the fixed-noise grid kept at steps 0, 50, 100,
// 200, 500, 1000, 2000, 5000, ... and laid out as one strip with each step under its
// grid, for a slide. The page (web/session.js, web/worker.js) and the CLI
// (tools/train.mjs, progress.png) keep the same frames from the same noise and compose
// them here, so a class's strip and a teacher's command line agree byte for byte. No DOM.

export const GRID_COLS = 8;     // the fixed-noise grid: 8 x 8 samples
export const GRID_IMAGES = 64;
const SIDE = 28;
const GAP = 1;                  // between samples, as the page draws them (draw.js)
const MARGIN = 8;               // around the strip and between frames (before scaling)
const FONT = 2;                 // label digits: 5 x 7 cells of FONT x FONT pixels
const LABEL = 7 * FONT + 6;     // label band under each frame
const PAPER = 255, GAP_GREY = 70, INK = 0;

/** Whether a step gets a frame: 0, then 50, 100, 200, 500, 1000, ... (1, 2, 5 times a power of ten, from 50). */
export function isFrameStep(step) {
  if (step === 0) return true;
  if (!Number.isInteger(step) || step < 50) return false;
  let m = step;
  while (m % 10 === 0) m /= 10;
  return m === 1 || m === 2 || m === 5;
}

/** The frame steps up to and including `last`. */
export function frameSteps(last) {
  const out = [0];
  for (let e = 1; 10 ** e <= last; e++) for (const m of [1, 2, 5]) if (m * 10 ** e >= 50 && m * 10 ** e <= last) out.push(m * 10 ** e);
  return out;
}

// Digits 0-9, 5 x 7, one row per number (bit 4 is the leftmost column).
const DIGITS = [
  [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e], [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
  [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f], [0x1e, 0x01, 0x01, 0x0e, 0x01, 0x01, 0x1e],
  [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02], [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
  [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e], [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
  [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e], [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
];

const gridSide = GRID_COLS * SIDE + (GRID_COLS + 1) * GAP;

/**
 * The strip of frames ([{ step, bytes }], each bytes the 64 grid samples as MNIST bytes,
 * 0 background, 255 ink), left to right in the order given, each step written under its
 * grid. scale enlarges every pixel (2 for a slide). Returns { width, height, pixels }
 * (grey bytes, row-major).
 */
export function composeStrip(frames, { scale = 2 } = {}) {
  if (!frames.length) throw new Error('composeStrip: no frames yet');
  if (!(Number.isInteger(scale) && scale >= 1 && scale <= 8)) throw new Error(`composeStrip: scale ${scale} is not 1..8`);
  const w0 = MARGIN + frames.length * (gridSide + MARGIN), h0 = MARGIN + gridSide + LABEL + MARGIN;
  const base = new Uint8Array(w0 * h0).fill(PAPER);
  frames.forEach((f, i) => {
    if (f.bytes.length !== GRID_IMAGES * SIDE * SIDE) throw new Error(`composeStrip: frame at step ${f.step} is not a ${GRID_COLS}x${GRID_COLS} grid`);
    const x0 = MARGIN + i * (gridSide + MARGIN), y0 = MARGIN;
    for (let y = 0; y < gridSide; y++) base.fill(GAP_GREY, (y0 + y) * w0 + x0, (y0 + y) * w0 + x0 + gridSide);
    for (let k = 0; k < GRID_IMAGES; k++) {
      const ox = x0 + GAP + (k % GRID_COLS) * (SIDE + GAP), oy = y0 + GAP + Math.floor(k / GRID_COLS) * (SIDE + GAP);
      for (let y = 0; y < SIDE; y++) base.set(f.bytes.subarray(k * 784 + y * SIDE, k * 784 + (y + 1) * SIDE), (oy + y) * w0 + ox);
    }
    // the step, centred under the grid
    const text = String(f.step), tw = text.length * 6 * FONT - FONT;
    const tx = x0 + Math.floor((gridSide - tw) / 2), ty = y0 + gridSide + 4;
    [...text].forEach((c, j) => {
      DIGITS[c.charCodeAt(0) - 48].forEach((row, r) => {
        for (let col = 0; col < 5; col++) {
          if (!(row & (0x10 >> col))) continue;
          for (let dy = 0; dy < FONT; dy++) {
            const at = (ty + r * FONT + dy) * w0 + tx + j * 6 * FONT + col * FONT;
            base.fill(INK, at, at + FONT);
          }
        }
      });
    });
  });
  if (scale === 1) return { width: w0, height: h0, pixels: base };
  const width = w0 * scale, height = h0 * scale, pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const src = Math.floor(y / scale) * w0, dst = y * width;
    for (let x = 0; x < width; x++) pixels[dst + x] = base[src + Math.floor(x / scale)];
  }
  return { width, height, pixels };
}
