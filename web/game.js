// game.js - "Real or fake?", the Turing test life-size: a view of the page (the #game
// card) where the class plays D. A round (session.js gameRound, made in the Worker) is 16
// images, some real test images and some of G's, in random places; the player marks the
// ones they think fake and presses Check, then every image is revealed with D's own verdict
// on it, and a tally over the rounds compares the player with D on the same images.
//
// The truth (which are fake, D's scores) stays in this module's memory until Check: nothing
// of it is written into the DOM before (no attribute, class, label or hidden text).
//
//   const game = new Game(root, openButton, { send, lang: () => 'fr', dataset: () => 'mnist', onToggle });
//   worker message 'round' -> game.onRound(msg); language change -> game.relabel()
import { drawImages } from './draw.js';
import { num, pct, t } from './i18n.js';

export const TILES = 16;

/**
 * D's verdict on an image from its raw score: real when score >= the round's threshold
 * (session.js dThreshold, per cost), and the number to show: D(x) = sigmoid(score) for the
 * classifier costs (ns, minimax), the raw score for the others.
 */
export function verdict(round, score) {
  const probability = round.cost === 'ns' || round.cost === 'minimax';
  return { real: score >= round.threshold, probability, value: probability ? 1 / (1 + Math.exp(-score)) : score };
}

/**
 * A number for the projector: 2 decimals (2 significant figures when smaller), a true minus
 * sign. Given the boundary of D's verdict and which side v is on, more decimals when 2
 * would put it on the boundary or across it (D(x) = 0.4996 shows 0.4996, not 0.50 beside "fake").
 */
export function formatValue(lang, v, boundary = null, above = null) {
  let text = Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(2) : v.toPrecision(2);
  for (let d = 3; boundary !== null && d <= 8; d++) {
    const r = Number(text);
    if (above ? r >= boundary : r < boundary) break;
    text = v.toFixed(d);
  }
  return num(lang, text).replace('-', '−');
}

/** D's number on a tile, as formatValue shows it beside the verdict. */
export const verdictText = (lang, round, v) => formatValue(lang, v.value, v.probability ? 1 / (1 + Math.exp(-round.threshold)) : round.threshold, v.real);

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

export class Game {
  constructor(root, openButton, { send, lang, dataset, onToggle = () => {} }) {
    this.root = root;
    this.openButton = openButton;
    this.send = send;
    this.lang = lang;
    this.dataset = dataset;
    this.onToggle = onToggle;
    this.round = null;    // the round on show: images, truth, D's scores (memory only until revealed)
    this.marked = new Set();
    this.revealed = false;
    this.pending = 0;     // id of the round asked for (0: none); older answers are dropped
    this.nextId = 1;
    this.error = null;
    this.ready = false;   // the Worker has a model (app.js calls start() once it is asked to build one)
    this.tally = { rounds: 0, images: 0, you: 0, d: 0 };
    this.build();
    openButton.addEventListener('click', () => (this.isOpen ? this.close() : this.open()));
  }

  get isOpen() {
    return !this.root.hidden;
  }

  build() {
    this.title = el('h2', { id: 'game-title' });
    this.closeButton = el('button', { type: 'button', className: 'close' }, '×');
    this.closeButton.dataset.testid = 'game-close';
    this.closeButton.addEventListener('click', () => this.close());
    this.intro = el('p', { className: 'game-intro' });
    this.grid = el('div', { className: 'game-grid' });
    this.grid.dataset.testid = 'game-grid';
    this.tiles = Array.from({ length: TILES }, (_, i) => {
      const canvas = el('canvas', { width: 28, height: 28 });
      const badge = el('span', { className: 'badge' });
      const caption = el('span', { className: 'caption' });
      const tile = el('button', { type: 'button', className: 'tile' }, canvas, badge, caption);
      tile.dataset.testid = `game-tile-${i}`;
      tile.addEventListener('click', () => this.toggle(i));
      this.grid.append(tile);
      return { tile, canvas, badge, caption };
    });
    this.checkButton = el('button', { type: 'button', className: 'primary' });
    this.checkButton.dataset.testid = 'game-check';
    this.checkButton.addEventListener('click', () => this.check());
    this.newButton = el('button', { type: 'button' });
    this.newButton.dataset.testid = 'game-new';
    this.newButton.addEventListener('click', () => this.newRound());
    this.status = el('p', { className: 'game-status' });
    this.status.dataset.testid = 'game-status';
    this.status.setAttribute('aria-live', 'polite');
    this.result = el('p', { className: 'game-result' });
    this.result.dataset.testid = 'game-result';
    this.tallyLine = el('p', { className: 'game-tally' });
    this.tallyLine.dataset.testid = 'game-tally';
    this.rule = el('p', { className: 'game-rule' });
    this.rule.dataset.testid = 'game-rule';
    const head = el('div', { className: 'game-head' }, this.title, this.closeButton);
    const actions = el('div', { className: 'game-actions' }, this.checkButton, this.newButton);
    const side = el('div', { className: 'game-side' }, this.intro, actions, this.status, this.result, this.rule, this.tallyLine);
    this.root.setAttribute('aria-labelledby', 'game-title');
    this.root.replaceChildren(head, el('div', { className: 'game-body' }, this.grid, side));
    this.relabel();
  }

  open({ scroll = true } = {}) {
    const was = this.isOpen;
    this.root.hidden = false;
    this.openButton.setAttribute('aria-expanded', 'true');
    this.send('gameOpen', { name: this.dataset() }); // the test images, fetched only now
    if (this.ready && !this.round && !this.pending) this.newRound();
    if (scroll) this.root.scrollIntoView({ block: 'start' });
    if (!was) this.onToggle(true);
  }

  /** The Worker is building its first model: rounds can be asked for from now on. */
  start() {
    this.ready = true;
    if (this.isOpen && !this.round && !this.pending) this.newRound();
  }

  close() {
    if (!this.isOpen) return;
    this.root.hidden = true;
    this.openButton.setAttribute('aria-expanded', 'false');
    this.openButton.focus();
    this.onToggle(false);
  }

  newRound() {
    if (!this.ready) return;
    this.pending = this.nextId++;
    this.error = null;
    this.send('gameRound', { id: this.pending, name: this.dataset() });
    this.render();
  }

  /** The Worker's answer to gameRound: { id, images, fake, source, scores, ... } or { id, error }. */
  onRound(msg) {
    if (msg.id !== this.pending) return;
    this.pending = 0;
    if (msg.error) {
      this.error = msg.error;
      this.render();
      return;
    }
    this.round = msg;
    this.marked = new Set();
    this.revealed = false;
    this.render();
  }

  toggle(i) {
    if (!this.round || this.revealed || this.pending) return;
    if (this.marked.has(i)) this.marked.delete(i);
    else this.marked.add(i);
    this.renderTile(i);
  }

  check() {
    if (!this.round || this.revealed || this.pending) return;
    const r = this.round;
    let you = 0, d = 0;
    for (let i = 0; i < TILES; i++) {
      const fake = !!r.fake[i];
      if (this.marked.has(i) === fake) you++;
      if (verdict(r, r.scores[i]).real !== fake) d++;
    }
    r.outcome = { you, d };
    this.tally.rounds++;
    this.tally.images += TILES;
    this.tally.you += you;
    this.tally.d += d;
    this.revealed = true;
    const fromCheck = document.activeElement === this.checkButton;
    this.render();
    if (fromCheck) this.newButton.focus(); // Check is disabled now: the next thing to press
  }

  relabel() {
    const L = this.lang();
    this.title.textContent = t(L, 'gameTitle');
    this.closeButton.setAttribute('aria-label', t(L, 'gameClose'));
    this.closeButton.title = t(L, 'gameClose');
    this.checkButton.textContent = t(L, 'gameCheck');
    this.newButton.textContent = t(L, 'gameNew');
    this.openButton.textContent = t(L, 'gameOpen');
    this.openButton.setAttribute('aria-expanded', String(this.isOpen));
    this.grid.setAttribute('aria-label', t(L, 'gameGrid'));
    this.render();
  }

  renderTile(i) {
    const L = this.lang(), r = this.round, { tile, badge, caption } = this.tiles[i];
    const marked = this.marked.has(i);
    tile.classList.toggle('marked', marked);
    tile.setAttribute('aria-pressed', String(marked));
    tile.disabled = !r; // kept focusable while a new round is on its way, so the keyboard keeps its place
    tile.setAttribute('aria-disabled', String(this.revealed || !!this.pending));
    if (!r || !this.revealed) {
      // Before Check: only what the player did, nothing of the truth.
      tile.classList.remove('real', 'fake', 'right', 'wrong');
      for (const k of ['truth', 'source', 'score', 'verdict', 'marked']) delete tile.dataset[k];
      badge.textContent = marked ? t(L, 'gameMark') : '';
      caption.replaceChildren();
      tile.setAttribute('aria-label', t(L, 'gameTile', { n: i + 1 }));
      return;
    }
    const fake = !!r.fake[i], v = verdict(r, r.scores[i]), youRight = marked === fake, dRight = v.real !== fake;
    tile.classList.toggle('real', !fake);
    tile.classList.toggle('fake', fake);
    tile.classList.toggle('right', youRight);
    tile.classList.toggle('wrong', !youRight);
    Object.assign(tile.dataset, {
      truth: fake ? 'fake' : 'real', source: String(r.source[i]), score: String(r.scores[i]),
      verdict: v.real ? 'real' : 'fake', marked: marked ? 'fake' : 'real',
    });
    badge.textContent = t(L, fake ? 'gameFake' : 'gameReal');
    const you = el('span', { className: youRight ? 'ok' : 'ko' }, t(L, 'gameYou', { said: t(L, marked ? 'gameSaysFake' : 'gameSaysReal'), mark: youRight ? '✓' : '✗' }));
    const d = el('span', { className: dRight ? 'ok' : 'ko' }, t(L, 'gameD', {
      mark: dRight ? '✓' : '✗', verdict: t(L, v.real ? 'gameSaysReal' : 'gameSaysFake'), value: verdictText(L, r, v),
    }));
    d.dataset.testid = 'game-d';
    caption.replaceChildren(you, d);
    tile.setAttribute('aria-label', `${t(L, 'gameTile', { n: i + 1 })}: ${badge.textContent}. ${you.textContent}. ${d.textContent}.`);
  }

  render() {
    const L = this.lang(), r = this.round;
    this.intro.textContent = t(L, (r?.name ?? this.dataset()) === 'fashion' ? 'gameIntroFashion' : 'gameIntro');
    this.root.classList.toggle('revealed', this.revealed);
    if (r && this.drawn !== r) {
      for (let i = 0; i < TILES; i++) drawImages(this.tiles[i].canvas, r.images.subarray(i * 784, (i + 1) * 784), 1, 1, 0);
      this.drawn = r;
    }
    for (let i = 0; i < TILES; i++) this.renderTile(i);
    this.checkButton.disabled = !r || this.revealed || !!this.pending;
    this.status.textContent = this.pending || (!r && !this.error) ? t(L, 'gameLoading') : this.error ? t(L, 'gameError', { msg: this.error }) : '';
    this.status.classList.toggle('warn', !!this.error && !this.pending);
    if (r && this.revealed) {
      const fakes = r.fake.reduce((a, b) => a + b, 0);
      this.result.textContent = t(L, 'gameRound', { reals: TILES - fakes, fakes, step: r.step, you: r.outcome.you, d: r.outcome.d });
      this.rule.textContent = this.ruleText(L, r);
      this.rule.dataset.threshold = String(r.threshold); // where D's verdicts split, once shown
    } else {
      this.result.textContent = '';
      this.rule.textContent = '';
      delete this.rule.dataset.threshold;
    }
    this.result.hidden = !this.result.textContent;
    this.rule.hidden = !this.rule.textContent;
    const T = this.tally;
    this.tallyLine.textContent = !T.rounds ? t(L, 'gameTallyNone') : t(L, T.rounds === 1 ? 'gameTally1' : 'gameTally', {
      rounds: T.rounds, n: T.images, you: T.you, d: T.d, youPct: pct(L, T.you / T.images), dPct: pct(L, T.d / T.images),
    });
  }

  /** How D's verdict was read off its score, for the cost the round was scored with. */
  ruleText(L, r) {
    const prob = r.cost === 'ns' || r.cost === 'minimax';
    const rule = r.cost === 'wgan' ? t(L, 'gameRuleWgan', { m: formatValue(L, r.threshold) })
      // a batch-norm D is read at its own midpoint, whatever the cost (session.js dThreshold)
      : r.calibrated ? t(L, prob ? 'gameRuleBnProb' : 'gameRuleBnScore', { m: formatValue(L, prob ? 1 / (1 + Math.exp(-r.threshold)) : r.threshold) })
        : prob ? t(L, 'gameRuleProb')
          : r.cost === 'lsgan' ? t(L, 'gameRuleLsgan', { t: formatValue(L, r.realLabel), h: formatValue(L, r.threshold) })
            : t(L, 'gameRuleHinge');
    // What makes D's answer on one image differ from what it learnt on whole batches.
    const notes = [r.mbstd && t(L, 'gameRuleMbstd', { n: Math.min(r.batch, TILES) })].filter(Boolean);
    return [rule, ...notes].join(' ');
  }
}
