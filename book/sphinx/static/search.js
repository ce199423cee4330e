/* Course search: the theme's search dialog (search button, Ctrl+K, "/") searches the Pagefind index
 * built by book/publishing/search.py. Results are titled by page and list the matching sections, each
 * with a highlighted excerpt linking to the section. Pagefind loads on first use, over HTTP only.
 * Precision: a page must hold every word typed (in any of its forms, spellings and one typo, see
 * search-words.js), or all but one of three or more; sections holding them all come first, and only
 * the words that answer are highlighted. */
(() => {
  "use strict";
  const MAX_PAGES = 8;
  const MAX_SECTIONS = 3;
  /* The dialog's words, in the course's language (book/locale/, passed in the dialog's data-words);
   * "{name}" is filled in. */
  const WORDS = {
    search_all: "All",
    search_endings: "s|es|ed|d|ing|'s",
    search_one: "{n} page found for “{query}”",
    search_many: "{n} pages found for “{query}”",
    search_none: "No results for “{query}”",
    search_file:
      "Search needs the site served over HTTP: in the course folder run make serve, then open " +
      "http://127.0.0.1:8000.",
    search_unavailable: "The search index could not be loaded.",
  };
  const say = (key, values = {}) =>
    (WORDS[key] || key).replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));

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

  /* Which words answer a query: search-words.js, loaded with Pagefind (load()). */
  let match = null;

  /* Marks after attribute dots in the index view of code (book/publishing/search.py) split words; in an
   * excerpt they would read "np. linalg": join them back as written. */
  const SPLIT = "\u2063"; // book/publishing/search.py SPLIT_MARK

  /* Pagefind's excerpt is HTML with <mark> around what Pagefind matched, stems and near misses
   * included: keep its text, and highlight the words that answer what was typed (search-words.js). */
  const excerpt = (html, q) => {
    const parsed = document.createElement("template");
    parsed.innerHTML = html;
    const text = parsed.content.textContent.replace(new RegExp(`\\s*${SPLIT}`, "g"), "");
    const out = document.createElement("span");
    out.className = "course-search__excerpt";
    let at = 0;
    for (const [start, end] of q.highlights(text)) {
      const mark = document.createElement("mark");
      mark.textContent = text.slice(start, end);
      out.append(text.slice(at, start), mark);
      at = end;
    }
    out.append(text.slice(at));
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
  const bestSections = (data, q) => {
    const words = data.content.split(/\s+/);
    return (data.sub_results || [])
      .map((sub, order) => {
        const at = (sub.locations || []).flatMap((i) => [i - 1, i, i + 1]);
        const hits = match.expand(at.flatMap((i) => match.wordsOf(words[i] || "")));
        const found = q.termsIn(hits).size;
        const score = (sub.weighted_locations || []).reduce((t, w) => t + w.balanced_score, 0);
        return { sub, order, found, score };
      })
      .filter(({ found }) => found > 0)
      .sort((a, b) => b.found - a.found || b.score - a.score || a.order - b.order)
      .slice(0, MAX_SECTIONS);
  };

  const renderPage = ({ data, sections, q }) => {
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
      entry.append(link(sub.url, "course-search__hit", section, excerpt(sub.excerpt, q)));
      list.append(entry);
    }
    item.append(list);
    return item;
  };

  /* Pagefind matches generously (stems, prefixes of the query): a page counts only when it holds
   * ``required`` of the typed words; pages with a section that holds them all come first, then (for
   * more than one word) a page with a section headed by them all, then Pagefind's rank. */
  const answer = (data, q, required) => {
    const found = q.termsIn(match.expand(match.wordsOf(textOf(data)))).size;
    if (found < required) return null;
    const sections = bestSections(data, q);
    if (!sections.length) return null;
    const complete = sections.filter((s) => s.found === q.terms.length).length;
    // a section headed by every typed word ("install torch": "Install torch for ...") is the
    // page about it, not one that uses the words throughout
    const headed = sections.some(
      ({ sub }) => q.termsIn(match.expand(match.wordsOf(sub.title || ""))).size === q.terms.length,
    );
    return { data, sections, found, complete, headed, q };
  };

  const textOf = (data) => data.content + " " + (data.meta.title || "");

  /* The pages that answer the query, best first. Of three words or more, one may be missing from
   * the site ("train test split" where the labs say "training set and a test set"): when no page
   * holds them all, the pages holding all but one, from a search for each such set of words. When
   * still none, a typo: a search for the first four letters of each long word. */
  const answers = async (module, text, found, filters) => {
    const rank = async (results, required) => {
      const data = await Promise.all(results.slice(0, 20).map((r) => r.data()));
      const q = match.query(text, data.map(textOf));
      return data
        .map((d, order) => ({ ...answer(d, q, required), order, score: results[order].score }))
        .filter((p) => p.data);
    };
    const terms = match.termsOf(text);
    const again = async (words, required) =>
      rank((await module.search(words.join(" "), { filters })).results, required);
    let pages = await rank(found.results, terms.length);
    if (!pages.length && terms.length >= 3) {
      const seen = new Map();
      for (const [skip] of terms.entries()) {
        for (const page of await again(terms.filter((_, i) => i !== skip), terms.length - 1)) {
          const best = seen.get(page.data.url);
          if (!best || page.found > best.found || (page.found === best.found && page.score > best.score)) {
            seen.set(page.data.url, page);
          }
        }
      }
      // ranked by Pagefind's score for the words they hold
      pages = [...seen.values()].sort((a, b) => b.score - a.score).map((page, order) => ({ ...page, order }));
    }
    if (!pages.length && terms.some((t) => t.length >= 5)) {
      pages = await again(terms.map((t) => (t.length >= 5 ? t.slice(0, 4) : t)), terms.length);
    }
    return pages
      .sort(
        (a, b) =>
          b.found - a.found ||
          (b.complete > 0) - (a.complete > 0) ||
          (terms.length > 1 && b.headed - a.headed) ||
          a.order - b.order,
      )
      .slice(0, MAX_PAGES);
  };

  const load = async (ui) => {
    if (!pagefind) {
      const matcher = import(new URL("_static/search-words.js", root()).href);
      pagefind = import(new URL("pagefind/pagefind.js", root()).href).then(async (module) => {
        await module.options({ baseUrl: root().pathname, excerptLength: 24 });
        await module.init();
        match = await matcher;
        match.setEndings(WORDS.search_endings); // the course's language's forms of a word
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
    const choices = [[say("search_all"), null], ...weeks.map((w) => [w, w])];
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
      setStatus(ui, say("search_file"));
      return;
    }
    let module;
    try {
      module = await load(ui);
    } catch (error) {
      setStatus(ui, say("search_unavailable") + " " + say("search_file"));
      return;
    }
    if (!query) {
      ui.results.replaceChildren();
      setStatus(ui, "");
      return;
    }
    const filters = week ? { week } : {};
    const found = await module.debouncedSearch(query, { filters }, 120);
    if (found === null) return; // a newer query superseded this one
    const pages = await answers(module, query, found, filters);
    if (ui.input.value.trim() !== query) return;
    ui.results.replaceChildren(...pages.map(renderPage));
    const n = pages.length;
    setStatus(ui, say(n === 0 ? "search_none" : n === 1 ? "search_one" : "search_many", { n, query }));
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
    try {
      Object.assign(WORDS, JSON.parse(ui.dialog.dataset.words || "{}"));
      INFLECTION = new RegExp(`^(${WORDS.search_endings})$`);
    } catch (error) {
      /* no words of the course's own: English */
    }
    // Opening the dialog (theme button, Ctrl+K, "/") focuses the box: load the index then.
    ui.input.addEventListener("focus", () => {
      if (location.protocol === "file:") setStatus(ui, say("search_file"));
      else load(ui).catch(() => setStatus(ui, say("search_unavailable") + " " + say("search_file")));
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
