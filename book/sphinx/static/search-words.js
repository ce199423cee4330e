/* Which words of a page answer what the reader typed (search.js loads this module with Pagefind).
 *
 * Forgiving where readers differ from the page, strict where a word is simply not there:
 * - forms of a word: "rate" and "rates", "overfitting" and "overfits", "standardised" and
 *   "standardise";
 * - spellings: -ise/-ize, -isation/-ization, -yse/-yze, -our/-or ("standardize" finds
 *   "standardise", "color" finds "colour");
 * - a word the reader began, of four letters or more: "regularis" finds "regularisation" ("lab" is
 *   not "label");
 * - hyphens, spaces and underscores: "overfitting" finds "over-fitting", "over fitting" finds
 *   "overfitting", "train test split" finds "train_test_split";
 * - one typo (a letter missing, extra, wrong or two swapped) in a word of five letters or more
 *   that the pages searched do not have as typed: "regularisaton" finds "regularisation" (but
 *   "cross" is not "across" where the pages say "cross").
 * Words of one or two letters match only themselves ("a" is not every word that begins with "a"),
 * and nothing matches a word merely because it begins like it ("old" is not "OLS"). The page may
 * write a word differently: its excerpt highlights the word as the page writes it. */

/* Words as the reader and the page write them: letters, digits and "_" ("zero_grad" is one). */
const WORD = /[\p{L}\p{N}_]+/gu;

export const termsOf = (query) => [...new Set(query.toLowerCase().match(WORD) || [])];

export const wordsOf = (text) => text.toLowerCase().match(WORD) || [];

/* British and American spellings written one way. */
const SPELLINGS = [
  [/is(e|es|ed|ing|er|ers|ation|ations)$/, "iz$1"],
  [/ys(e|es|ed|ing)$/, "yz$1"],
  [/our(s|ed|ing|ite|ites|able)?$/, "or$1"],
];

const spelling = (word) => {
  if (word.length < 6) return word; // "wise", "four": not spellings of anything else
  return SPELLINGS.reduce((w, [ending, to]) => w.replace(ending, to), word);
};

/* The form a word's inflections share: "overfits" and "overfitting" are "overfit". */
const ENDINGS = [
  ["izations", "iz"],
  ["ization", "iz"],
  ["ings", ""],
  ["ing", ""],
  ["ies", "y"],
  ["ied", "y"],
  ["es", ""],
  ["ed", ""],
  ["s", ""],
];

const stem = (word) => {
  let s = spelling(word);
  for (const [end, to] of ENDINGS) {
    if (s.endsWith(end) && s.length - end.length >= 3 && !(end === "s" && s.endsWith("ss"))) {
      s = s.slice(0, -end.length) + to;
      break;
    }
  }
  if (/([b-df-hj-np-tv-z])\1$/.test(s) && !/(ll|ss|zz)$/.test(s)) s = s.slice(0, -1);
  return s.length > 3 ? s.replace(/e$/, "") : s;
};

/* One edit apart: a letter missing, added, changed, or two neighbours swapped. */
const oneEdit = (a, b) => {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    return (
      a.slice(i + 1) === b.slice(i + 1) ||
      (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2))
    );
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
};

/* Endings that make a typed word another form of a page's word in the course's language ("rate"
 * and "rates"; in German "Modell" and "Modellen"): its search_endings message (book/locale/). */
let inflection = /^(s|es|ed|d|ing|'s)$/;
export const setEndings = (endings) => {
  if (endings) inflection = new RegExp(`^(${endings})$`);
};

/* Does a word of the page answer a typed term? A typo only where ``typo`` allows it. */
export const answers = (word, term, typo = true) => {
  if (word === term) return true;
  if (term.length < 3) return false;
  if (term.startsWith(word) && word.length >= 3 && inflection.test(term.slice(word.length))) {
    return true;
  }
  const [w, t] = [spelling(word), spelling(term)];
  if (w === t || (term.length >= 4 && (word.startsWith(term) || w.startsWith(t)))) return true;
  const s = stem(term);
  if (s.length >= 3 && stem(word) === s) return true;
  return typo && term.length >= 5 && word.length >= 4 && (oneEdit(word, term) || oneEdit(w, t));
};

/* What a run of page words also offers: each part of an identifier ("train_test_split": "train",
 * "test", "split") and two neighbours written as one ("over", "fitting": "overfitting"). */
export const expand = (words) => {
  const out = [];
  words.forEach((word, i) => {
    out.push(word);
    if (word.includes("_")) out.push(...word.split("_").filter(Boolean));
    if (i + 1 < words.length) out.push(word + words[i + 1]);
  });
  return out;
};

/* The typed terms, and neighbours written as one ("over fitting": "overfitting"), each with the
 * terms it stands for. */
const wanted = (terms) => [
  ...terms.map((t) => [t, [t]]),
  ...terms.slice(1).map((t, i) => [terms[i] + t, [terms[i], t]]),
];

/* The terms found among (expanded) words of a page. */
const termsIn = (words, terms, ok) => {
  const found = new Set();
  for (const [want, stands] of wanted(terms)) {
    if (stands.every((t) => found.has(t))) continue;
    if (words.some((w) => ok(w, want))) stands.forEach((t) => found.add(t));
  }
  return found;
};

/* Which words of a text to highlight: [start, end) ranges of the text, each a word (or a part of an
 * identifier, or two neighbours joined by a hyphen or space) that answers a term. */
const highlights = (text, terms, ok) => {
  const want = wanted(terms).map(([w]) => w);
  const hit = (word) => want.some((t) => ok(word.toLowerCase(), t));
  const tokens = [...text.matchAll(WORD)].map((m) => [m.index, m.index + m[0].length, m[0]]);
  const ranges = [];
  tokens.forEach(([start, end, word], i) => {
    const next = tokens[i + 1];
    const parts = [];
    if (word.includes("_")) {
      let at = start; // "train" in "train_losses": the part, not the whole identifier
      for (const part of word.split("_")) {
        if (part && hit(part)) parts.push([at, at + part.length]);
        at += part.length + 1;
      }
    }
    if (parts.length) {
      ranges.push(...parts);
    } else if (hit(word)) {
      ranges.push([start, end]);
    } else if (next && /^[-\s]$/.test(text.slice(end, next[0])) && hit(word + next[2])) {
      ranges.push([start, next[1]]);
    }
  });
  return ranges.filter(([start], i) => i === 0 || start >= ranges[i - 1][1]);
};

/* A query: the typed terms, and which may match with a typo (those that no word of ``texts``, the
 * pages searched, answers without one). */
export const query = (text, texts) => {
  const terms = termsOf(text);
  const corpus = [...new Set(expand(texts.flatMap(wordsOf)))];
  const typos = new Set(
    wanted(terms)
      .map(([want]) => want)
      .filter((want) => !corpus.some((w) => answers(w, want, false))),
  );
  const ok = (word, want) => answers(word, want, typos.has(want));
  return {
    terms,
    termsIn: (words) => termsIn(words, terms, ok),
    highlights: (text) => highlights(text, terms, ok),
  };
};
