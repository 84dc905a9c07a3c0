// i18n.js - every word the page shows, in English and French (the course is French).
// Elements carry data-i18n="key" (text) or data-i18n-label="key" (aria-label); the
// presets' lesson texts come from the core itself.

export const STRINGS = {
  en: {
    title: 'GAN playground',
    subtitle: 'A real DCGAN learning to draw digits in your browser: a generator G forges images, a discriminator D judges them.',
    language: 'Language',
    play: 'Play', pause: 'Pause', step: 'Step', stepD: 'Step D', stepG: 'Step G', reset: 'Reset',
    stepHint: 'Step: one iteration (D then G). Step D / Step G: one update of one network.',
    presets: 'Lessons', presetHint: 'Each preset sets up one lesson of the course and restarts training.',
    settings: 'Settings', dataset: 'Dataset', mnist: 'MNIST digits', fashion: 'Fashion-MNIST clothes',
    loss: 'Cost', loss_ns: 'non-saturating (−log D(G(z)))', loss_minimax: 'minimax (log(1 − D(G(z))))',
    loss_lsgan: 'least squares (LSGAN)', loss_hinge: 'hinge', loss_wgan: 'Wasserstein (WGAN, clipped)',
    lr_g: 'Learning rate of G', lr_d: 'Learning rate of D', d_steps: 'D steps per G step',
    batch: 'Batch size', smoothing: 'Label smoothing (real target 1 − x)', mbstd: 'Minibatch std-dev features in D',
    seed: 'Seed', restartNote: 'Changing the dataset, batch, std-dev features or seed starts a new model; the others apply live.',
    checkpoint: 'Checkpoint', save: 'Save checkpoint', load: 'Load checkpoint', exportPng: 'Export samples (PNG)',
    share: 'Copy link', copied: 'Link copied',
    samples: 'Samples from a fixed noise batch', samplesAlt: 'An 8 by 8 grid of generated images',
    realFake: 'Real and generated', real: 'Real', generated: 'Generated',
    strip: 'Walking through the latent space', stripHint: 'Ten images on the path between two noise vectors z.',
    film: 'From noise to digits', filmFashion: 'From noise to garments', filmStep: 'step {n}',
    filmHint: 'The grid from the same fixed noise, kept at steps 0, 50, 100, 200, 500, 1000, 2000, 5000…: each square follows one z from noise to a sample.',
    exportFilm: 'Export the strip (PNG)',
    losses: 'Losses', lossD: 'loss D', lossG: 'loss G',
    dOut: 'D’s answers: the probability that an image is real', dReal: 'D(x) real', dFake: 'D(G(z)) generated',
    nash: 'Nash equilibrium: a perfect G leaves D answering ½ everywhere.', refNash: '½: Nash equilibrium',
    dOutLsgan: 'D’s raw scores (least squares): target 1 for real, 0 for generated',
    dOutHinge: 'D’s raw scores (hinge): margins +1 and −1',
    dOutWgan: 'The critic’s gap between real and generated (Wasserstein)',
    scoreReal: 'score of real x', scoreFake: 'score of G(z)', scoreGap: 'gap at each step', scoreGapMean: 'gap (mean of 50 steps)',
    refTargetReal: 'target {v}: real', refTargetFake: 'target 0: generated',
    refMarginReal: '+1: margin for real', refMarginFake: '−1: margin for generated', refNoGap: '0: no gap',
    hintLsgan: 'Least squares: D pulls its scores of real images to 1 and of generated ones to 0; G pulls its fakes towards 1. A score, not a probability: 0 means “fake”, not ½.',
    hintHinge: 'Hinge: D is penalised only for a real image scored below +1 or a generated one above −1; past its margins it stops pushing.',
    hintWgan: 'The critic’s scores have no fixed scale and drift together, so only their gap is drawn: the mean score of real images minus that of generated ones. It estimates how far apart the two are, and shrinks towards 0 as the digits form.',
    cost_ns: 'non-saturating', cost_minimax: 'minimax', cost_lsgan: 'LSGAN', cost_hinge: 'hinge', cost_wgan: 'WGAN',
    gradG: 'Gradient reaching G (log scale)', gradHint: 'When D wins too easily, this collapses: the vanishing gradient.',
    costGrad: 'Gradient each cost would give G, on D’s logit (log scale)',
    gradNs: 'non-saturating: 1 − D(G(z))', gradMinimax: 'minimax: D(G(z))', inUse: '(in use)',
    costGradHint: 'Whatever the cost in use. When D rejects the fakes (D(G(z)) → 0), the minimax gradient vanishes while the non-saturating one stays near 1: that is why G is trained with the non-saturating cost.',
    meter: 'Mode meter', meterHint: 'A classifier reads a fixed set of samples: which classes G draws, how clearly, and how many are no class at all (?). Below its confidence floor it names none.',
    history: 'Classes over time', historyHint: 'One column per meter reading (every few seconds), one row per class: bright rows are what G draws. Mode collapse shows as a few bright rows that jump from class to class.',
    historyShare: 'share of the samples', notDigit: 'not a digit', notClothing: 'not clothing',
    noDigits: 'no recognisable digits yet', noGarments: 'no recognisable garments yet',
    historyAlt: '{n} meter readings from step {from} to step {to}; latest: {top}', historyEmpty: 'no meter reading yet',
    coverage: 'coverage', confident: 'confident', noMeter: 'no mode meter for this dataset (run make data)',
    stepLabel: 'step', dStepsLabel: 'D steps', ips: 'images/s', trainTime: 'training time',
    digits: 'time to digits', notYet: 'not yet', digitsHint: 'all ten classes, with ≥ {share} of {n} samples read confidently',
    loading: 'Loading {name}: {pct}', loaded: '{name}: {count} training images',
    waiting: 'waiting for the dataset', retry: 'Retry', close: 'Close',
    errDataset: 'The dataset {name} could not be loaded: {msg}',
    errCheckpoint: 'This checkpoint was refused: {msg}. The current model is unchanged.',
    errTraining: 'Training stopped: {msg}',
    errNonFinite: 'Training stopped: {n} updates in a row had a non-finite loss or gradient (NaN or ∞), and each was discarded. The model keeps its last finite weights: lower the learning rates, then press Play.',
    errConfig: 'This setting was refused: {msg}',
    errUrl: 'The link has a bad parameter: {msg}',
    errCore: 'The engine could not start: {msg}',
    errUrlCheckpoint: 'The trained model \'{name}\' was refused: {msg}. The page runs the default model.',
    noticeMissing: 'The trained model \'{name}\' is not built yet: `make checkpoints` builds it. The page runs the default model.',
    noticeLoaded: 'Started from the trained model \'{name}\' at step {step}.',
    skipped: '{n} non-finite updates discarded',
    diverging: 'Diverging: a loss reached {loss} at step {step} (beyond 10,000 in size, or not finite). Lower the learning rates.',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    fashionClasses: ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Boot'],
  },
  fr: {
    title: 'Bac à sable GAN',
    subtitle: 'Un vrai DCGAN apprend à dessiner des chiffres dans votre navigateur : un générateur G fabrique des images, un discriminateur D les juge.',
    language: 'Langue',
    play: 'Lancer', pause: 'Pause', step: 'Pas', stepD: 'Pas de D', stepG: 'Pas de G', reset: 'Réinitialiser',
    stepHint: 'Pas : une itération (D puis G). Pas de D / Pas de G : une mise à jour d’un seul réseau.',
    presets: 'Leçons', presetHint: 'Chaque préréglage met en place une leçon du cours et relance l’apprentissage.',
    settings: 'Réglages', dataset: 'Jeu de données', mnist: 'Chiffres MNIST', fashion: 'Vêtements Fashion-MNIST',
    loss: 'Coût', loss_ns: 'non saturant (−log D(G(z)))', loss_minimax: 'minimax (log(1 − D(G(z))))',
    loss_lsgan: 'moindres carrés (LSGAN)', loss_hinge: 'charnière (hinge)', loss_wgan: 'Wasserstein (WGAN, poids bornés)',
    lr_g: 'Taux d’apprentissage de G', lr_d: 'Taux d’apprentissage de D', d_steps: 'Pas de D par pas de G',
    batch: 'Taille du lot', smoothing: 'Lissage des étiquettes (cible réelle 1 − x)', mbstd: 'Écart-type du mini-lot dans D',
    seed: 'Graine', restartNote: 'Changer le jeu de données, le lot, l’écart-type ou la graine crée un nouveau modèle ; le reste s’applique en direct.',
    checkpoint: 'Sauvegarde', save: 'Enregistrer le modèle', load: 'Charger un modèle', exportPng: 'Exporter les échantillons (PNG)',
    share: 'Copier le lien', copied: 'Lien copié',
    samples: 'Échantillons d’un lot de bruit fixe', samplesAlt: 'Une grille de 8 sur 8 images générées',
    realFake: 'Vraies et générées', real: 'Vraies', generated: 'Générées',
    strip: 'Promenade dans l’espace latent', stripHint: 'Dix images sur le chemin entre deux vecteurs de bruit z.',
    film: 'Du bruit aux chiffres', filmFashion: 'Du bruit aux vêtements', filmStep: 'pas {n}',
    filmHint: 'La grille tirée du même bruit fixe, gardée aux pas 0, 50, 100, 200, 500, 1000, 2000, 5000… : chaque case suit un même z, du bruit jusqu’à l’image.',
    exportFilm: 'Exporter la bande (PNG)',
    losses: 'Coûts', lossD: 'coût D', lossG: 'coût G',
    dOut: 'Réponses de D : la probabilité qu’une image soit vraie', dReal: 'D(x) vraies', dFake: 'D(G(z)) générées',
    nash: 'Équilibre de Nash : face à un G parfait, D répond ½ partout.', refNash: '½ : équilibre de Nash',
    dOutLsgan: 'Scores bruts de D (moindres carrés) : cible 1 pour les vraies, 0 pour les générées',
    dOutHinge: 'Scores bruts de D (charnière) : marges +1 et −1',
    dOutWgan: 'Écart du critique entre vraies et générées (Wasserstein)',
    scoreReal: 'score des vraies x', scoreFake: 'score de G(z)', scoreGap: 'écart à chaque pas', scoreGapMean: 'écart (moyenne sur 50 pas)',
    refTargetReal: 'cible {v} : vraies', refTargetFake: 'cible 0 : générées',
    refMarginReal: '+1 : marge des vraies', refMarginFake: '−1 : marge des générées', refNoGap: '0 : plus d’écart',
    hintLsgan: 'Moindres carrés : D ramène ses scores des vraies images vers 1 et des générées vers 0 ; G tire ses faux vers 1. C’est un score, pas une probabilité : 0 veut dire « faux », pas ½.',
    hintHinge: 'Charnière : D n’est pénalisé que pour une vraie image notée sous +1 ou une générée au-dessus de −1 ; au-delà de ses marges, il ne pousse plus.',
    hintWgan: 'Les scores du critique n’ont pas d’échelle fixe et dérivent ensemble : seul leur écart est tracé, le score moyen des vraies images moins celui des générées. Il mesure à quel point les deux diffèrent et se resserre vers 0 à mesure que les chiffres se forment.',
    cost_ns: 'non saturant', cost_minimax: 'minimax', cost_lsgan: 'LSGAN', cost_hinge: 'charnière', cost_wgan: 'WGAN',
    gradG: 'Gradient qui atteint G (échelle log)', gradHint: 'Quand D gagne trop facilement, il s’effondre : le gradient qui disparaît.',
    costGrad: 'Gradient que chaque coût donnerait à G, sur le logit de D (échelle log)',
    gradNs: 'non saturant : 1 − D(G(z))', gradMinimax: 'minimax : D(G(z))', inUse: '(utilisé)',
    costGradHint: 'Quel que soit le coût utilisé. Quand D rejette les faux (D(G(z)) → 0), le gradient du minimax disparaît alors que celui du non saturant reste proche de 1 : voilà pourquoi on entraîne G avec le coût non saturant.',
    meter: 'Compteur de modes', meterHint: 'Un classifieur lit un lot fixe d’échantillons : quelles classes G dessine, avec quelle netteté, et combien ne sont d’aucune classe (?). Sous son seuil de confiance, il n’en nomme aucune.',
    history: 'Les classes au fil du temps', historyHint: 'Une colonne par lecture du compteur (toutes les quelques secondes), une ligne par classe : les lignes claires sont ce que G dessine. L’effondrement de modes se voit : quelques lignes claires qui sautent d’une classe à l’autre.',
    historyShare: 'part des échantillons', notDigit: 'pas un chiffre', notClothing: 'pas un vêtement',
    noDigits: 'pas encore de chiffres reconnaissables', noGarments: 'pas encore de vêtements reconnaissables',
    historyAlt: '{n} lectures du compteur du pas {from} au pas {to} ; dernière : {top}', historyEmpty: 'pas encore de lecture du compteur',
    coverage: 'couverture', confident: 'nets', noMeter: 'pas de compteur de modes pour ce jeu (lancez make data)',
    stepLabel: 'pas', dStepsLabel: 'pas de D', ips: 'images/s', trainTime: 'durée d’apprentissage',
    digits: 'chiffres lisibles', notYet: 'pas encore', digitsHint: 'les dix classes, avec ≥ {share} des {n} échantillons lus nettement',
    loading: 'Chargement de {name} : {pct}', loaded: '{name} : {count} images d’apprentissage',
    waiting: 'en attente du jeu de données', retry: 'Réessayer', close: 'Fermer',
    errDataset: 'Le jeu de données {name} n’a pas pu être chargé : {msg}',
    errCheckpoint: 'Cette sauvegarde a été refusée : {msg}. Le modèle actuel est inchangé.',
    errTraining: 'Apprentissage arrêté : {msg}',
    errNonFinite: 'Apprentissage arrêté : {n} mises à jour de suite avaient un coût ou un gradient non fini (NaN ou ∞) et ont été écartées. Le modèle garde ses derniers poids finis : baissez les taux d’apprentissage, puis relancez.',
    errConfig: 'Ce réglage a été refusé : {msg}',
    errUrl: 'Le lien contient un paramètre invalide : {msg}',
    errCore: 'Le moteur n’a pas pu démarrer : {msg}',
    errUrlCheckpoint: 'Le modèle entraîné « {name} » a été refusé : {msg}. La page utilise le modèle par défaut.',
    noticeMissing: 'Le modèle entraîné « {name} » n’est pas encore construit : `make checkpoints` le construit. La page utilise le modèle par défaut.',
    noticeLoaded: 'Départ du modèle entraîné « {name} », au pas {step}.',
    skipped: '{n} mises à jour écartées (valeurs NaN ou infinies)',
    diverging: 'Divergence : un coût a atteint {loss} au pas {step} (plus de 10 000 en valeur absolue, ou non fini). Baissez les taux d’apprentissage.',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    fashionClasses: ['T-shirt', 'Pantalon', 'Pull', 'Robe', 'Manteau', 'Sandale', 'Chemise', 'Basket', 'Sac', 'Bottine'],
  },
};

/** The language to use: the link's, else the browser's if French, else English. */
export function pickLang(fromLink, navigatorLanguages = []) {
  if (fromLink) return fromLink;
  return navigatorLanguages.some((l) => /^fr\b/i.test(l)) ? 'fr' : 'en';
}

/** A number as the language writes it: 0.5 in English, 0,5 in French. */
export function num(lang, v) {
  const text = typeof v === 'number' ? String(v) : v;
  return lang === 'fr' ? text.replace('.', ',') : text;
}

/** A percentage of a share (0..1) with `digits` decimals: 12.5% in English, 12,5 % in French. */
export function pct(lang, share, digits = 0) {
  const v = (share * 100).toFixed(digits);
  return lang === 'fr' ? `${v.replace('.', ',')} %` : `${v}%`;
}

/** A string with {placeholders} filled in. */
export function t(lang, key, vars = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return typeof s === 'string' ? s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? '')) : s;
}

/** Fills every [data-i18n] and [data-i18n-label] under root. */
export function translate(root, lang) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(lang, el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(lang, el.dataset.i18nLabel));
}
