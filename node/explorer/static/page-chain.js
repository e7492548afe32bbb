// Chain pages: dashboard, blocks, block, tx, validators.

import { get } from "./api.js";
import { intervalChart, series } from "./chart.js";
import { h, replace, int, short, time, ago, seconds, link, kv, table, card, section, value, attributes } from "./dom.js";

const WINDOW = 60; // blocks in the dashboard's chart and rates
const ONLINE_BLOCKS = 5; // a validator that signed one of the last few commits is online

const blockColumns = [
  { title: "Height", cell: (b) => link.block(b.height) },
  { title: "Hash", cell: (b) => link.blockHash(b.hash) },
  { title: "Time", cell: (b) => h("span", { title: time(b.time_ms) }, ago(b.time_ms)) },
  { title: "Proposer", cell: (b) => link.account(b.proposer) },
  { title: "Txs", cell: (b) => int(b.tx_count), class: "num" },
];

function txColumns() {
  return [
    { title: "Hash", cell: (t) => link.tx(t.hash) },
    { title: "Kind", cell: (t) => h("span", { class: "tag" }, t.kind) },
    { title: "Sender", cell: (t) => link.account(t.sender) },
    { title: "Nonce", cell: (t) => int(t.nonce), class: "num" },
    { title: "Fee", cell: (t) => int(t.fee), class: "num" },
  ];
}

function online(v, height) {
  return v.last_signed_height !== null && v.last_signed_height !== undefined && height - v.last_signed_height < ONLINE_BLOCKS;
}

// -- dashboard -----------------------------------------------------------------------------

export async function dashboard(view) {
  const cards = h("div", { class: "cards", id: "cards" });
  const chart = h("div", { class: "chart-box" });
  const latest = h("div", { id: "latest-blocks" });
  const recentTxs = h("div", { id: "latest-txs" });
  view.render(
    h("h1", {}, "Dashboard"),
    cards,
    section("Block interval and tx rate", chart),
    h("div", { class: "two" }, section("Latest blocks", latest), section("Latest transactions", recentTxs)),
  );
  const txRows = [];

  async function refresh() {
    const [status, page, vals, pool] = await Promise.all([
      get("/status"),
      get(`/blocks?limit=${WINDOW}`),
      get("/validators"),
      get("/mempool"),
    ]);
    if (view.gone) return;
    const blocks = page.blocks.slice().reverse(); // oldest first
    const points = series(blocks);
    const span = blocks.length > 1 ? Number(blocks[blocks.length - 1].time_ms) - Number(blocks[0].time_ms) : 0;
    const txs = points.reduce((sum, p) => sum + p.txs, 0);
    const avgInterval = points.length ? span / points.length : null;
    const rate = span > 0 ? (1000 * txs) / span : 0;
    const height = status.latest_height;
    const on = vals.validators.filter((v) => online(v, height)).length;
    const tracked = vals.validators.some((v) => v.last_signed_height !== null && v.last_signed_height !== undefined);
    replace(
      cards,
      card("Height", link.block(height), `last block ${ago(status.latest_block_time_ms)}`, { id: "card-height" }),
      card("Block time", seconds(avgInterval), `average of the last ${points.length} intervals`, { id: "card-block-time" }),
      card("Tx rate", `${rate.toFixed(2)} tx/s`, `${int(txs)} txs in the last ${points.length} blocks`, { id: "card-tx-rate" }),
      card("Validators online", tracked ? `${on} / ${vals.validators.length}` : `– / ${vals.validators.length}`,
        tracked ? `signed one of the last ${ONLINE_BLOCKS} commits` : "this node does not track signing", { id: "card-validators" }),
      card("Mempool", `${int(pool.txs)} txs`, `${int(pool.bytes)} bytes pending`, { id: "card-mempool" }),
      card("Peers", int(status.peers), status.syncing ? "syncing" : `consensus ${status.consensus.step}`, { id: "card-peers" }),
    );
    replace(chart, intervalChart(blocks));
    replace(latest, table(blockColumns, page.blocks.slice(0, 10)));
    // the latest txs: from the newest blocks that hold any, a few blocks at most
    const known = new Set(txRows.map((t) => t.hash));
    const withTxs = page.blocks.filter((b) => b.tx_count > 0).slice(0, 3);
    for (const b of withTxs.reverse()) {
      if (txRows.length && txRows[0].height >= b.height) continue;
      const full = await get(`/blocks/${b.height}`);
      for (const t of full.txs) {
        if (!known.has(t.hash)) txRows.unshift({ ...t, height: b.height });
      }
    }
    txRows.splice(10);
    if (view.gone) return;
    replace(recentTxs, table([...txColumns(), { title: "Block", cell: (t) => link.block(t.height) }], txRows, { empty: "No transactions in the recent blocks." }));
  }

  await refresh();
  view.onBlock(refresh);
}

// -- blocks ---------------------------------------------------------------------------------

export async function blocks(view, before) {
  const query = before ? `&before=${before}` : "";
  const list = h("div", { id: "blocks-table" });
  const nav = h("p", { class: "pager" });
  view.render(h("h1", {}, "Blocks"), section(before ? `Blocks below ${before}` : "Latest blocks", list, nav));
  async function refresh() {
    const page = await get(`/blocks?limit=25${query}`);
    replace(list, table(blockColumns, page.blocks));
    const top = page.blocks.length ? page.blocks[0].height : 0;
    replace(
      nav,
      before ? h("a", { href: top + 26 > page.latest_height ? "#/blocks" : `#/blocks/before/${top + 26}` }, "← Newer") : null,
      page.next_before ? h("a", { href: `#/blocks/before/${page.next_before}` }, "Older →") : null,
    );
  }
  await refresh();
  if (!before) view.onBlock(refresh);
}

// -- block ----------------------------------------------------------------------------------

export async function block(view, id) {
  const hex = id.replace(/^0x/, "").toLowerCase();
  const b = /^\d+$/.test(id) ? await get(`/blocks/${id}`) : await get(`/blocks/by-hash/${hex}`);
  const hd = b.header;
  const info = view.info;
  const prefix = info ? info.address_prefix : null;
  const sigs = b.commit ? b.commit.signatures : [];
  view.render(
    h("h1", {}, "Block ", h("span", { id: "block-height" }, int(b.height))),
    h("p", { class: "pager" },
      b.height > 1 ? h("a", { href: `#/block/${b.height - 1}` }, "← Previous") : null,
      h("a", { href: `#/block/${b.height + 1}` }, "Next →")),
    section("Header", kv([
      ["Hash", h("span", { class: "mono", id: "block-hash" }, b.hash)],
      ["Time", `${time(hd.time_ms)} (${ago(hd.time_ms)})`],
      ["Proposer", link.account(hd.proposer, hd.proposer)],
      ["Transactions", h("span", { id: "block-tx-count" }, int(b.tx_count))],
      ["Previous block", b.height > 1 ? link.blockHash(hd.prev_block_hash, hd.prev_block_hash) : "genesis"],
      ["State root", h("span", { class: "mono" }, hd.state_root)],
      ["Tx root", h("span", { class: "mono" }, hd.tx_root)],
      ["Validators hash", h("span", { class: "mono" }, hd.validators_hash)],
      ["Next validators", h("span", { class: "mono" }, hd.next_validators_hash)],
      ["Chain", hd.chain_id],
    ])),
    section("Transactions", table(txColumns(), b.txs, { empty: "This block holds no transactions.", id: "block-txs" })),
    section(`Commit: ${sigs.length} signatures` + (b.commit ? `, round ${b.commit.round}` : ""),
      b.commit
        ? table([
          { title: "Validator", cell: (s) => value(s.validator, prefix) },
          { title: "Signature", cell: (s) => h("span", { class: "mono", title: s.signature }, short(s.signature, 16, 8)) },
        ], sigs)
        : h("p", { class: "muted" }, "Not yet known: the commit of this block arrives with the next.")),
    b.evidence.length ? section("Evidence", value(b.evidence, prefix)) : null,
  );
}

// -- tx -------------------------------------------------------------------------------------

export async function tx(view, hash) {
  const hex = hash.replace(/^0x/, "").toLowerCase();
  const prefix = view.info ? view.info.address_prefix : null;
  async function render() {
    const t = await get(`/txs/${hex}`);
    const body = t.tx;
    const events = t.result ? t.result.events : [];
    view.render(
      h("h1", {}, "Transaction"),
      section("Summary", kv([
        ["Hash", h("span", { class: "mono", id: "tx-hash" }, t.hash)],
        ["Status", h("span", { class: `status ${t.status}`, id: "tx-status" }, t.status)],
        ["Block", t.height ? h("span", {}, link.block(t.height), ` position ${t.position}`) : "not yet committed"],
        ["Kind", h("span", { class: "tag", id: "tx-kind" }, `${body.kind} (${body.kind_number})`)],
        ["Sender", link.account(body.sender, body.sender)],
        ["Nonce", int(body.nonce)],
        ["Fee", int(body.fee)],
        ["Size", `${int(body.size)} bytes`],
        ["Result", t.result ? t.result.code : "–"],
      ])),
      section("Payload", h("div", { id: "tx-payload" }, value(body.payload, prefix))),
      section("Events", table([
        { title: "Event", cell: (e) => h("span", { class: "tag" }, e.kind) },
        { title: "Attributes", cell: (e) => attributes(e.attributes, prefix) },
      ], events, { empty: t.status === "pending" ? "Pending: events come with the commit." : "No events." })),
    );
    return t.status;
  }
  if ((await render()) === "pending") {
    const off = view.onBlock(async () => {
      if ((await render()) !== "pending") off();
    });
  }
}

// -- validators -----------------------------------------------------------------------------

export async function validators(view) {
  const box = h("div", { id: "validators-table" });
  const summary = h("p", { class: "muted" });
  view.render(h("h1", {}, "Validators"), section("Active set", summary, box));
  async function refresh() {
    const [vals, status] = await Promise.all([get("/validators"), get("/status")]);
    const height = status.latest_height;
    replace(summary, `${vals.validators.length} validators, total power ${int(vals.total_power)}, at height ${int(vals.height)}. Signing counters are what this node saw in commits since it started.`);
    replace(box, table([
      { title: "Name", cell: (v) => v.name },
      { title: "Address", cell: (v) => link.account(v.address) },
      { title: "Power", cell: (v) => int(v.power), class: "num" },
      { title: "Priority", cell: (v) => int(v.proposer_priority), class: "num" },
      { title: "Last signed", cell: (v) => (v.last_signed_height ? link.block(v.last_signed_height) : "–"), class: "num" },
      { title: "Missed", cell: (v) => int(v.missed_blocks), class: "num" },
      { title: "Status", cell: (v) => (v.last_signed_height === null || v.last_signed_height === undefined ? h("span", { class: "muted" }, "unknown") : online(v, height) ? h("span", { class: "status ok" }, "online") : h("span", { class: "status bad" }, "offline")) },
    ], vals.validators, { rowAttrs: (v) => ({ "data-validator": v.name }) }));
  }
  await refresh();
  view.onBlock(refresh);
}
