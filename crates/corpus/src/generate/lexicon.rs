//! Words of the grammar, with weights: openers, counted nouns, work and
//! rest phrasings, connectors, closers, fillers and distractors.

use rand::Rng;

/// A weighted choice: the higher the weight, the likelier.
pub(super) fn pick<'a, R: Rng, T>(rng: &mut R, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

/// A uniform choice.
pub(super) fn one<'a, R: Rng>(rng: &mut R, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// How an utterance starts (before the first quantity).
pub(super) const OPENERS: &[(&str, u32)] = &[
    ("", 30),
    ("lance", 6),
    ("lance-moi", 2),
    ("lance un minuteur", 2),
    ("lance un chrono", 1),
    ("lance le timer", 1),
    ("lance une séance", 2),
    ("démarre", 5),
    ("démarre un entraînement", 2),
    ("démarre une séance", 1),
    ("mets", 3),
    ("mets-moi", 2),
    ("mets moi", 1),
    ("programme", 4),
    ("programme-moi", 1),
    ("programme une séance", 1),
    ("je veux", 4),
    ("je voudrais", 3),
    ("j'aimerais faire", 2),
    ("je veux faire", 2),
    ("je souhaite faire", 1),
    ("on fait", 4),
    ("on va faire", 3),
    ("on part sur", 2),
    ("fais", 2),
    ("fais-moi", 2),
    ("go", 2),
    ("ok", 2),
    ("allez", 2),
    ("c'est parti pour", 2),
    ("crée un entraînement", 1),
    ("crée une séance avec", 1),
    ("prépare", 1),
    ("prépare-moi", 1),
    ("configure", 1),
    ("règle le minuteur sur", 1),
    ("règle le chrono", 1),
    ("minuteur", 2),
    ("timer", 2),
    ("chrono", 1),
    ("peux-tu lancer", 1),
    ("tu peux lancer", 1),
    ("tu peux me programmer", 1),
    ("est-ce que tu peux mettre", 1),
    ("il me faut", 1),
    ("je vais faire", 2),
    ("aujourd'hui je fais", 1),
    ("ce matin on fait", 1),
    ("lancer", 1),
    ("démarrer", 1),
    ("séance", 1),
    ("entraînement", 1),
    ("nouvel entraînement", 1),
    ("enchaîne", 1),
    ("donne-moi", 1),
    ("bon alors", 1),
    ("alors", 1),
    ("hiit", 1),
    ("fractionné", 1),
    ("circuit", 1),
    ("un fractionné", 1),
    ("intervalles", 1),
    ("cette fois on fait", 1),
    ("mode intervalle", 1),
];

/// Words after the opener that introduce the plan (`un entraînement de`).
pub(super) const INTROS: &[(&str, u32)] = &[
    ("", 40),
    ("un entraînement de", 2),
    ("une séance de", 2),
    ("un circuit de", 1),
    ("un fractionné de", 1),
    ("un hiit de", 1),
    ("un minuteur de", 1),
    ("un timer de", 1),
    ("des intervalles de", 1),
];

/// Counted nouns of `nb_rounds`: (plural, singular, feminine).
pub(super) const ROUND_NOUNS: &[((&str, &str, bool), u32)] = &[
    (("séries", "série", true), 14),
    (("rounds", "round", false), 7),
    (("sets", "set", false), 5),
    (("tours", "tour", false), 6),
    (("répétitions", "répétition", true), 4),
    (("reps", "rep", true), 1),
    (("fois", "fois", true), 9),
    (("cycles", "cycle", false), 3),
    (("intervalles", "intervalle", false), 3),
    (("blocs", "bloc", false), 1),
    (("manches", "manche", true), 1),
    (("circuits", "circuit", false), 1),
    (("sprints", "sprint", false), 2),
    (("efforts", "effort", false), 1),
    (("accélérations", "accélération", true), 1),
    (("montées", "montée", true), 1),
    (("exercices", "exercice", false), 1),
    (("passages", "passage", false), 1),
    (("fractions", "fraction", true), 1),
];

/// Nouns an ASR may write for a misheard round noun (`séries` -> `cérises`):
/// words with nothing to do with training, so that the count before them
/// is read from its place, not from the noun.
pub(super) const GARBLED_NOUNS: &[((&str, &str, bool), u32)] = &[
    (("chaises", "chaise", true), 1),
    (("pages", "page", true), 1),
    (("places", "place", true), 1),
    (("lignes", "ligne", true), 1),
    (("bandes", "bande", true), 1),
    (("pièces", "pièce", true), 1),
    (("cartes", "carte", true), 1),
    (("portes", "porte", true), 1),
    (("classes", "classe", true), 1),
    (("pierres", "pierre", true), 1),
    (("vagues", "vague", true), 1),
    (("tables", "table", true), 1),
    (("balles", "balle", true), 1),
    (("notes", "note", true), 1),
    (("villes", "ville", true), 1),
    (("cerises", "cerise", true), 1),
    (("sorties", "sortie", true), 1),
    (("bords", "bord", false), 1),
    (("tons", "ton", false), 1),
    (("sons", "son", false), 1),
    (("ponts", "pont", false), 1),
    (("champs", "champ", false), 1),
    (("trous", "trou", false), 1),
    (("cours", "cours", false), 1),
    (("sorts", "sort", false), 1),
    (("verres", "verre", false), 1),
];

/// Words before a round count (`en 5 séries`).
pub(super) const ROUND_PREFIXES: &[(&str, u32)] = &[
    ("", 40),
    ("en", 3),
    ("sur", 2),
    ("pendant", 2),
    ("pour", 2),
    ("avec", 1),
    ("soit", 1),
    ("et ça", 1),
    ("le tout", 1),
    ("faire", 1),
    ("juste", 1),
    ("seulement", 1),
];

/// Words after a round count and its noun (`5 séries au total`).
pub(super) const ROUND_SUFFIXES: &[(&str, u32)] = &[
    ("", 40),
    ("au total", 2),
    ("en tout", 2),
    ("de suite", 1),
    ("d'affilée", 1),
];

/// Phrases that ask for a repetition count with `fois`.
pub(super) const REPEAT_VERBS: &[(&str, u32)] = &[
    ("à répéter", 3),
    ("répété", 2),
    ("répète", 2),
    ("répéter", 1),
    ("recommence", 1),
    ("refais", 1),
    ("fais ça", 1),
    ("on le fait", 1),
    ("le tout", 2),
    ("et on répète", 1),
    ("à faire", 1),
];

/// Work words said before the duration (`travail 30 secondes`).
pub(super) const WORK_BEFORE: &[(&str, u32)] = &[
    ("effort", 5),
    ("travail", 5),
    ("effort de", 3),
    ("travail de", 3),
    ("pendant", 4),
    ("sprint", 2),
    ("sprint de", 2),
    ("course de", 1),
    ("courir", 1),
    ("work", 2),
    ("on", 1),
    ("activité", 1),
    ("phase d'effort de", 1),
    ("temps de travail", 2),
    ("temps d'effort", 1),
    ("durée d'effort", 1),
    ("chaque série dure", 1),
    ("chaque round dure", 1),
    ("chaque effort dure", 1),
    ("gainage", 1),
    ("planche", 1),
    ("vélo", 1),
    ("corde à sauter", 1),
    ("exercice de", 1),
    ("boxe", 1),
    ("bosser", 1),
    ("travailler", 1),
    ("fractions de", 1),
];

/// Work words said after the duration (`30 secondes d'effort`).
pub(super) const WORK_AFTER: &[(&str, u32)] = &[
    ("d'effort", 6),
    ("de travail", 6),
    ("d'exercice", 2),
    ("de sprint", 2),
    ("à fond", 2),
    ("de course", 1),
    ("de gainage", 1),
    ("de boulot", 1),
    ("intense", 1),
    ("on", 2),
    ("de work", 1),
    ("de corde", 1),
    ("de vélo", 1),
    ("de boxe", 1),
    ("d'activité", 1),
    ("de cardio", 1),
    ("de fractionné", 1),
    ("rapide", 1),
    ("en force", 1),
    ("de planche", 1),
    ("de gainage latéral", 1),
    ("de squats", 1),
    ("de burpees", 1),
    ("de pompes", 1),
    ("de jumping jacks", 1),
    ("de rameur", 1),
    ("de montées de genoux", 1),
    ("de chaise", 1),
    ("de corde à sauter", 1),
    ("de natation", 1),
    ("de shadow boxing", 1),
    ("de fentes", 1),
    ("de mountain climbers", 1),
    ("de vélo elliptique", 1),
    ("de kettlebell", 1),
    ("de sac de frappe", 1),
    ("de tapis", 1),
    ("de step", 1),
];

/// Rest words said before the duration (`récup 20 secondes`).
pub(super) const REST_BEFORE: &[(&str, u32)] = &[
    ("repos", 8),
    ("récup", 5),
    ("récupération", 3),
    ("pause", 4),
    ("repos de", 3),
    ("récup de", 2),
    ("pause de", 2),
    ("récupération de", 1),
    ("un repos de", 3),
    ("une pause de", 2),
    ("une récup de", 2),
    ("une récupération de", 1),
    ("avec un repos de", 1),
    ("avec une pause de", 1),
    ("avec repos", 1),
    ("rest", 1),
    ("off", 1),
    ("temps de repos", 2),
    ("temps de récup", 1),
    ("entre chaque série", 2),
    ("entre les séries", 1),
    ("entre chaque round", 1),
    ("entre chaque tour", 1),
    ("repos entre les séries", 1),
    ("repos entre chaque série", 1),
    ("on récupère", 1),
    ("souffler", 1),
    ("se reposer", 1),
    ("puis repos", 1),
    ("marche", 1),
    ("récup active", 1),
];

/// Rest words said after the duration (`20 secondes de récup`).
pub(super) const REST_AFTER: &[(&str, u32)] = &[
    ("de repos", 10),
    ("de récup", 6),
    ("de récupération", 3),
    ("de pause", 4),
    ("off", 2),
    ("repos", 1),
    ("entre chaque série", 3),
    ("entre les séries", 2),
    ("entre chaque round", 1),
    ("entre chaque", 1),
    ("entre deux séries", 1),
    ("entre chaque tour", 1),
    ("entre les rounds", 1),
    ("de repos entre chaque série", 2),
    ("de récup entre les séries", 1),
    ("de pause entre chaque", 1),
    ("de repos entre", 1),
    ("pour récupérer", 1),
    ("pour souffler", 1),
    ("de marche", 1),
    ("de récupération active", 1),
    ("de repos à chaque fois", 1),
    ("de transition", 1),
    ("de transition entre les exercices", 1),
];

/// What is said when there is no break.
pub(super) const NO_REST: &[(&str, u32)] = &[
    ("sans repos", 4),
    ("pas de repos", 2),
    ("sans pause", 2),
    ("sans récup", 1),
    ("aucun repos", 1),
    ("pas de pause", 1),
    ("sans récupération", 1),
    ("enchaîné", 1),
];

/// Joins between two chunks.
pub(super) const CONNECTORS: &[(&str, u32)] = &[
    (",", 14),
    ("", 12),
    ("et", 8),
    ("avec", 5),
    ("puis", 4),
    (", puis", 2),
    (".", 2),
    ("-", 1),
    (";", 1),
    (", et", 2),
    ("et ensuite", 1),
    ("suivi de", 1),
    ("et puis", 1),
    ("alors", 1),
];

/// How an utterance may end.
pub(super) const CLOSERS: &[(&str, u32)] = &[
    ("", 60),
    ("s'il te plaît", 3),
    ("s'il vous plaît", 1),
    ("stp", 2),
    ("merci", 2),
    ("go", 2),
    ("c'est parti", 2),
    ("allez", 1),
    ("top départ", 1),
    ("maintenant", 1),
    ("on y va", 1),
    ("quand tu veux", 1),
    ("let's go", 1),
    ("pour commencer", 1),
    ("ça marche", 1),
];

/// Hesitations an ASR writes down.
pub(super) const FILLERS: &[&str] = &[
    "euh", "heu", "euh", "bah", "ben", "voilà", "hum", "genre", "du coup", "en fait", "bon",
    "hein", "quoi", "disons", "donc", "bref", "enfin", "eh bien", "attends", "voyons", "bon ben",
    "tu vois", "alors",
];

/// Months, for dates that are not part of the plan (`le 14 mai`).
pub(super) const MONTHS: &[&str] = &[
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// Exercises counted in repetitions: a count of them is a `nb_reps` target.
pub(super) const EXERCISES: &[&str] = &[
    "pompes",
    "burpees",
    "squats",
    "abdos",
    "tractions",
    "fentes",
    "dips",
    "crunchs",
    "jumping jacks",
    "kettlebell swings",
    "mountain climbers",
    "push-ups",
    "pull-ups",
    "sit-ups",
    "thrusters",
    "wall balls",
    "box jumps",
    "double unders",
    "sauts à la corde",
    "swings",
    "kettlebells",
    "soulevés de terre",
    "deadlifts",
    "power cleans",
    "snatchs",
    "arraché",
    "épaulés-jetés",
    "développés couchés",
    "développés militaires",
    "rowing",
    "curls",
    "gainages",
    "relevés de genoux",
    "montées de genoux",
    "talons-fesses",
    "squats sautés",
    "fentes sautées",
    "pompes diamant",
    "ponts fessiers",
    "hip thrusts",
    "russian twists",
    "v-ups",
    "toes to bar",
    "muscle-ups",
    "step-ups",
    "goblet squats",
    "levées de jambes",
    "extensions",
    "crunchs obliques",
    "squats bulgares",
    "air squats",
    "lunges",
    "clean and jerk",
    "push press",
    "hang cleans",
    "overhead squats",
    "farmer walks",
    "bear crawls",
    "handstand push-ups",
    "devil press",
    "chest to bar",
    "wall walks",
];

/// Before a preparation: `préparation 10 secondes`, `départ dans 5 s`.
pub(super) const PREP_BEFORE: &[(&str, u32)] = &[
    ("préparation", 4),
    ("décompte", 1),
    ("décompte de", 1),
    ("préparation de", 2),
    ("prépa", 2),
    ("avec une préparation de", 2),
    ("départ dans", 3),
    ("top départ dans", 1),
    ("on commence dans", 2),
    ("compte à rebours de", 2),
    ("laisse-moi", 1),
    ("donne-moi", 1),
];

/// After a preparation: `10 secondes de préparation`.
pub(super) const PREP_AFTER: &[(&str, u32)] = &[
    ("de préparation", 6),
    ("de prépa", 2),
    ("pour me préparer", 2),
    ("pour se préparer", 1),
    ("pour me mettre en place", 1),
    ("avant de commencer", 2),
    ("avant le départ", 1),
    ("de compte à rebours", 1),
];

/// Before a warm-up: `échauffement 10 minutes`.
pub(super) const WARMUP_BEFORE: &[(&str, u32)] = &[
    ("échauffement", 4),
    ("échauffement de", 2),
    ("d'abord un échauffement de", 2),
    ("commence par un échauffement de", 2),
    ("avec un échauffement de", 2),
    ("après un échauffement de", 1),
    ("warm-up de", 1),
    ("warm up", 1),
];

/// After a warm-up: `5 minutes d'échauffement`.
pub(super) const WARMUP_AFTER: &[(&str, u32)] = &[
    ("d'échauffement", 7),
    ("d'échauffement d'abord", 1),
    ("d'échauffement avant", 1),
    ("de warm-up", 2),
    ("pour s'échauffer", 2),
    ("pour m'échauffer", 1),
    ("de mise en route", 1),
];

/// Before a cool-down: `retour au calme 5 minutes`.
pub(super) const COOLDOWN_BEFORE: &[(&str, u32)] = &[
    ("retour au calme", 4),
    ("retour au calme de", 2),
    ("et un retour au calme de", 2),
    ("on finit par un retour au calme de", 1),
    ("cool down", 1),
    ("cool-down de", 1),
    ("pour finir des étirements pendant", 1),
];

/// After a cool-down: `5 minutes de retour au calme`.
pub(super) const COOLDOWN_AFTER: &[(&str, u32)] = &[
    ("de retour au calme", 7),
    ("de retour au calme à la fin", 2),
    ("de cool down", 2),
    ("d'étirements à la fin", 2),
    ("d'étirements pour finir", 1),
    ("de récup à la fin", 1),
    ("de marche pour finir", 1),
];

/// The noun of a set (a block of rounds): (plural, singular).
pub(super) const SET_NOUNS: &[((&str, &str), u32)] = &[
    (("blocs", "bloc"), 6),
    (("circuits", "circuit"), 3),
    (("séquences", "séquence"), 1),
    (("groupes", "groupe"), 1),
    (("séries", "série"), 2),
];

/// After a repetition count: `15 pompes à chaque tour`.
pub(super) const REPS_AFTER: &[(&str, u32)] = &[
    ("", 8),
    ("à chaque tour", 2),
    ("par tour", 2),
    ("par série", 2),
    ("par round", 1),
    ("à chaque fois", 1),
    ("à chaque minute", 1),
];

/// Before a repetition count: `avec 10 burpees`.
pub(super) const REPS_BEFORE: &[(&str, u32)] = &[
    ("", 6),
    ("avec", 3),
    ("et", 2),
    ("objectif", 1),
    ("en faisant", 1),
    ("faire", 1),
];
