// state.js - the playground's settings as one table that round-trips through the URL
// hash, so a link reproduces a configuration. No DOM: the page and Node tests use it.
//
//   #dataset=fashion&preset=strong-d&lr_d=0.001&lang=fr&hide=loss,seed&embed=1&play=1
//   #checkpoint=mnist-digits&play=1
//   #preset=strong-d&present=1&hide=losses,history,strip,realfake
//
// Training settings (SETTINGS) say what to train; view options (lang, hide, show, embed,
// present, play, game=1 for "Real or fake?", tour=N for the guided tour, threads=N for the
// training threads) say how to show or run it; checkpoint names a trained model to start from (the file
// data/checkpoints/NAME.gan on the server). Every value is checked: a bad one is reported
// by name and left at its default, never passed on to the engine.

import SCHEMA from '../build/schema.mjs';
import { STEPS as TOUR } from './tour.js';

export const DATASETS = ['mnist', 'fashion'];
export const LOSSES = [...SCHEMA.losses];
export const LANGS = ['en', 'fr'];
// A checkpoint name becomes part of a URL path on the server: letters, digits and dashes only.
export const CHECKPOINT_NAME = /^[a-z0-9-]{1,40}$/;
// threads=N: the training threads, 1 to gan.js's MAX_THREADS (the core refuses more). They
// run only on a cross-origin isolated page; elsewhere the page trains on one and says so.
export const MAX_THREADS = 64;

// The core's settings (csrc/gan/settings.c, through build/schema.mjs): their defaults and
// bounds are gan_config_check's, so the page refuses exactly what the engine would.
const ENGINE = Object.fromEntries(SCHEMA.settings.map((s) => [s.name, s]));
function fromEngine(key) {
  const s = ENGINE[key];
  if (s.type === 'loss') return ['choice', LOSSES[s.default], LOSSES];
  if (s.type === 'bool') return ['bool', !!s.default];
  return [s.type === 'float' ? 'number' : 'int', s.default, s.min, s.max];
}

// name: [kind, default, min, max]. dataset and preset are the page's own; smoothing is
// the page's name for the engine's real_label (1 - smoothing); the rest are engine keys.
export const SETTINGS = {
  dataset: ['choice', 'mnist', DATASETS],
  preset: ['name', 'balanced'],
  loss: fromEngine('loss'),
  lr_g: fromEngine('lr_g'),
  lr_d: fromEngine('lr_d'),
  d_steps: fromEngine('d_steps'),
  batch: fromEngine('batch'),
  smoothing: ['number', round(1 - ENGINE.real_label.default), 0, round(1 - ENGINE.real_label.min)],
  mbstd: fromEngine('mbstd'),
  seed: fromEngine('seed'),
};
/** The engine key a page setting sets (null for the page's own). */
export const engineKey = (key) => (key === 'smoothing' ? 'real_label' : ENGINE[key] ? key : null);

// What a link can hide (hide=a,b,...): controls (the page's data-control names; 'controls'
// hides the whole panel) and views (the cards' data-view names), so a lesson shows only
// what it is about.
export const CONTROLS = [
  'controls', 'presets', 'dataset', 'loss', 'lr_g', 'lr_d', 'd_steps', 'batch', 'smoothing',
  'mbstd', 'seed', 'threads', 'steppers', 'checkpoint', 'lang',
];
export const VIEWS = ['samples', 'dout', 'grad', 'costgrad', 'losses', 'realfake', 'meter', 'history', 'pdata', 'strip', 'film'];
export const HIDEABLE = [...CONTROLS, ...VIEWS];

// Settings that shape the model or its data: changing one starts a new model.
export const RESTART_KEYS = Object.keys(SETTINGS).filter((k) => k === 'dataset' || (engineKey(k) && !ENGINE[engineKey(k)].live));
// Engine keys (engineConfig) a running model takes live; a link's apply over its checkpoint.
export const LIVE_KEYS = Object.keys(SETTINGS).map(engineKey).filter((k) => k && ENGINE[k].live);

export function defaults() {
  return Object.fromEntries(Object.entries(SETTINGS).map(([k, [, d]]) => [k, d]));
}

/** A setting's value from text, or an Error naming the problem. */
export function parseSetting(key, text) {
  const spec = SETTINGS[key];
  if (!spec) return new Error(`unknown setting '${key}'`);
  const [kind, , a, b] = spec;
  if (kind === 'choice') return a.includes(text) ? text : new Error(`${key} must be one of ${a.join(', ')}, not '${text}'`);
  if (kind === 'name') return /^[a-z0-9-]{1,32}$/.test(text) ? text : new Error(`${key} '${text}' is not a preset name`);
  if (kind === 'bool') {
    if (text === '1' || text === 'true') return true;
    if (text === '0' || text === 'false') return false;
    return new Error(`${key} must be 0 or 1, not '${text}'`);
  }
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) return new Error(`${key} must be a number, not '${text}'`);
  if (kind === 'int' && !Number.isInteger(v)) return new Error(`${key} must be a whole number, not '${text}'`);
  if (v < a || v > b) return new Error(`${key} must be between ${a} and ${b}, not ${text}`);
  return v;
}

/**
 * Reads a URL hash (or query) string: { settings, given, lang, hide, show, embed, present,
 * play, game, tour, threads, checkpoint, errors } (show: views an embed shows besides its own, e.g.
 * show=film; tour: the guided tour's step to open at, 0 for none; threads: the count of
 * training threads asked for, null for the default, every core). Unknown or bad parameters land in errors (one line each) and
 * change nothing.
 */
export function fromHash(hash) {
  const params = new URLSearchParams(hash.replace(/^[#?]/, ''));
  const out = {
    settings: defaults(), given: new Set(), lang: null, hide: new Set(), show: new Set(), embed: false, present: false, play: false,
    game: false, tour: 0, threads: null,
    checkpoint: null, errors: [],
  };
  for (const [key, text] of params) {
    if (key === 'checkpoint') {
      if (CHECKPOINT_NAME.test(text)) out.checkpoint = text;
      else out.errors.push(`checkpoint '${text}' is not a checkpoint name (1 to 40 of a-z, 0-9 and -)`);
    } else if (key === 'lang') {
      if (LANGS.includes(text)) out.lang = text;
      else out.errors.push(`lang must be one of ${LANGS.join(', ')}, not '${text}'`);
    } else if (key === 'hide') {
      for (const name of text.split(',').filter(Boolean)) {
        if (HIDEABLE.includes(name)) out.hide.add(name);
        else out.errors.push(`hide: no control or view named '${name}' (controls: ${CONTROLS.join(', ')}; views: ${VIEWS.join(', ')})`);
      }
    } else if (key === 'show') {
      for (const name of text.split(',').filter(Boolean)) {
        if (VIEWS.includes(name)) out.show.add(name);
        else out.errors.push(`show: no view named '${name}' (views: ${VIEWS.join(', ')})`);
      }
    } else if (key === 'tour') {
      if (/^\d{1,2}$/.test(text) && Number(text) >= 1 && Number(text) <= TOUR.length) out.tour = Number(text);
      else out.errors.push(`tour must be a step from 1 to ${TOUR.length}, not '${text}'`);
    } else if (key === 'threads') {
      if (/^\d{1,2}$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_THREADS) out.threads = Number(text);
      else out.errors.push(`threads must be a whole number from 1 to ${MAX_THREADS}, not '${text}'`);
    } else if (key === 'embed' || key === 'present' || key === 'play' || key === 'game') {
      out[key] = text === '1' || text === 'true';
    } else {
      const v = parseSetting(key, text);
      if (v instanceof Error) out.errors.push(v.message);
      else {
        out.settings[key] = v;
        out.given.add(key);
      }
    }
  }
  return out;
}

/**
 * The hash for settings and view options; view options only when they are not the
 * default. checkpoint first: the model it names is where the settings after it apply.
 */
export function toHash(settings, {
  lang, hide = new Set(), show = new Set(), embed = false, present = false, play = false, checkpoint = null, game = false, tour = 0,
  threads = null,
} = {}) {
  const params = new URLSearchParams();
  if (checkpoint) params.set('checkpoint', checkpoint);
  for (const key of Object.keys(SETTINGS)) params.set(key, String(settings[key] === true ? 1 : settings[key] === false ? 0 : settings[key]));
  if (lang) params.set('lang', lang);
  if (hide.size) params.set('hide', [...hide].join(','));
  if (show.size) params.set('show', [...show].join(','));
  if (embed) params.set('embed', '1');
  if (present) params.set('present', '1');
  if (play) params.set('play', '1');
  if (game) params.set('game', '1');
  if (tour) params.set('tour', String(tour));
  if (threads) params.set('threads', String(threads));
  return `#${params.toString().replace(/%2C/g, ',')}`;
}

/** The page settings a preset's engine configuration implies (dataset and seed are kept). */
export function settingsFromPreset(settings, preset) {
  const c = preset.config;
  return {
    ...settings, preset: preset.name, loss: c.loss, lr_g: round(c.lr_g), lr_d: round(c.lr_d),
    d_steps: c.d_steps, batch: c.batch, smoothing: round(1 - c.real_label), mbstd: !!c.mbstd,
  };
}

/** The engine configuration for page settings: the preset, then the page's values over it. */
export function engineConfig(s) {
  return {
    preset: s.preset, loss: s.loss, lr_g: s.lr_g, lr_d: s.lr_d, d_steps: s.d_steps,
    batch: s.batch, real_label: 1 - s.smoothing, mbstd: s.mbstd, seed: s.seed,
  };
}

/** float32 values as the short decimals they were written as (2e-4, not 0.000199999994). */
export function round(v) {
  return Number(v.toPrecision(6));
}
