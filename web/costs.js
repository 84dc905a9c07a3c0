// costs.js - what the cost-dependent charts plot for each cost, and a chart that follows
// the cost of the statistics it is given.
//
// D's view: ns and minimax train D as a classifier, so its answers are probabilities with
// the ½ line of the Nash equilibrium. LSGAN, hinge and WGAN train on D's raw score, which
// is not a probability: a generated image LSGAN rejects perfectly scores 0, and drawing
// sigmoid(0) = ½ would put it on the Nash line. Those costs show the raw scores against
// their own targets (LSGAN 1 and 0, hinge's margins +1 and -1; WGAN has none: its gap alone).
//
// The cost lesson: in each G step, the gradient on D's logit that each classic cost would
// give G, 1 - D(G(z)) (non-saturating) and D(G(z)) (minimax), whatever cost is in use.
import { LineChart } from './chart.js';

export const REAL = '#2b8a3e', FAKE = '#c2255c', GAP = '#e67700', GAP_STEP = '#f2b872';
export const GAP_MEAN = 50; // steps in the WGAN gap's moving mean
export const NS = '#1c7ed6', MINIMAX = '#e8590c';

/** D's view for a cost: the kind of values, the i18n keys of its texts, series and lines. */
export function dView(cost, { realLabel = 1 } = {}) {
  if (cost === 'ns' || cost === 'minimax') {
    return {
      kind: 'probability', title: 'dOut', hint: 'nash',
      series: [{ key: 'd_real', color: REAL, label: 'dReal' }, { key: 'd_fake', color: FAKE, label: 'dFake' }],
      opts: { min: 0, max: 1, refs: [{ y: 0.5, label: 'refNash' }] },
    };
  }
  const scores = [
    { key: 'score_real', color: REAL, label: 'scoreReal' },
    { key: 'score_fake', color: FAKE, label: 'scoreFake' },
  ];
  if (cost === 'lsgan') {
    return {
      kind: 'lsgan', title: 'dOutLsgan', hint: 'hintLsgan', series: scores,
      opts: { refs: [{ y: realLabel, label: 'refTargetReal', color: REAL }, { y: 0, label: 'refTargetFake', color: FAKE }] },
    };
  }
  if (cost === 'hinge') {
    return {
      kind: 'hinge', title: 'dOutHinge', hint: 'hintHinge', series: scores,
      opts: { refs: [{ y: 1, label: 'refMarginReal', color: REAL }, { y: -1, label: 'refMarginFake', color: FAKE }] },
    };
  }
  // WGAN's critic has no fixed scale: both scores drift together, by tens, from step to
  // step, and a gap that shrinks from about 1 to 0.2 drawn beside them looks flat. Only the
  // gap is drawn, each step's (thin) and its mean over the last GAP_MEAN steps (bold), the
  // line a class watches fall towards 0.
  const gap = (p) => (p.score_real === undefined ? NaN : p.score_real - p.score_fake);
  return {
    kind: 'wgan', title: 'dOutWgan', hint: 'hintWgan',
    series: [
      { key: 'gap', color: GAP_STEP, width: 1, label: 'scoreGap', value: gap },
      { key: 'gap_mean', color: GAP, width: 2.6, label: 'scoreGapMean', value: gap, mean: GAP_MEAN },
    ],
    opts: { refs: [{ y: 0, label: 'refNoGap' }] },
  };
}

/** The cost lesson's view: both costs' gradients on one log scale, the cost in use emphasised. */
export function gradientView(cost) {
  const style = (mine) => (cost === mine ? { width: 2.8 } : cost === 'ns' || cost === 'minimax' ? { width: 1.2, dash: [5, 3] } : { width: 1.6 });
  return {
    kind: 'gradients', title: 'costGrad', hint: 'costGradHint',
    series: [
      { key: 'grad_ns', color: NS, label: 'gradNs', chosen: cost === 'ns', ...style('ns') },
      { key: 'grad_minimax', color: MINIMAX, label: 'gradMinimax', chosen: cost === 'minimax', ...style('minimax') },
    ],
    opts: { log: true },
  };
}

/**
 * A LineChart whose view follows the cost of the points it is given (each point names its
 * cost). A change of cost within the same kind of values (ns and minimax both plot
 * probabilities) marks the step where it happened; a change to another kind of values
 * starts the lines afresh, marked at their first step.
 *   layout(cost, context) -> { kind, title, hint, series: [{ key, color, label, ... }], opts }
 *   text(key) -> the words in the page's language (labels of lines, marks)
 */
export class CostChart {
  constructor(canvas, layout, text, cost = 'ns') {
    this.layout = layout;
    this.text = text;
    this.context = {};
    this.cost = cost;
    this.view = layout(cost, this.context);
    this.chart = new LineChart(canvas, [], {});
    this.restyle();
    this.chart.clear();
  }

  get canvas() { return this.chart.canvas; }
  set decimal(mark) { this.chart.decimal = mark; }
  get dirty() { return this.chart.dirty; }
  set dirty(v) { this.chart.dirty = v; }

  /** Series and lines from the view, in the page's words (data kept). */
  restyle() {
    const { series, opts } = this.view;
    this.chart.configure(series, { ...opts, refs: opts.refs?.map((r) => ({ ...r, label: r.label && this.text(r.label, r) })) });
  }

  /** Starts afresh (a new model) with the view of a cost. */
  clear(cost = this.cost) {
    this.cost = cost;
    this.view = this.layout(cost, this.context);
    this.restyle();
    this.chart.clear();
  }

  /** Points, switching the view wherever their cost changes. */
  append(points) {
    let run = [];
    for (const p of points) {
      if (p.cost && p.cost !== this.cost) {
        this.chart.append(run);
        run = [];
        this.setCost(p.cost, p.step);
      }
      run.push(p);
    }
    this.chart.append(run);
  }

  /** The cost changed at a step (also when paused, before any point of the new cost). */
  setCost(cost, step) {
    if (cost === this.cost) return;
    const view = this.layout(cost, this.context);
    this.cost = cost;
    const label = `→ ${this.text(`cost_${cost}`)}`;
    if (view.kind === this.view.kind) {
      this.view = view;
      this.restyle();
    } else {
      this.view = view;
      this.restyle();
      this.chart.clear();
    }
    this.chart.mark(step, label);
    this.chart.marks[this.chart.marks.length - 1].cost = cost;
    this.onSwitch?.(this);
  }

  /** Settings the view depends on (D's real target under label smoothing). */
  setContext(context) {
    this.context = { ...this.context, ...context };
    this.view = this.layout(this.cost, this.context);
    this.restyle();
  }

  /** New words (the language changed). */
  relabel() {
    for (const m of this.chart.marks) if (m.cost) m.label = `→ ${this.text(`cost_${m.cost}`)}`;
    this.restyle();
  }

  latest() { return this.chart.latest(); }
  draw() { this.chart.draw(); }
}
