#!/usr/bin/env node
// serve.mjs - the playground's static server: web/ at the root, build/ under /build/,
// data/generated/ (the gzipped datasets and mode meters make data prepares) under /data/.
// Correct MIME types (application/wasm included), cross-origin isolation headers (so
// SharedArrayBuffer, hence the page's threads), a Content-Security-Policy for the page,
// ETag/Last-Modified with 304 answers, GET/HEAD only, and nothing outside the mounted
// folders: paths are decoded, normalised and resolved (symlinks too) before they are
// checked against their folder. No request, however malformed, takes the server down.
//
//   node tools/serve.mjs            serves http://127.0.0.1:8000 (PORT=... to change)
//   node tools/serve.mjs --root DIR serves one folder at the root instead (make dist's dist/)
//   node tools/serve.mjs --no-isolation  without the cross-origin isolation headers, as a
//                                   plain static host serves: the page trains on one thread

import { createReadStream, existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The page's Content-Security-Policy. Browsers apply it to documents and workers only, so
// it rides on every file of the default mounts (worker.js and, later, Emscripten's pthread
// Workers need it as much as index.html). Scripts: same-origin files only, no inline script
// or eval; 'wasm-unsafe-eval' lets WebAssembly compile (Chromium asks for it once
// script-src is set). Styles allow 'unsafe-inline' for the style="--c:..." swatches in
// index.html: a style attribute cannot run code, and the page writes no untrusted markup.
// img-src data: is for the empty favicon (<link rel="icon" href="data:,">). No
// frame-ancestors: course material embeds the page from other origins.
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

// A mount without csp (a test's own fixtures, say) is served without a policy.
export const DEFAULT_MOUNTS = [
  { prefix: '/build/', dir: path.join(ROOT, 'build'), csp: PAGE_CSP },
  { prefix: '/data/', dir: path.join(ROOT, 'data', 'generated'), csp: PAGE_CSP },
  { prefix: '/', dir: path.join(ROOT, 'web'), csp: PAGE_CSP },
];

/** One folder at the root, with the page's policy: a folder make dist wrote (tools/dist.mjs). */
export const rootMounts = (root) => [{ prefix: '/', dir: path.resolve(root), csp: PAGE_CSP }];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.gz': 'application/gzip',
};

// Cross-origin isolation: what SharedArrayBuffer, so the page's threads, need.
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const BASE = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};
const HEADERS = { ...ISOLATION, ...BASE };

/**
 * The path a request target names: origin-form '/a/b?q', or absolute-form 'http://host/a/b'
 * (which HTTP/1.1 servers must accept); null for anything else ('*', '%', 'x:y').
 */
function targetPath(target) {
  if (target.startsWith('/')) return target.replace(/[?#].*$/s, '');
  if (!/^https?:\/\//i.test(target)) return null;
  try {
    return new URL(target).pathname;
  } catch {
    return null;
  }
}

/** The file a URL path names inside one of the mounts, as { file, mount, stats }, or null. */
async function resolve(mounts, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const mount = mounts.find((m) => decoded.startsWith(m.prefix));
  if (!mount) return null;
  const rel = path.posix.normalize(decoded.slice(mount.prefix.length));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  let file = path.join(mount.dir, rel);
  try {
    const dir = await realpath(mount.dir);
    file = await realpath(file);
    if (file !== dir && !file.startsWith(dir + path.sep)) return null;
    if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
    const stats = await stat(file);
    return stats.isFile() ? { file, mount, stats } : null;
  } catch {
    return null; // missing, a name too long, a loop of links: not found all the same
  }
}

/** A weak validator: the bytes are the file's, but size and mtime only stand for them. */
const etagOf = (stats) => `W/"${stats.size.toString(16)}-${Math.round(stats.mtimeMs * 1000).toString(16)}"`;

/**
 * Whether a GET or HEAD may be answered 304 (RFC 9110 13.1.2, 13.1.3, 13.2.2): If-None-Match,
 * when present, decides alone (weak comparison); otherwise If-Modified-Since, to the second.
 */
function notModified(headers, etag, mtime) {
  const inm = headers['if-none-match'];
  if (inm !== undefined) {
    const opaque = (tag) => tag.trim().replace(/^W\//, '');
    return inm.trim() === '*' || inm.split(',').some((tag) => opaque(tag) === opaque(etag));
  }
  const since = Date.parse(headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && Math.floor(mtime.getTime() / 1000) * 1000 <= since;
}

/** A short plain-text answer (res.base: the headers every answer carries). */
function send(req, res, code, text, headers = {}) {
  res.writeHead(code, { ...(res.base ?? HEADERS), ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
}

/** Answers one request; anything it throws is the caller's 500. */
async function answer(mounts, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(req, res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
  }
  const urlPath = targetPath(req.url);
  if (urlPath === null) return send(req, res, 400, 'bad request target');
  const found = await resolve(mounts, urlPath);
  if (!found) return send(req, res, 404, 'not found');
  const { file, mount, stats } = found;
  const etag = etagOf(stats);
  const headers = {
    ...res.base,
    ...(mount.csp && { 'Content-Security-Policy': mount.csp }),
    ETag: etag,
    'Last-Modified': stats.mtime.toUTCString(),
  };
  if (notModified(req.headers, etag, stats.mtime)) {
    res.writeHead(304, headers);
    return res.end();
  }
  const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': stats.size });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

/** isolation: false leaves out the cross-origin isolation headers (a plain static host's answers). */
export function createServer({ mounts = DEFAULT_MOUNTS, isolation = true } = {}) {
  const base = isolation ? HEADERS : BASE;
  return http.createServer((req, res) => {
    res.base = base;
    answer(mounts, req, res).catch((err) => {
      // A bug costs one request its answer (500), never the server its life.
      console.error(`serve.mjs: ${req.method} ${JSON.stringify(req.url)}: ${err.stack ?? err}`);
      if (res.headersSent) res.destroy();
      else send(req, res, 500, 'internal server error');
    });
  });
}

/**
 * Starts a server (mounts, or root: one folder; isolation: createServer's); resolves to
 * { server, url } once it listens.
 */
export function listen({ port = 8000, host = '127.0.0.1', mounts, root, isolation = true } = {}) {
  const server = createServer({ mounts: mounts ?? (root === undefined ? undefined : rootMounts(root)), isolation });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolveListen({ server, url: `http://${host}:${actual}/` });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const port = process.env.PORT === undefined ? 8000 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve.mjs: PORT must be a port number, not '${process.env.PORT}'`);
    process.exit(2);
  }
  const args = process.argv.slice(2);
  const isolation = !args.includes('--no-isolation');
  if (!isolation) args.splice(args.indexOf('--no-isolation'), 1);
  let root;
  if (args.length === 2 && args[0] === '--root') {
    root = path.resolve(args[1]);
    if (!existsSync(path.join(root, 'index.html'))) {
      console.error(`serve.mjs: ${root} has no index.html (make dist writes dist/)`);
      process.exit(2);
    }
  } else if (args.length) {
    console.error('usage: node tools/serve.mjs [--root DIR] [--no-isolation]');
    process.exit(2);
  }
  listen({ port, root, isolation }).then(
    ({ url }) => console.log(`gan-playground: serving on ${url}${root ? ` (${root})` : ''}${isolation ? '' : ' without cross-origin isolation (one thread)'}`),
    (err) => {
      console.error(`serve.mjs: cannot listen on 127.0.0.1:${port}: ${err.code ?? err.message}`);
      process.exit(1);
    },
  );
}
