// The one settings table (csrc/gan/settings.c) and what is derived from it: the core's
// checks hold exactly the bounds the schema states, gan_retune's split follows its live
// flags, a checkpoint carries every setting through save and load, and the page and the
// CLI offer exactly the core's settings with the core's bounds.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { text as SCHEMA_TEXT } from '../build/schema.mjs';
import { CONFIG_KEYS, CoreError, Gan, LOSSES, SCHEMA, STAT_NAMES } from '../web/gan.js';
import { LIVE_KEYS, RESTART_KEYS, SETTINGS, engineKey, parseSetting } from '../web/state.js';
import { core } from './helpers.mjs';

const flag = (name) => name.replace(/_/g, '-');

/** A valid value of a setting other than `from` (by default its default). */
function otherValue(s, from = s.type === 'loss' ? LOSSES[s.default] : s.default) {
  if (s.type === 'loss') return LOSSES[(LOSSES.indexOf(from) + 1) % LOSSES.length];
  if (s.type === 'bool') return 1 - from;
  if (s.type === 'int') return from < s.max ? from + 1 : from - 1;
  const mid = Math.fround((from + s.max) / 2);
  return mid === Math.fround(from) ? s.min : mid;
}

/** Values just outside a setting's bounds (none for the loss: its names are its bounds). */
function outside(s) {
  if (s.type === 'loss') return [LOSSES.length, -1];
  if (s.type === 'float') return [s.min - Math.max(Math.abs(s.min) * 0.01, 1e-3), s.max + Math.max(Math.abs(s.max) * 0.01, 1e-3)];
  return [s.min - 1, s.max + 1];
}

/** gp_config_check's verdict on the default configuration with one setting changed. */
function check(c, name, value) {
  const cfg = c.call('config_create');
  try {
    const bytes = new TextEncoder().encode(`${name}\0`);
    const p = c.m._gp_alloc_bytes(bytes.length);
    c.m.HEAPU8.set(bytes, p);
    const set = c.status('config_set', cfg, p, value), why = c.lastError();
    c.m._gp_free_bytes(p);
    if (set < 0) return why;
    return c.status('config_check', cfg) < 0 ? c.lastError() : 'ok';
  } finally {
    c.status('config_destroy', cfg);
  }
}

test('the schema module is the core\'s own, and names every setting, loss, statistic and status once', async () => {
  const c = await core();
  assert.equal(c.m.UTF8ToString(c.m._gp_schema_json()), SCHEMA_TEXT, 'build/schema.mjs matches build/gan.wasm');
  assert.equal(new Set(CONFIG_KEYS).size, CONFIG_KEYS.length);
  assert.equal(STAT_NAMES.length, c.m._gp_stats_count());
  for (const [name, code] of Object.entries(SCHEMA.status)) {
    assert.equal(c.strerror(code) === 'unknown status', false, `${name} has words`);
  }
  // A fresh configuration holds the table's defaults.
  const cfg = c.call('config_create');
  for (const s of SCHEMA.settings) {
    const bytes = new TextEncoder().encode(`${s.name}\0`), p = c.m._gp_alloc_bytes(bytes.length);
    c.m.HEAPU8.set(bytes, p);
    assert.equal(Math.fround(c.m._gp_config_get(cfg, p)), Math.fround(s.default), `${s.name} default`);
    c.m._gp_free_bytes(p);
  }
  c.status('config_destroy', cfg);
});

test('the core accepts each setting at its bounds and refuses it just outside, naming it', async () => {
  const c = await core();
  for (const s of SCHEMA.settings) {
    if (s.type !== 'loss') {
      assert.equal(check(c, s.name, s.min), 'ok', `${s.name} at its minimum ${s.min}`);
      // the largest batch, latent or width alone still fits the model cap
      assert.equal(check(c, s.name, s.max), 'ok', `${s.name} at its maximum ${s.max}`);
    }
    for (const v of outside(s)) {
      const why = check(c, s.name, v);
      assert.notEqual(why, 'ok', `${s.name} = ${v} accepted`);
      if (s.type !== 'loss') assert.match(why, new RegExp(`^${flag(s.name)} `), `${s.name} = ${v}: ${why}`);
    }
  }
});

test('a running model takes exactly the live settings, and refuses the others as shaping it', async () => {
  const c = await core();
  const base = { preset: 'fast', batch: 4 };
  for (const s of SCHEMA.settings) {
    const g = Gan.create(c, base);
    const now = g.config();
    const change = { ...now, [s.name]: otherValue(s, now[s.name]) };
    if (s.live) {
      g.retune(change);
      const got = g.config()[s.name];
      assert.equal(typeof got === 'string' ? got : Math.fround(got), typeof got === 'string' ? change[s.name] : Math.fround(change[s.name]), `${s.name} applied live`);
    } else {
      assert.throws(() => g.retune(change), (e) => e instanceof CoreError && e.reason.startsWith(`${s.name} shapes the model`), s.name);
    }
    g.destroy();
  }
});

test('a checkpoint carries every setting of the table through save and load', async () => {
  const c = await core();
  const config = { preset: 'fast', batch: 4, latent: 8 };
  for (const s of SCHEMA.settings) if (!(s.name in config)) config[s.name] = otherValue(s);
  config.d_layers = 3; // every part of the model present, so every block is saved
  const g = Gan.create(c, config);
  const want = g.config();
  for (const s of SCHEMA.settings) {
    if (s.name === 'batch' || s.name === 'latent' || s.name === 'd_layers') continue;
    const v = want[s.name];
    assert.notEqual(typeof v === 'string' ? v : Math.fround(v), typeof v === 'string' ? LOSSES[s.default] : Math.fround(s.default), `${s.name} is off its default in the saved model`);
  }
  const back = Gan.fromCheckpoint(c, g.checkpoint());
  assert.deepEqual(back.config(), want);
  g.destroy();
  back.destroy();
});

test('the page offers the core\'s settings with the core\'s bounds, and restarts for exactly the shaping ones', () => {
  const byName = Object.fromEntries(SCHEMA.settings.map((s) => [s.name, s]));
  for (const [key, [kind, , min, max]] of Object.entries(SETTINGS)) {
    const e = engineKey(key);
    if (!e) continue;
    const s = byName[e];
    if (key === 'smoothing') {
      assert.equal(max, Number((1 - s.min).toPrecision(6)), 'smoothing is 1 - real_label');
      assert.ok(parseSetting(key, String(max + 0.01)) instanceof Error);
      continue;
    }
    if (kind === 'int' || kind === 'number') {
      assert.deepEqual([min, max], [s.min, s.max], `${key}: the page's bounds`);
      assert.equal(parseSetting(key, String(s.max)), s.max);
      assert.ok(parseSetting(key, String(outside(s)[1])) instanceof Error, `${key} above its maximum`);
    }
    assert.equal(RESTART_KEYS.includes(key), !s.live, `${key}: restarts iff it shapes the model`);
  }
  assert.deepEqual(LIVE_KEYS, LIVE_KEYS.filter((k) => byName[k].live));
  assert.deepEqual(SETTINGS.loss[2], LOSSES);
});

test('the CLI has one flag per setting, and its help lists each with the core\'s bounds', () => {
  const r = spawnSync(process.execPath, ['tools/gan.mjs', '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const s of SCHEMA.settings) {
    const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith(`--${flag(s.name)} `));
    assert.ok(line, `--${flag(s.name)} in the usage`);
    if (s.type === 'int' || s.type === 'float') assert.ok(line.includes(`(${s.min}..${s.max})`), line);
    assert.equal(line.endsWith('[model]'), !s.live, line);
  }
});
