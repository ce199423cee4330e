/* Course search: the theme's search dialog (search button, Ctrl+K, "/") searches the Pagefind index
 * built by book/sphinx/search.py. Results are titled by page and list the matching sections, each with a
 * highlighted excerpt linking to the section. Pagefind loads on first use, over HTTP only.
 * Precision: a page must hold every word typed (whole, or as a word the typed text begins), sections
 * holding them all come first, and only such words are highlighted (see answers()). */
(() => {
  "use strict";
  const MAX_PAGES = 8;
  const MAX_SECTIONS = 3;
  const FILE_MESSAGE =
    "Search needs the site served over HTTP: in the course folder run make serve, then open " +
    "http://127.0.0.1:8000.";

  let pagefind = null; // the loaded Pagefind module, or a promise of it
  let week = null; // the selected week filter value, or null for every week

  const root = () => new URL(document.documentElement.dataset.content_root || "./", location.href);

  const elements = () => {
    const dialog = document.getElementById("pst-search-dialog");
    return dialog && {
      dialog,
      input: dialog.querySelector("#course-search-input"),
      filters: dialog.querySelector(".course-search__filters"),
      status: dialog.querySelector(".course-search__status"),
      results: dialog.querySelector(".course-search__results"),
    };
  };

  const setStatus = (ui, text) => {
    ui.status.textContent = text;
  };

  /* What the reader typed, as words: letters, digits and "_" (so "zero_grad" is one word). */
  const WORD = /[\p{L}\p{N}_]+/gu;
  const termsOf = (query) => [...new Set((query.toLowerCase().match(WORD) || []))];
  const wordsOf = (text) => (text.toLowerCase().match(WORD) || []);

  /* Endings that make a typed word another form of the same word ("rate" and "rates"). */
  const INFLECTION = /^(s|es|ed|d|ing|'s)$/;

  /* Does a word of the page answer a typed term? The word itself, a word the term begins (the reader
   * typed a real prefix: "regularis"), or another form of it. Never a stem or a single letter that
   * merely shares a beginning with the term ("old" for "OLS", "x" for "xqzvw"). */
  const answers = (word, term) =>
    word === term ||
    word.startsWith(term) ||
    (term.startsWith(word) && word.length >= 3 && INFLECTION.test(term.slice(word.length)));

  const answersAny = (text, terms) => wordsOf(text).some((word) => terms.some((t) => answers(word, t)));

  /* The terms found among some words of the page. */
  const termsIn = (words, terms) => new Set(terms.filter((t) => words.some((w) => answers(w, t))));

  /* Marks after attribute dots in the index view of code (book/publishing/search.py) split words; in an
   * excerpt they would read "np. linalg": join them back as written. */
  const SPLIT = "\u2063"; // book/publishing/search.py SPLIT_MARK
  const START = "\u0001";
  const END = "\u0002";

  /* Pagefind's excerpt is HTML with <mark> around hits: keep the text, and the marks around words
   * that answer what was typed; nothing else. */
  const excerpt = (html, terms) => {
    const parsed = document.createElement("template");
    parsed.innerHTML = html;
    let text = "";
    for (const node of parsed.content.childNodes) {
      text += node.nodeName === "MARK" ? START + node.textContent + END : node.textContent;
    }
    text = text.replace(new RegExp(`\\s*(${START}?)${SPLIT}`, "g"), "$1").replaceAll(SPLIT, "");
    const out = document.createElement("span");
    out.className = "course-search__excerpt";
    for (const [index, part] of text.split(new RegExp(`[${START}${END}]`)).entries()) {
      if (!part) continue;
      if (index % 2 === 1 && answersAny(part, terms)) {
        const mark = document.createElement("mark");
        mark.textContent = part;
        out.append(mark);
      } else {
        out.append(part);
      }
    }
    return out;
  };

  const link = (href, className, ...children) => {
    const a = document.createElement("a");
    a.href = href;
    a.className = className;
    a.append(...children);
    return a;
  };

  /* A page's sections that answer the query: those with every typed word first, then by Pagefind's
   * score, then in page order. A section whose only hits are near misses (a stem, a letter) goes. */
  const bestSections = (data, terms) => {
    const words = data.content.split(/\s+/);
    return (data.sub_results || [])
      .map((sub, order) => {
        const hits = (sub.locations || []).flatMap((at) => wordsOf(words[at] || ""));
        const found = termsIn(hits, terms).size;
        const score = (sub.weighted_locations || []).reduce((t, w) => t + w.balanced_score, 0);
        return { sub, order, found, score };
      })
      .filter(({ found }) => found > 0)
      .sort((a, b) => b.found - a.found || b.score - a.score || a.order - b.order)
      .slice(0, MAX_SECTIONS);
  };

  const renderPage = ({ data, sections }, terms) => {
    const item = document.createElement("li");
    item.className = "course-search__result";
    const title = document.createElement("span");
    title.className = "course-search__title";
    title.textContent = data.meta.title || data.url;
    item.append(link(data.url, "course-search__page", title));
    const list = document.createElement("ul");
    list.className = "course-search__sections";
    for (const { sub } of sections) {
      const entry = document.createElement("li");
      const section = document.createElement("span");
      section.className = "course-search__section";
      section.textContent = sub.title === data.meta.title ? "" : sub.title;
      entry.append(link(sub.url, "course-search__hit", section, excerpt(sub.excerpt, terms)));
      list.append(entry);
    }
    item.append(list);
    return item;
  };

  /* Pagefind matches generously (stems, prefixes of the query): a page counts only when every typed
   * word is on it; pages with a section that holds them all come first, then (for more than one
   * word) a page with a section headed by them all, then Pagefind's rank. */
  const answer = (data, terms) => {
    if (termsIn(wordsOf(data.content + " " + (data.meta.title || "")), terms).size < terms.length) return null;
    const sections = bestSections(data, terms);
    if (!sections.length) return null;
    const complete = sections.filter((s) => s.found === terms.length).length;
    // a section headed by every typed word ("install torch": "Install torch for ...") is the
    // page about it, not one that uses the words throughout
    const headed = sections.some(
      ({ sub }) => termsIn(wordsOf(sub.title || ""), terms).size === terms.length,
    );
    return { data, sections, complete, headed };
  };

  const load = async (ui) => {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root()).href).then(async (module) => {
        await module.options({ baseUrl: root().pathname, excerptLength: 24 });
        await module.init();
        return module;
      });
      pagefind.then((module) => renderFilters(ui, module)).catch(() => {});
    }
    return pagefind;
  };

  const renderFilters = async (ui, module) => {
    const weeks = Object.keys((await module.filters()).week || {});
    if (weeks.length < 2) return;
    weeks.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const choices = [["All", null], ...weeks.map((w) => [w, w])];
    for (const [label, value] of choices) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "course-search__filter";
      button.textContent = label;
      button.setAttribute("aria-pressed", String(value === week));
      button.addEventListener("click", () => {
        week = value;
        for (const b of ui.filters.children) b.setAttribute("aria-pressed", String(b === button));
        search(ui);
        ui.input.focus();
      });
      ui.filters.append(button);
    }
    ui.filters.hidden = false;
  };

  const search = async (ui) => {
    const query = ui.input.value.trim();
    if (location.protocol === "file:") {
      setStatus(ui, FILE_MESSAGE);
      return;
    }
    let module;
    try {
      module = await load(ui);
    } catch (error) {
      setStatus(ui, "The search index could not be loaded. " + FILE_MESSAGE);
      return;
    }
    if (!query) {
      ui.results.replaceChildren();
      setStatus(ui, "");
      return;
    }
    const found = await module.debouncedSearch(query, { filters: week ? { week } : {} }, 120);
    if (found === null) return; // a newer query superseded this one
    const terms = termsOf(query);
    const candidates = await Promise.all(found.results.slice(0, 20).map((r) => r.data()));
    if (ui.input.value.trim() !== query) return;
    const pages = candidates
      .map((data, rank) => ({ ...answer(data, terms), rank }))
      .filter((page) => page.data)
      .sort(
        (a, b) =>
          (b.complete > 0) - (a.complete > 0) || (terms.length > 1 && b.headed - a.headed) || a.rank - b.rank,
      )
      .slice(0, MAX_PAGES);
    ui.results.replaceChildren(...pages.map((page) => renderPage(page, terms)));
    const n = pages.length;
    setStatus(ui, n ? `${n} page${n === 1 ? "" : "s"} found for “${query}”` : `No results for “${query}”`);
  };

  const editing = (target) =>
    target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

  const open = (ui) => {
    if (!ui.dialog.open) ui.dialog.showModal();
    ui.input.focus();
    ui.input.select();
  };

  const setUp = () => {
    const ui = elements();
    if (!ui || !ui.input) return;
    // Opening the dialog (theme button, Ctrl+K, "/") focuses the box: load the index then.
    ui.input.addEventListener("focus", () => {
      if (location.protocol === "file:") setStatus(ui, FILE_MESSAGE);
      else load(ui).catch(() => setStatus(ui, "The search index could not be loaded. " + FILE_MESSAGE));
    });
    ui.input.addEventListener("input", () => search(ui));
    ui.dialog.querySelector("form").addEventListener("submit", (event) => {
      event.preventDefault();
      const first = ui.results.querySelector("a.course-search__hit");
      if (first) first.click();
    });
    ui.dialog.querySelector(".course-search__close").addEventListener("click", () => ui.dialog.close());
    // Arrow keys move between results; following a link closes the dialog (same-page anchors too);
    // Escape closes it from anywhere in it.
    ui.dialog.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        ui.dialog.close();
        return;
      }
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const links = [...ui.results.querySelectorAll("a")];
      if (!links.length) return;
      event.preventDefault();
      const at = links.indexOf(document.activeElement);
      const next = event.key === "ArrowDown" ? Math.min(at + 1, links.length - 1) : at - 1;
      (next < 0 ? ui.input : links[next]).focus();
    });
    ui.results.addEventListener("click", (event) => {
      if (event.target.closest("a")) ui.dialog.close();
    });
    window.addEventListener(
      "keydown",
      (event) => {
        if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
        if (editing(event.target) || ui.dialog.open) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        open(ui);
      },
      true,
    );
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
