// draw.js - grids of 28x28 images (bytes: 0 background, 255 ink) onto a canvas at their
// native resolution, one pixel of gap between them. The canvas is scaled up by CSS with
// image-rendering: pixelated, so samples stay crisp on a projector at any size.

export const SIDE = 28;

/** Draws n images in rows of cols; sizes the canvas to fit exactly. */
export function drawImages(canvas, bytes, n, cols, gap = 1) {
  const rows = Math.ceil(n / cols);
  const W = cols * SIDE + (cols + 1) * gap, H = rows * SIDE + (rows + 1) * gap;
  if (canvas.width !== W || canvas.height !== H) {
    canvas.width = W;
    canvas.height = H;
  }
  const g = canvas.getContext('2d');
  const img = g.createImageData(W, H);
  const d = img.data;
  for (let i = 0; i < d.length; i += 4) d[i] = d[i + 1] = d[i + 2] = 70, d[i + 3] = 255; // gaps
  for (let k = 0; k < n; k++) {
    const ox = gap + (k % cols) * (SIDE + gap), oy = gap + Math.floor(k / cols) * (SIDE + gap);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const v = bytes[k * SIDE * SIDE + y * SIDE + x], o = ((oy + y) * W + ox + x) * 4;
        d[o] = d[o + 1] = d[o + 2] = v;
      }
    }
  }
  g.putImageData(img, 0, 0);
}
