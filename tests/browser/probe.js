// probe.js - one fixed computation on the core (a seeded conv2d forward + backward),
// shared by the page, its Worker and the Node side of tests/browser.test.mjs.
export function runProbe(core, GP) {
  const [N, H, W, C, OC, K, S, P] = [2, 9, 9, 3, 5, 4, 2, 1];
  const OH = core.call('conv_out_size', H, K, S, P);
  const nx = N * H * W * C, nw = K * K * C * OC, ny = N * OH * OH * OC;
  const rng = core.call('rng_create', 7, 0);
  const x = core.alloc(nx), w = core.alloc(nw), b = core.alloc(OC), y = core.alloc(ny);
  const dx = core.alloc(nx);
  core.call('rng_normal', rng, x, nx, 0, 1);
  core.call('rng_normal', rng, w, nw, 0, 0.1);
  core.call('rng_normal', rng, b, OC, 0, 0.1);
  core.call('conv2d_forward', GP.FAST, y, x, w, b, N, H, W, C, OC, K, K, S, P);
  core.call('conv2d_backward_data', GP.FAST, dx, y, w, N, H, W, C, OC, K, K, S, P);
  const out = { y: Array.from(core.read(y, ny)), dx: Array.from(core.read(dx, nx)) };
  for (const p of [x, w, b, y, dx]) core.free(p);
  core.call('rng_destroy', rng);
  return out;
}
