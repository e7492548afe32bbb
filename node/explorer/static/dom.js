// Building the page from chain data without ever parsing it as HTML: every value becomes a text
// node or an attribute set through the DOM, so a name like "<img onerror=…>" stays text.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(el, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(el, c);
  } else if (child instanceof Node) {
    el.appendChild(child);
  } else {
    el.appendChild(document.createTextNode(String(child)));
  }
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "on") {
      for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "href" && !/^(#|\/|https?:)/.test(String(value))) {
      continue; // never a javascript: link, whatever the data says
    } else {
      el.setAttribute(key, String(value));
    }
  }
}

// h("a", {href: "#/"}, "text", child, [more]) -> an element; children are text unless nodes.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// Integers arrive as Number or (above 2^53) BigInt; both print with thousands separators.
export function int(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "bigint" || Number.isInteger(value)) return value.toLocaleString("en-US");
  return String(value);
}

export function short(hex, head = 10, tail = 6) {
  const s = String(hex ?? "");
  return s.length > head + tail + 1 ? `${s.slice(0, head)}…${s.slice(-tail)}` : s;
}

export function time(ms) {
  if (!ms) return "–";
  const d = new Date(Number(ms));
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

export function ago(ms, now = Date.now()) {
  if (!ms) return "–";
  let s = Math.round((now - Number(ms)) / 1000);
  const future = s < 0;
  s = Math.abs(s);
  let text;
  if (s < 60) text = `${s} s`;
  else if (s < 3600) text = `${Math.floor(s / 60)} min`;
  else if (s < 86400) text = `${Math.floor(s / 3600)} h`;
  else text = `${Math.floor(s / 86400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

export function seconds(ms, digits = 2) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "–";
  return `${(Number(ms) / 1000).toFixed(digits)} s`;
}

export function percent(part, whole, digits = 1) {
  const p = Number(part);
  const w = Number(whole);
  if (!w) return "0%";
  return `${((100 * p) / w).toFixed(digits)}%`;
}

// Links to the explorer's own routes (hash routes, so the node serves one page).
export const link = {
  block: (height, text) => h("a", { href: `#/block/${height}`, class: "mono" }, text ?? int(height)),
  blockHash: (hash, text) => h("a", { href: `#/block/${hash}`, class: "mono", title: hash }, text ?? short(hash)),
  tx: (hash, text) => h("a", { href: `#/tx/${hash}`, class: "mono", title: hash }, text ?? short(hash)),
  account: (addr, text) => h("a", { href: `#/account/${addr}`, class: "mono", title: addr }, text ?? short(addr, 12, 6)),
  collective: (id, text) => h("a", { href: `#/collective/${id}`, class: "mono", title: id }, text ?? short(id)),
  proposal: (id, text) => h("a", { href: `#/proposal/${id}` }, text ?? `#${id}`),
  split: (id, text) => h("a", { href: `#/split/${id}`, class: "mono", title: id }, text ?? short(id)),
  content: (hash, text) => h("a", { href: `#/content/${hash}`, class: "mono", title: hash }, text ?? short(hash)),
};

// A split party or an owner: {kind: ACCOUNT|SPLIT|COLLECTIVE|HOLDERS, id}.
export function party(p) {
  if (!p) return "–";
  switch (p.kind) {
    case "ACCOUNT":
      return link.account(p.id);
    case "SPLIT":
      return h("span", {}, "split ", link.split(p.id));
    case "COLLECTIVE":
      return h("span", {}, "collective ", link.collective(p.id));
    default:
      return h("span", { class: "mono", title: p.id }, `${String(p.kind).toLowerCase()} ${short(p.id)}`);
  }
}

// Any JSON value for a person: addresses and hashes become links where we can tell what they are.
export function value(v, prefix) {
  if (v === null || v === undefined) return h("span", { class: "muted" }, "–");
  if (typeof v === "bigint" || typeof v === "number") return int(v);
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string") {
    if (prefix && v.startsWith(`${prefix}1`) && v.length > prefix.length + 20) return link.account(v);
    const hex = /^[0-9a-f]{16,}$/.test(v);
    return h("span", { class: hex ? "mono" : "text", title: hex && v.length > 80 ? v : null }, hex && v.length > 80 ? short(v, 40, 20) : v);
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return h("span", { class: "muted" }, "none");
    return h("ol", { class: "plain" }, v.map((item) => h("li", {}, value(item, prefix))));
  }
  if (typeof v === "object" && "kind" in v && "id" in v && Object.keys(v).length === 2) return party(v);
  return kv(Object.entries(v).map(([k, x]) => [k, value(x, prefix)]));
}

// An event's attributes, each linked by what its name says it holds (node/api/eventview.py):
// a collective, proposal, split or content id opens its page; an asset links its collective.
const ATTRIBUTE_LINKS = {
  collective: (x) => link.collective(x),
  proposal: (x) => link.proposal(x),
  split: (x) => link.split(x),
  content: (x) => link.content(x),
  content_hash: (x) => link.content(x),
};

export function attributes(attrs, prefix) {
  return kv(Object.entries(attrs).map(([k, x]) => {
    const to = ATTRIBUTE_LINKS[k];
    if (to && x !== "" && x !== null && x !== undefined) return [k, to(String(x))];
    if (k === "asset" && typeof x === "string" && x.includes("/")) {
      const [cid, cls] = x.split("/");
      return [k, h("span", {}, link.collective(cid), `/${cls}`)];
    }
    return [k, value(x, prefix)];
  }));
}

// A definition table of [label, content] rows.
export function kv(rows, attrs = {}) {
  return h("dl", { class: "kv", ...attrs }, rows.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

// A table: columns [{title, cell: row => content, class}], rows; an empty table says so.
export function table(columns, rows, { empty = "Nothing yet.", id = null, rowAttrs = null } = {}) {
  if (!rows.length) return h("p", { class: "muted empty", id }, empty);
  return h(
    "table",
    { class: "grid", id },
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.class }, c.title)))),
    h("tbody", {}, rows.map((r) => h("tr", rowAttrs ? rowAttrs(r) : {}, columns.map((c) => h("td", { class: c.class }, c.cell(r)))))),
  );
}

export function card(label, val, sub, attrs = {}) {
  return h("div", { class: "card", ...attrs }, h("div", { class: "label" }, label), h("div", { class: "value" }, val), sub ? h("div", { class: "sub" }, sub) : null);
}

export function section(title, ...children) {
  return h("section", { class: "panel" }, h("h2", {}, title), children);
}

export function errorBox(err) {
  const status = err && err.status ? ` (${err.status}${err.code ? ` ${err.code}` : ""})` : "";
  return h("div", { class: "error", role: "alert" }, h("strong", {}, `Not found or failed${status}: `), err && err.message ? err.message : String(err));
}
