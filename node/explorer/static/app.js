// The explorer's router: hash routes (#/block/12) mapped to page functions. Each page renders
// into <main> and may subscribe to live updates; leaving the page disposes its subscriptions.

import { chain } from "./api.js";
import { h, replace, errorBox } from "./dom.js";
import { Live } from "./live.js";
import * as chainPages from "./page-chain.js";
import * as govPages from "./page-gov.js";
import { resolveSearch } from "./search.js";

const ROUTES = [
  [/^\/?$/, chainPages.dashboard, "dashboard"],
  [/^\/blocks(?:\/before\/(\d+))?$/, chainPages.blocks, "blocks"],
  [/^\/block\/([0-9]+|(?:0x)?[0-9a-fA-F]{64})$/, chainPages.block, "blocks"],
  [/^\/tx\/((?:0x)?[0-9a-fA-F]{64})$/, chainPages.tx, "blocks"],
  [/^\/validators$/, chainPages.validators, "validators"],
  [/^\/account\/([a-z0-9]+)$/, govPages.account, null],
  [/^\/collectives$/, govPages.collectives, "collectives"],
  [/^\/collective\/([0-9a-fA-F]{40})$/, govPages.collective, "collectives"],
  [/^\/proposal\/(\d+)$/, govPages.proposal, "collectives"],
  [/^\/split\/([0-9a-fA-F]{64})$/, govPages.split, "collectives"],
  [/^\/content\/([0-9a-fA-F]{64})$/, govPages.content, "collectives"],
  [/^\/search\/(.+)$/, searchPage, null],
];

const main = document.getElementById("main");
const liveBadge = document.getElementById("live");
const live = new Live((state) => {
  liveBadge.dataset.state = state;
  liveBadge.textContent = state;
});
let current = null;

// What a page gets: where to render, live subscriptions that end with the page, and whether the
// user has already moved on (a slow answer must not paint over the next page).
class View {
  constructor(params, info) {
    this.params = params;
    this.info = info;
    this.main = main;
    this.disposers = [];
    this.gone = false;
  }
  subscribe(params, callback) {
    const off = live.subscribe(params, (result) => {
      if (!this.gone) callback(result);
    });
    this.disposers.push(off);
    return off;
  }
  // Calls `refresh` after each new block, never two at once (a slow node is not flooded).
  onBlock(refresh) {
    let running = false;
    let again = false;
    const run = async (block) => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        await refresh(block);
      } catch (err) {
        console.warn("live refresh failed", err);
      } finally {
        running = false;
        if (again && !this.gone) {
          again = false;
          run(block);
        }
      }
    };
    return this.subscribe({ topic: "blocks" }, run);
  }
  render(...children) {
    if (!this.gone) replace(this.main, ...children);
  }
  dispose() {
    this.gone = true;
    for (const off of this.disposers) off();
  }
}

async function searchPage(view, query) {
  const target = await resolveSearch(decodeURIComponent(query));
  if (view.gone) return;
  if (target) {
    location.replace(`#${target}`);
  } else {
    view.render(
      h("h1", {}, "Search"),
      h("div", { class: "error", role: "alert", id: "search-none" }, "Nothing on this chain matches ", h("code", {}, decodeURIComponent(query)), ". Try a height, a block or tx hash, an address, a collective, split or content id."),
    );
  }
}

async function route() {
  const path = location.hash.replace(/^#/, "") || "/";
  if (current) current.dispose();
  const info = await chain().catch(() => null);
  const match = ROUTES.map(([re, page, nav]) => [path.match(re), page, nav]).find(([m]) => m);
  for (const a of document.querySelectorAll("[data-nav]")) {
    a.classList.toggle("active", Boolean(match && a.dataset.nav === match[2]));
  }
  const view = new View(path, info);
  current = view;
  if (!match) {
    view.render(errorBox({ message: `no page ${path}` }));
    return;
  }
  const [m, page] = match;
  main.setAttribute("aria-busy", "true");
  try {
    await page(view, ...m.slice(1));
  } catch (err) {
    console.warn("page failed", path, err);
    view.render(errorBox(err));
  } finally {
    if (current === view) {
      main.setAttribute("aria-busy", "false");
      main.dataset.page = path;
    }
  }
}

document.getElementById("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("search-input");
  const q = input.value.trim();
  if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
});

chain()
  .then((s) => {
    document.getElementById("chain").textContent = `${s.chain_id} · ${s.moniker || "node"}`;
  })
  .catch(() => {});

window.addEventListener("hashchange", route);
route();
