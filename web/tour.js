// tour.js - the guided tour (tour=1, or tour=N to open at step N): the course in its own
// order, one step per topic. Each step has a title, a few sentences, something to do (a
// button that sets up the lesson: a preset, the dataset, D-only steps), the view to watch
// (outlined on the page), and a condition read live from the training that, once met,
// says "you see it". The tour is a panel, never a dialog: every control stays usable.
//
// The page wires it (app.js): new Tour(root, page, start) with
//   page.lang() -> 'en' | 'fr'
//   page.act: { preset(name), dataset(name), play(), pause(), steps(kind, n), openGame() | null }
// and calls tour.snapshot(msg, { dataset }) with each snapshot the Worker posts,
// tour.relabel() when the language changes, tour.gameOpened() when the game opens.

import { fill } from './i18n.js';

const WORDS = {
  en: {
    tour: 'Guided tour', of: '{i} / {n}', back: 'Back', next: 'Next', close: 'Close the tour', watch: 'Watch:',
    waiting: 'Waiting for: {what}', seen: 'You see it: {what}', nothing: 'Nothing to wait for here: read, look, then Next.',
    after: '(after pressing the button)',
  },
  fr: {
    tour: 'Visite guidée', of: '{i} / {n}', back: 'Précédent', next: 'Suivant', close: 'Fermer la visite', watch: 'Regardez :',
    waiting: 'On attend : {what}', seen: 'Vous le voyez : {what}', nothing: 'Rien à attendre ici : lisez, regardez, puis Suivant.',
    after: '(après avoir appuyé sur le bouton)',
  },
};

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const last = (pts, key) => pts.filter((p) => Number.isFinite(p[key]));

/**
 * The course, in its order. view: the card to watch (data-view); act(page): what the
 * button does; armed: whether the condition only counts after the button (its effect is
 * what the step shows); met(ctx): the condition, on ctx = { points (since the button, or
 * since the step opened), meter (latest reading since then, or null), steps (training
 * steps since then), dataset, gameOpened }.
 */
export const STEPS = [
  {
    id: 'purpose', view: 'samples', armed: false,
    act: (p) => { p.preset('balanced'); p.play(); },
    met: (c) => c.steps >= 300,
    en: {
      title: 'What GANs are for',
      text: 'A generative adversarial network learns to make new images that look like its training images: here, handwritten digits. Nobody tells it what a digit is; it learns from the examples alone.',
      button: 'Start training', what: 'shapes coming out of the noise (300 steps)',
    },
    fr: {
      title: 'À quoi servent les GAN',
      text: 'Un réseau antagoniste génératif (GAN) apprend à fabriquer de nouvelles images qui ressemblent à celles de son jeu d’entraînement : ici, des chiffres manuscrits. Personne ne lui dit ce qu’est un chiffre ; il l’apprend des seuls exemples.',
      button: 'Lancer l’entraînement', what: 'des formes qui sortent du bruit (300 pas)',
    },
  },
  {
    id: 'turing', view: 'realfake', armed: false, game: true,
    act: (p) => p.openGame?.(),
    met: (c) => c.gameOpened,
    en: {
      title: 'A life-size Turing test',
      text: 'Can you tell the real digits from the generated ones? Play a round of “Real or fake?”. The discriminator D plays the same game at every training step, on every image it is shown.',
      button: 'Play “Real or fake?”', what: 'the game is open',
    },
    fr: {
      title: 'Un test de Turing grandeur nature',
      text: 'Saurez-vous distinguer les vrais chiffres des chiffres générés ? Jouez une manche de « Vrai ou faux ? ». Le discriminateur D joue au même jeu à chaque pas d’entraînement, sur chaque image qu’on lui montre.',
      button: 'Jouer à « Vrai ou faux ? »', what: 'le jeu est ouvert',
    },
  },
  {
    id: 'players', view: 'dout', armed: true,
    act: (p) => { p.pause(); p.steps('train', 1); },
    met: (c) => c.points.some((q) => Number.isFinite(q.d_real) && Number.isFinite(q.loss_g)),
    en: {
      title: 'The forger G and the critic D',
      text: 'The generator G turns a random vector z into an image. The discriminator D looks at an image and says how likely it is to be real. They learn against each other: G to fool D, D not to be fooled.',
      button: 'One step: D, then G', what: 'one step of each network',
    },
    fr: {
      title: 'Le faussaire G et le critique D',
      text: 'Le générateur G transforme un vecteur aléatoire z en image. Le discriminateur D regarde une image et dit à quel point elle lui semble vraie. Ils apprennent l’un contre l’autre : G pour tromper D, D pour ne pas se laisser tromper.',
      button: 'Un pas : D, puis G', what: 'un pas de chacun des deux réseaux',
    },
  },
  {
    id: 'd-goal', view: 'dout', armed: true,
    act: (p) => { p.preset('balanced'); p.pause(); p.steps('d', 10); },
    met: (c) => c.points.some((q) => q.d_real > 0.9 && q.d_fake < 0.1),
    en: {
      title: 'D’s goal: 1 on real images, 0 on fakes',
      text: 'Train D alone on a new model: in a few steps it answers near 1 on real digits and near 0 on G’s images, since G, untrained, makes only noise. Alone, D wins easily.',
      button: 'New model, then D alone ten times', what: 'D(x) above 0.9 and D(G(z)) below 0.1',
    },
    fr: {
      title: 'Le but de D : 1 sur les vraies images, 0 sur les fausses',
      text: 'Entraînez D seul sur un nouveau modèle : en quelques pas, il répond près de 1 sur les vrais chiffres et près de 0 sur les images de G qui, pas encore entraîné, ne produit que du bruit. Seul, D gagne facilement.',
      button: 'Nouveau modèle, puis D seul dix fois', what: 'D(x) au-dessus de 0,9 et D(G(z)) sous 0,1',
    },
  },
  {
    id: 'alternate', view: 'losses', armed: true,
    act: (p) => p.play(),
    met: (c) => c.steps >= 100,
    en: {
      title: 'Training in turns: D, then G',
      text: 'Each iteration trains D on a batch of real and generated images, then G through D’s answers. The two losses pull against each other: when one falls, the other rises.',
      button: 'Play', what: '100 iterations of D then G',
    },
    fr: {
      title: 'Un entraînement alterné : D, puis G',
      text: 'Chaque itération entraîne D sur un lot d’images vraies et générées, puis G à travers les réponses de D. Les deux coûts tirent en sens contraire : quand l’un baisse, l’autre monte.',
      button: 'Lecture', what: '100 itérations de D puis G',
    },
  },
  {
    id: 'strong-d', view: 'grad', armed: true,
    act: (p) => { p.preset('strong-d'); p.play(); },
    met: (c) => {
      const g = last(c.points, 'g_signal').map((q) => q.g_signal);
      return g.length > 1 && g[g.length - 1] < Math.max(...g) / 10;
    },
    en: {
      title: 'The balance of power: a D too strong',
      text: 'Give D the upper hand (it trains five times per G step, faster): it rejects every fake with certainty, its sigmoid saturates, and the gradient reaching G vanishes. G no longer knows which way to improve.',
      button: 'Make D too strong', what: 'the gradient reaching G falling tenfold',
    },
    fr: {
      title: 'Le rapport de force : un D trop fort',
      text: 'Donnez l’avantage à D (il s’entraîne cinq fois par pas de G, plus vite) : il rejette chaque fausse image avec certitude, sa sigmoïde sature et le gradient qui parvient à G s’évanouit. G ne sait plus dans quel sens progresser.',
      button: 'Rendre D trop fort', what: 'le gradient reçu par G divisé par dix',
    },
  },
  {
    id: 'nash', view: 'dout', armed: true,
    act: (p) => { p.preset('classic'); p.play(); },
    met: (c) => {
      const pts = last(c.points, 'd_fake').slice(-50);
      return pts.length === 50 && Math.abs(mean(pts.map((q) => q.d_real)) - 0.5) < 0.1 && Math.abs(mean(pts.map((q) => q.d_fake)) - 0.5) < 0.1;
    },
    en: {
      title: 'The Nash equilibrium',
      text: 'If G were perfect, its images could not be told from real ones, and the best D could do would be to answer ½ to everything. With the DCGAN paper’s recipe, D’s answers drift towards ½ within a thousand steps or so (about three minutes).',
      button: 'Train the classic recipe', what: 'D’s answers within 0.1 of ½ (mean of 50 steps)',
    },
    fr: {
      title: 'L’équilibre de Nash',
      text: 'Si G était parfait, ses images seraient indiscernables des vraies, et le mieux que D pourrait faire serait de répondre ½ à tout. Avec la recette de l’article DCGAN, les réponses de D se rapprochent de ½ en un millier de pas environ (trois minutes à peu près).',
      button: 'Entraîner la recette classique', what: 'les réponses de D à moins de 0,1 de ½ (moyenne sur 50 pas)',
    },
  },
  {
    id: 'fashion', view: 'samples', armed: true,
    act: (p) => { p.dataset('fashion'); p.play(); },
    met: (c) => c.dataset === 'fashion' && c.steps >= 300,
    en: {
      title: 'Simultaneous progress, on digits and on clothes',
      text: 'The same networks, unchanged, learn Fashion-MNIST: shirts, shoes and bags instead of digits. Nothing in a GAN is specific to digits.',
      button: 'Switch to Fashion-MNIST', what: 'garments taking shape (300 steps)',
    },
    fr: {
      title: 'Des progrès simultanés, sur les chiffres et les vêtements',
      text: 'Les mêmes réseaux, sans rien changer, apprennent Fashion-MNIST : chemises, chaussures et sacs au lieu de chiffres. Rien dans un GAN n’est propre aux chiffres.',
      button: 'Passer à Fashion-MNIST', what: 'des vêtements qui prennent forme (300 pas)',
    },
  },
  {
    id: 'distributions', view: 'meter', armed: true,
    act: (p) => { p.dataset('mnist'); p.preset('balanced'); p.play(); },
    met: (c) => c.dataset === 'mnist' && !!c.meter && c.meter.coverage >= 9,
    en: {
      title: 'Another way to see images: P_θ against P_data',
      text: 'Each image is a point in a space of 784 dimensions. Real digits form a distribution P_data; G’s images form P_θ. Training moves P_θ onto P_data. The mode meter counts the classes G draws: when the two match, all ten appear in similar shares.',
      button: 'Train the default on digits', what: 'at least nine classes in the mode meter',
    },
    fr: {
      title: 'Une autre façon de voir les images : P_θ face à P_data',
      text: 'Chaque image est un point d’un espace à 784 dimensions. Les vrais chiffres forment une distribution P_data ; les images de G forment P_θ. L’entraînement amène P_θ sur P_data. Le compteur de modes compte les classes que dessine G : quand les deux coïncident, les dix apparaissent en proportions voisines.',
      button: 'Entraîner la recette par défaut sur les chiffres', what: 'au moins neuf classes au compteur de modes',
    },
  },
  {
    id: 'costs', view: 'costgrad', armed: true,
    act: (p) => { p.preset('minimax'); p.play(); },
    met: (c) => c.points.some((q) => q.grad_minimax < q.grad_ns / 10),
    en: {
      title: 'The minimax cost against the non-saturating cost',
      text: 'In the minimax game G minimises log(1 − D(G(z))). When D rejects the fakes, this cost is flat: its gradient vanishes exactly when G most needs it. The non-saturating cost, −log D(G(z)), gives G a strong gradient then; it is the one used in practice.',
      button: 'Train with the minimax cost', what: 'the minimax gradient ten times below the non-saturating one',
    },
    fr: {
      title: 'Le coût minimax face au coût non saturant',
      text: 'Dans le jeu minimax, G minimise log(1 − D(G(z))). Quand D rejette les fausses images, ce coût est plat : son gradient s’annule précisément quand G en a le plus besoin. Le coût non saturant, −log D(G(z)), donne alors à G un gradient fort ; c’est lui qu’on utilise en pratique.',
      button: 'Entraîner avec le coût minimax', what: 'le gradient minimax dix fois sous le non saturant',
    },
  },
  {
    id: 'dcgan', view: 'strip', armed: false,
    act: (p) => { p.preset('balanced'); p.play(); },
    met: null,
    en: {
      title: 'The DCGAN structure',
      text: 'G: a dense layer, then transposed convolutions that double the image’s side, 7 → 14 → 28. D mirrors it: convolutions that halve the side, then one output. Walking in a straight line between two vectors z changes the image smoothly, one digit into another.',
      button: 'Train the default', what: '',
    },
    fr: {
      title: 'La structure DCGAN',
      text: 'G : une couche dense, puis des convolutions transposées qui doublent le côté de l’image, 7 → 14 → 28. D en est le miroir : des convolutions qui divisent le côté par deux, puis une sortie. En allant en ligne droite d’un vecteur z à un autre, l’image change en douceur, d’un chiffre à un autre.',
      button: 'Entraîner la recette par défaut', what: '',
    },
  },
  {
    id: 'collapse', view: 'history', armed: true,
    act: (p) => { p.dataset('mnist'); p.preset('mode-collapse'); p.play(); },
    met: (c) => !!c.meter && c.meter.recognisable && c.meter.coverage <= 3,
    en: {
      title: 'A broken equilibrium: mode collapse',
      text: 'G finds a digit or two that fool D and draws nothing else. D learns to reject them; G hops to other digits, and the chase goes on: a vicious circle. Watch the classes over time: a few bright rows that jump from class to class.',
      button: 'Break the equilibrium', what: 'three classes or fewer in the mode meter',
    },
    fr: {
      title: 'Un équilibre rompu : l’effondrement de modes',
      text: 'G trouve un ou deux chiffres qui trompent D et ne dessine plus qu’eux. D apprend à les rejeter ; G saute vers d’autres chiffres, et la poursuite continue : un cercle vicieux. Regardez les classes au fil du temps : quelques lignes claires qui sautent d’une classe à l’autre.',
      button: 'Rompre l’équilibre', what: 'trois classes ou moins au compteur de modes',
    },
  },
  {
    id: 'open', view: 'dout', armed: false,
    act: (p) => { p.preset('wgan'); p.play(); },
    met: null,
    en: {
      title: 'Open questions',
      text: 'How to avoid collapse (the collapse-remedy preset gives D statistics of the whole batch), how to keep training stable, and which cost to use: LSGAN, hinge, Wasserstein. Try the Wasserstein critic: its gap between real and generated shrinks as the digits form.',
      button: 'Try the Wasserstein critic', what: '',
    },
    fr: {
      title: 'Questions ouvertes',
      text: 'Comment éviter l’effondrement (le préréglage collapse-remedy donne à D des statistiques du lot entier), comment stabiliser l’entraînement, et quel coût choisir : LSGAN, charnière, Wasserstein. Essayez le critique de Wasserstein : son écart entre vraies et générées se resserre à mesure que les chiffres se forment.',
      button: 'Essayer le critique de Wasserstein', what: '',
    },
  },
];


export class Tour {
  /** root: an empty element the tour fills; start: the step to open at (1-based). */
  constructor(root, page, start = 1) {
    this.root = root;
    this.page = page;
    this.steps = STEPS.filter((s) => !s.game || page.act.openGame);
    this.i = Math.min(Math.max(1, start), this.steps.length) - 1;
    this.met = this.steps.map(() => false);
    this.build();
    this.open(this.i);
  }

  words() { return WORDS[this.page.lang()] ?? WORDS.en; }

  build() {
    const el = (tag, cls, attrs = {}) => Object.assign(document.createElement(tag), { className: cls }, attrs);
    this.root.classList.add('tour');
    this.root.setAttribute('role', 'region');
    this.root.dataset.testid = 'tour';
    this.head = el('p', 'tour-head');
    this.title = el('h2', 'tour-title');
    this.text = el('p', 'tour-text');
    this.doIt = el('button', 'tour-do', { type: 'button' });
    this.doIt.dataset.testid = 'tour-do';
    this.watch = el('p', 'tour-watch-line');
    this.status = el('p', 'tour-status', { role: 'status' });
    this.status.dataset.testid = 'tour-status';
    const nav = el('div', 'tour-nav');
    this.back = el('button', 'tour-back', { type: 'button' });
    this.next = el('button', 'tour-next', { type: 'button' });
    this.closer = el('button', 'tour-close', { type: 'button' });
    this.back.dataset.testid = 'tour-back';
    this.next.dataset.testid = 'tour-next';
    this.closer.dataset.testid = 'tour-close';
    nav.append(this.back, this.next, this.closer);
    this.root.replaceChildren(this.head, this.title, this.text, this.doIt, this.watch, this.status, nav);
    this.doIt.addEventListener('click', () => this.act());
    this.back.addEventListener('click', () => this.open(this.i - 1));
    this.next.addEventListener('click', () => this.open(this.i + 1));
    this.closer.addEventListener('click', () => this.close());
  }

  /** Opens step i (0-based): its words, its view outlined, its condition from now on. */
  open(i) {
    this.i = Math.min(Math.max(0, i), this.steps.length - 1);
    this.armedAt = null;
    this.reset();
    this.root.hidden = false;
    this.page.onStep?.(this.i + 1);
    this.render();
  }

  close() {
    this.root.hidden = true;
    this.outline(null);
    this.page.onStep?.(0);
  }

  get step() { return this.steps[this.i]; }

  /** Starts reading the condition afresh (the step opened, or its button was pressed). */
  reset() {
    this.points = [];
    this.meter = null;
    this.stepsSeen = 0;
    this.lastStep = null;
    this.generation = null;
    this.gameWasOpened = false;
  }

  act() {
    this.reset();
    this.armedAt = true;
    this.step.act(this.page.act);
    this.render();
  }

  gameOpened() {
    this.gameWasOpened = true;
    this.check();
  }

  /** A snapshot of the training (worker.js): its points, meter reading and step. */
  snapshot(msg, { dataset } = {}) {
    if (this.root.hidden) return;
    this.dataset = dataset;
    // A new model (a preset, the dataset, Reset) restarts the count of steps.
    if (this.generation !== null && msg.generation !== this.generation) this.lastStep = null;
    this.generation = msg.generation;
    if (this.lastStep !== null && msg.step > this.lastStep) this.stepsSeen += msg.step - this.lastStep;
    this.lastStep = msg.step;
    for (const p of msg.points ?? []) this.points.push(p);
    if (this.points.length > 400) this.points.splice(0, this.points.length - 400);
    if (msg.meter) this.meter = msg.meter;
    this.check();
  }

  check() {
    const s = this.step;
    if (!s.met || this.met[this.i] || (s.armed && !this.armedAt)) return;
    const ctx = { points: this.points, meter: this.meter, steps: this.stepsSeen, dataset: this.dataset, gameOpened: this.gameWasOpened };
    if (s.met(ctx)) {
      this.met[this.i] = true;
      this.render();
    }
  }

  outline(view) {
    for (const el of document.querySelectorAll('.tour-watch')) el.classList.remove('tour-watch');
    if (view) document.querySelector(`[data-view="${view}"]`)?.classList.add('tour-watch');
  }

  /** The words of the current step in the page's language. */
  render() {
    const w = this.words(), s = this.step, text = s[this.page.lang()] ?? s.en;
    this.root.setAttribute('aria-label', w.tour);
    this.root.dataset.step = s.id;
    this.head.textContent = `${w.tour} · ${fill(w.of, { i: this.i + 1, n: this.steps.length })}`;
    this.title.textContent = text.title;
    this.text.textContent = text.text;
    this.doIt.textContent = text.button;
    const card = document.querySelector(`[data-view="${s.view}"]`);
    const caption = card?.querySelector('figcaption')?.textContent ?? s.view;
    this.watch.textContent = `${w.watch} ${caption}`;
    this.outline(s.view);
    this.status.classList.toggle('seen', this.met[this.i]);
    this.status.textContent = !s.met ? w.nothing
      : this.met[this.i] ? `✓ ${fill(w.seen, { what: text.what })}`
        : `${fill(w.waiting, { what: text.what })}${s.armed && !this.armedAt ? ` ${w.after}` : ''}`;
    this.back.textContent = w.back;
    this.next.textContent = w.next;
    this.closer.textContent = w.close;
    this.back.disabled = this.i === 0;
    this.next.disabled = this.i === this.steps.length - 1;
  }

  relabel() { if (!this.root.hidden) this.render(); }
}
