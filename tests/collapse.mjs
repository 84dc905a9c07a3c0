// What the mode-collapse lesson must show, read from the mode meter's readings over time:
// G's samples are recognisable digits (not noise or one blob the meter guesses at) of one to
// three classes, and later on of others: the chase the course draws as "1, 8 -> 0, 3, 9".

/** Samples that make a class one of G's current digits: a fifth of all read. */
const DOMINANT = 0.2;

/** The digit classes holding at least a fifth of the samples (class 10, "not a digit", never). */
export function dominant(reading) {
  const n = reading.histogram.reduce((a, b) => a + b, 0);
  const out = [];
  for (let k = 0; k < 10; k++) if (reading.histogram[k] >= DOMINANT * n) out.push(k);
  return out;
}

/** A confident collapse: one to three classes, at least half the samples clear digits. */
export const isCollapse = (r) => r.coverage >= 1 && r.coverage <= 3 && r.confident >= 0.5;

/**
 * readings: [{ step, reading }] in step order. Returns the confident collapses, the hops
 * between successive ones (G left a digit it held and took one it did not), and one line
 * per reading to print.
 */
export function collapseStory(readings) {
  const collapsed = readings.filter((x) => isCollapse(x.reading)).map((x) => ({ step: x.step, digits: dominant(x.reading) }));
  const hops = [];
  for (let i = 1; i < collapsed.length; i++) {
    const a = collapsed[i - 1], b = collapsed[i];
    const left = a.digits.filter((k) => !b.digits.includes(k)), took = b.digits.filter((k) => !a.digits.includes(k));
    if (left.length && took.length) hops.push({ from: a, to: b });
  }
  const lines = readings.map(({ step, reading: r }) =>
    `step ${step}: coverage ${r.coverage}, ${(100 * r.confident).toFixed(1)}% confident, digits [${dominant(r)}]${isCollapse(r) ? ' collapsed' : ''}`);
  return { collapsed, hops, lines };
}
