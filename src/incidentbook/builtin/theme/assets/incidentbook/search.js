/* incidentbook: the header's search box (partials/pagefind.html) on the Pagefind index that
   `incidentbook build` writes into pagefind/ (sitesearch.py).

   Pagefind's JavaScript API loads only the index chunks a query needs, and each shown result's
   fragment. Everything comes from the site itself; links are relative to the current page (the
   theme's base_url), so the site works at its root and under a sub-path.
   Keyboard: "/", "s" or "f" opens the search (as in Material); Escape closes it; ArrowDown and
   ArrowUp move between the box and the results (Tab too); Enter in the box opens the first result. */
(() => {
  "use strict";
  const root = document.querySelector("[data-ib-search]");
  const toggle = document.getElementById("__search");
  if (!root || !toggle) return;
  const form = root.querySelector("form");
  const input = root.querySelector(".md-search__input");
  const status = root.querySelector(".md-search-result__meta");
  const list = root.querySelector(".md-search-result__list");
  const more = root.querySelector(".ib-search-more");
  const opener = document.querySelector(".ib-search-open");
  const base = (root.dataset.ibRoot || ".").replace(/\/$/, "");
  const PAGE = 10;
  const KINDS = { incidents: "Incident brief", actors: "Actor profile", places: "Place", sources: "Source" };

  let pagefind = null;   // promise of the search lanes (Pagefind instances), loaded on first use
  let results = [];      // the current query's results (their data not loaded yet)
  let shown = 0;
  let query = 0;         // increases with each query: answers to older ones are dropped
  let timer = 0;
  let openedBy = null;   // the element to give focus back to on Escape

  // A large site's index comes in parts (pagefind/ib-shards.json, written by the build). Pagefind
  // searches the indexes it merges one after another in one Web Worker, at about 0.04 ms for each
  // matching page: a common query of a 10,000-incident site (7,262 pages) took 230-300 ms. So the
  // parts are dealt out to LANES copies of Pagefind's module, each with a worker of its own,
  // searched at the same time, and their answers merged by score, as Pagefind's own mergeIndex
  // ranks the indexes it merges (125-170 ms in two workers; BENCHMARKS.md). Each lane costs its
  // own copy of Pagefind's script, worker and WebAssembly (about 160 KB, once per page).
  const LANES = Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1));

  // Pagefind asks its worker to forget a result's data once the result is garbage-collected (a
  // FinalizationRegistry): one message to the worker and one back per result. After a common
  // query (7,262 results on a 10,000-incident site) those messages came by the thousand while
  // the next words were typed, and held the next search back by up to half a second. So the
  // search box gives Pagefind a registry that collects the forgotten results and passes them on
  // once the box has been idle (no key, no search) for IDLE_MS, a thousand at a time.
  const RealRegistry = window.FinalizationRegistry;
  const IDLE_MS = 1500;
  const forgotten = [];  // [Pagefind's cleanup function, its held value]
  let forgetTimer = 0;

  class DeferredRegistry {
    constructor(cleanup) {
      this.registry = new RealRegistry((held) => {
        forgotten.push([cleanup, held]);
        forgetLater();
      });
    }
    register(target, held, token) { this.registry.register(target, held, token); }
    unregister(token) { return this.registry.unregister(token); }
  }

  function forgetLater() {
    clearTimeout(forgetTimer);
    forgetTimer = setTimeout(forget, IDLE_MS);
  }

  function forget() {
    if (searching) return forgetLater();
    for (const [cleanup, held] of forgotten.splice(0, 1000)) cleanup(held);
    if (forgotten.length) forgetTimer = setTimeout(forget, 50);
  }

  // Pagefind's wrapper makes its registry when it is constructed.
  function withDeferredRegistry(make) {
    if (typeof RealRegistry === "undefined") return make();
    window.FinalizationRegistry = DeferredRegistry;
    try {
      return make();
    } finally {
      window.FinalizationRegistry = RealRegistry;
    }
  }

  function load() {
    if (!pagefind) {
      const entry = new URL(root.dataset.ibPagefind, document.baseURI);
      pagefind = (async () => {
        const response = await fetch(new URL("ib-shards.json", entry));
        if (!response.ok) throw new Error(`pagefind/ib-shards.json: HTTP ${response.status}`);
        const { parts } = await response.json();
        const indexes = [new URL(".", entry).href, ...parts.map((part) => new URL(part, entry).href)];
        const lanes = Math.min(LANES, indexes.length);
        return Promise.all(Array.from({ length: lanes }, async (_, lane) => {
          // A module imported from another URL is another copy, with its own worker.
          const module = await import(lane ? `${entry.href}?lane=${lane}` : entry.href);
          const mine = indexes.filter((_, i) => i % lanes === lane);
          const instance = withDeferredRegistry(() => module.createInstance({ basePath: mine[0], excerptLength: 24 }));
          await instance.init();
          await Promise.all(mine.slice(1).map((path) => instance.mergeIndex(path, { excerptLength: 24 })));
          return instance;
        }));
      })();
      pagefind.catch(() => { pagefind = null; });
    }
    return pagefind;
  }

  // Every lane's results, ranked together by score (the sort is stable: equal scores keep the
  // lanes' order).
  async function searchAll(lanes, text) {
    const answers = await Promise.all(lanes.map((lane) => lane.search(text)));
    return answers.flatMap((answer) => answer.results).sort((a, b) => b.score - a.score);
  }

  function count(n) {
    if (n === 0) return root.dataset.ibNone;
    if (n === 1) return root.dataset.ibOne;
    return root.dataset.ibOther.replace("#", n.toLocaleString("en"));
  }

  // A link relative to this page: Pagefind's URLs are paths from the indexed site's root.
  function href(url) {
    return base + "/" + String(url || "").replace(/^\/+/, "");
  }

  function kind(url) {
    const parts = String(url || "").split("#")[0].split("/").filter(Boolean);
    return parts.length === 2 ? KINDS[parts[0]] || "" : "";
  }

  // Pagefind's excerpts are text with < and > escaped and the matches in <mark>; built as DOM
  // nodes, never as HTML, so page text that looks like markup stays text.
  function excerpt(into, text) {
    String(text || "").split(/(<mark>|<\/mark>)/).reduce((marked, piece) => {
      if (piece === "<mark>") return true;
      if (piece === "</mark>") return false;
      if (piece) {
        const node = document.createTextNode(piece.replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
        if (marked) {
          const mark = document.createElement("mark");
          mark.append(node);
          into.append(mark);
        } else {
          into.append(node);
        }
      }
      return marked;
    }, false);
  }

  function item(data) {
    const li = document.createElement("li");
    li.className = "md-search-result__item";
    const a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = href(data.raw_url || data.url);
    const article = document.createElement("div");
    article.className = "md-search-result__article md-typeset";
    const icon = document.createElement("div");
    icon.className = "md-search-result__icon md-icon";
    const title = document.createElement("div");
    title.className = "ib-search-title";
    title.textContent = (data.meta && data.meta.title) || data.raw_url || data.url;
    const label = kind(data.raw_url || data.url);
    article.append(icon, title);
    if (label) {
      const small = document.createElement("div");
      small.className = "ib-search-kind";
      small.textContent = label;
      article.append(small);
    }
    const p = document.createElement("p");
    excerpt(p, data.excerpt);
    article.append(p);
    a.append(article);
    li.append(a);
    return li;
  }

  // The next page of results, each shown as soon as its data has arrived and those before it are
  // shown (all are fetched at once): the first result does not wait for the tenth. "More results"
  // is offered at once; its page is appended after the one still arriving.
  let batch = Promise.resolve();

  function showMore(focusFirst) {
    const mine = query;
    const slice = results.slice(shown, shown + PAGE);
    const pending = slice.map((r) => r.data());
    pending.forEach((p) => p.catch(() => {}));
    shown += slice.length;
    more.hidden = shown >= results.length;
    const before = batch;
    batch = (async () => {
      await before;
      for (const [i, promise] of pending.entries()) {
        let data;
        try {
          data = await promise;
        } catch (error) {
          continue;
        }
        if (mine !== query) return;
        const li = item(data);
        list.append(li);
        if (focusFirst && i === 0) li.querySelector("a").focus();
      }
    })();
    return batch;
  }

  // One search at a time: Pagefind answers in turn, so a search started for each key typed would
  // queue behind the others. While one runs, only the newest text waits, and runs after it.
  let searching = false;
  let again = false;

  async function run() {
    if (searching) {
      again = true;
      return;
    }
    searching = true;
    try {
      await search();
    } finally {
      searching = false;
    }
    if (again) {
      again = false;
      run();
    }
  }

  async function search() {
    const text = input.value.trim();
    const mine = ++query;
    form.classList.toggle("ib-search--filled", input.value !== "");
    if (!text) {
      results = [];
      shown = 0;
      list.replaceChildren();
      delete list.dataset.ibQuery;
      more.hidden = true;
      status.textContent = root.dataset.ibPlaceholder;
      return;
    }
    let found;
    try {
      const lanes = await load();
      found = await searchAll(lanes, text);
    } catch (error) {
      if (mine === query) status.textContent = "Search is unavailable: its index could not be loaded.";
      return;
    }
    if (mine !== query) return;
    results = found;
    shown = 0;
    batch = Promise.resolve();  // the previous query's pages, still arriving, are dropped
    list.replaceChildren();
    list.dataset.ibQuery = text;  // which text the list answers (the tests and benchmarks read it)
    more.hidden = true;
    status.textContent = count(results.length);
    showMore(false);  // not awaited: the next search need not wait for these results' data
  }

  function isOpen() {
    return toggle.checked;
  }

  function setOpen(open) {
    if (toggle.checked !== open) {
      toggle.checked = open;
      toggle.dispatchEvent(new Event("change"));
    }
  }

  function close(giveFocusBack) {
    setOpen(false);
    const back = openedBy;
    openedBy = null;
    if (giveFocusBack && back && back.offsetParent !== null) back.focus();
    else if (root.contains(document.activeElement)) document.activeElement.blur();
  }

  toggle.addEventListener("change", () => {
    if (toggle.checked) {
      load();
      if (document.activeElement !== input) input.focus();
    } else if (root.contains(document.activeElement)) {
      document.activeElement.blur();
    }
  });

  input.addEventListener("focus", () => {
    load();
    setOpen(true);
  });
  // Pagefind reads the last word as a prefix: one or two letters match a large part of the
  // index, slow to search and to fetch, and are mostly a word still being typed. So the search
  // waits for a pause after them (400 ms), and their chunks are not fetched ahead.
  function wordStarted(text) {
    return (text.split(/\s+/).pop() || "").length < 3;
  }

  // Otherwise it starts at once: searches run one at a time and only the newest text waits for
  // the one running (run()), so a key typed while Pagefind answers costs nothing, and the last
  // key's search starts as soon as the one before it ends. A fixed pause of 120 ms was most of
  // the wait for a query matching a thousand pages (about 150 ms from the last key to the first
  // result, against about 60 ms without it, on a 10,000-incident site; BENCHMARKS.md). (An
  // earlier box also waited after a slow search as long as it had taken: that only delayed the
  // search of the last key.)
  function pause(text) {
    return wordStarted(text) ? 400 : 0;
  }

  input.addEventListener("input", () => {
    if (forgotten.length) forgetLater();
    clearTimeout(timer);
    const text = input.value.trim();
    timer = setTimeout(run, pause(text));
    // While the typing pauses, fetch the index chunks of the words typed so far.
    if (text && !wordStarted(text)) load().then((lanes) => lanes.forEach((lane) => lane.preload(text).catch(() => {}))).catch(() => {});
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const first = list.querySelector("a");
    if (first) first.click();
  });
  form.addEventListener("reset", () => {
    setTimeout(() => {
      run();
      input.focus();
    });
  });
  more.addEventListener("click", () => showMore(true));
  list.addEventListener("click", (event) => {
    if (event.target.closest("a")) setOpen(false);  // also for a link to this very page
  });

  // The magnifier button of narrow screens: a label, made operable from the keyboard.
  if (opener) {
    opener.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        event.stopPropagation();
        openedBy = opener;
        setOpen(true);
      }
    });
    opener.addEventListener("click", () => { openedBy = opener; });
  }

  // Leaving the search with Tab (or by clicking elsewhere) closes it.
  root.addEventListener("focusout", (event) => {
    if (event.relatedTarget && !root.contains(event.relatedTarget)) setOpen(false);
  });

  function stops() {
    return [input, ...list.querySelectorAll("a"), ...(more.hidden ? [] : [more])];
  }

  root.addEventListener("keydown", (event) => {
    if (!isOpen()) return;
    if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const all = stops();
      const at = all.indexOf(document.activeElement);
      if (at < 0) return;
      const next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0 || next >= all.length) return;
      event.preventDefault();
      all[next].focus();
      if (all[next] !== input) all[next].scrollIntoView({ block: "nearest" });
    }
  });

  // "/", "s" and "f" open the search from anywhere on the page, as Material's shortcuts do.
  window.addEventListener("keydown", (event) => {
    if (isOpen() || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (!["/", "s", "f"].includes(event.key)) return;
    const active = document.activeElement;
    if (active && (active.isContentEditable || /^(input|textarea|select)$/i.test(active.tagName))) return;
    event.preventDefault();
    openedBy = active && active !== document.body ? active : null;
    setOpen(true);
    input.focus();
    input.select();
  });
})();
