#!/usr/bin/env node
// serve.mjs - the playground's static server: web/ at the root, build/ under /build/,
// data/generated/ (the gzipped datasets and mode meters make data prepares) under /data/.
// Correct MIME types (application/wasm included), cross-origin isolation headers (so
// SharedArrayBuffer and threads can come later), GET/HEAD only, and nothing outside the
// mounted folders: paths are decoded, normalised and resolved (symlinks too) before they
// are checked against their folder.
//
//   node tools/serve.mjs            serves http://127.0.0.1:8000 (PORT=... to change)

import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const DEFAULT_MOUNTS = [
  { prefix: '/build/', dir: path.join(ROOT, 'build') },
  { prefix: '/data/', dir: path.join(ROOT, 'data', 'generated') },
  { prefix: '/', dir: path.join(ROOT, 'web') },
];

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

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

/** The file a URL path names inside one of the mounts, or null. */
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
    return (await stat(file)).isFile() ? file : null;
  } catch {
    return null;
  }
}

export function createServer({ mounts = DEFAULT_MOUNTS } = {}) {
  return http.createServer(async (req, res) => {
    const send = (code, text) => {
      res.writeHead(code, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    const urlPath = new URL(req.url, 'http://localhost').pathname;
    const file = await resolve(mounts, urlPath);
    if (!file) return send(404, 'not found');
    const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const { size } = await stat(file);
    res.writeHead(200, { ...HEADERS, 'Content-Type': type, 'Content-Length': size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });
}

/** Starts a server; resolves to { server, url } once it listens. */
export function listen({ port = 8000, host = '127.0.0.1', mounts } = {}) {
  const server = createServer({ mounts });
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
  listen({ port }).then(
    ({ url }) => console.log(`gan-playground: serving on ${url}`),
    (err) => {
      console.error(`serve.mjs: cannot listen on 127.0.0.1:${port}: ${err.code ?? err.message}`);
      process.exit(1);
    },
  );
}
