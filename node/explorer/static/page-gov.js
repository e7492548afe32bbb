// Accounts and collectives: account, collectives, collective, proposal, split, content.

import { get, find } from "./api.js";
import { h, replace, int, short, time, ago, percent, link, kv, table, section, value, party } from "./dom.js";

const BINARY = ["yes", "no", "abstain", "veto"];

function prefixOf(view) {
  return view.info ? view.info.address_prefix : null;
}

// -- account --------------------------------------------------------------------------------

export async function account(view, address) {
  const summary = h("div", { id: "account-summary" });
  const history = h("div", { id: "account-txs" });
  const pager = h("p", { class: "pager" });
  view.render(h("h1", {}, "Account"), h("p", { class: "mono big", id: "account-address" }, address), section("Balance", summary), section("Transactions", history, pager));
  const pages = [];
  async function showPage(before) {
    const q = before ? `&before=${encodeURIComponent(before)}` : "";
    const page = await get(`/accounts/${address}/txs?limit=25${q}`);
    replace(history, table([
      { title: "Tx", cell: (t) => link.tx(t.tx_hash) },
      { title: "Kind", cell: (t) => h("span", { class: "tag" }, t.kind) },
      { title: "Block", cell: (t) => link.block(t.height) },
      { title: "Sender", cell: (t) => (t.sender === address ? h("span", { class: "muted" }, "this account") : link.account(t.sender)) },
      { title: "Nonce", cell: (t) => int(t.nonce), class: "num" },
    ], page.txs, { empty: "No transactions touched this account." }));
    replace(
      pager,
      pages.length ? h("a", { href: "#", on: { click: (e) => { e.preventDefault(); pages.pop(); showPage(pages[pages.length - 1]); } } }, "← Newer") : null,
      page.next ? h("a", { href: "#", on: { click: (e) => { e.preventDefault(); pages.push(page.next); showPage(page.next); } } }, "Older →") : null,
    );
  }
  async function refresh() {
    const a = await get(`/accounts/${address}`);
    replace(summary, kv([
      ["Balance", h("span", { id: "account-balance", class: "big" }, int(a.balance))],
      ["Exists", a.exists ? "yes" : "no (never touched)"],
      ["Nonce", `${int(a.nonce)} committed, next ${int(a.next_nonce)}`],
      ["Public key", a.public_key ? h("span", { class: "mono" }, a.public_key) : h("span", { class: "muted" }, "not revealed yet")],
      ["As of height", link.block(a.height)],
    ]));
    if (!pages.length) await showPage(null);
  }
  await refresh();
  view.subscribe({ topic: "txs", account: address }, () => refresh().catch((err) => console.warn(err)));
}

// -- collectives ----------------------------------------------------------------------------

export async function collectives(view) {
  const list = await get("/collectives");
  view.render(h("h1", {}, "Collectives"), section("Every collective", table([
    { title: "Name", cell: (c) => link.collective(c.id, c.name || short(c.id)) },
    { title: "Id", cell: (c) => h("span", { class: "mono" }, c.id) },
    { title: "Created at", cell: (c) => (c.created_height ? link.block(c.created_height) : "genesis") },
  ], list.collectives, { id: "collectives-table", empty: "No collectives yet." })));
}

function proposalColumns() {
  return [
    { title: "Id", cell: (p) => link.proposal(p.id) },
    { title: "Kind", cell: (p) => h("span", { class: "tag" }, p.kind) },
    { title: "Status", cell: (p) => h("span", { class: `status ${p.final ? "final" : "open"}` }, p.status) },
    { title: "About", cell: (p) => p.metadata || h("span", { class: "muted" }, "–") },
    { title: "Next", cell: (p) => (p.next_deadline ? `${p.next_deadline.what.replace("_", " ")} ${ago(p.next_deadline.ms)}` : "–") },
  ];
}

export async function collective(view, id) {
  const cid = id.toLowerCase();
  const prefix = prefixOf(view);
  const [c, props, splits, content, rounds, matchings, economy] = await Promise.all([
    get(`/collectives/${cid}`),
    get(`/collectives/${cid}/proposals?limit=50`),
    find(`/collectives/${cid}/splits`),
    find(`/collectives/${cid}/content?limit=50`),
    find(`/collectives/${cid}/rounds?limit=50`),
    find(`/collectives/${cid}/matchings?limit=50`),
    find(`/collectives/${cid}/economics`),
  ]);
  // each listed member's standing now (decayed), when the collective has a reputation policy
  const standings = await Promise.all(c.members.map((m) => find(`/collectives/${cid}/standing/${m.address}`)));
  const standing = new Map(c.members.map((m, i) => [m.address, standings[i]]));
  const hasPolicy = standings.some((s) => s && s.policy);
  const weighsVotes = Boolean(economy && economy.policy && economy.policy.vote_weight_ppm);
  const classNames = c.classes.map((k) => k.name);
  view.render(
    h("h1", {}, h("span", { id: "collective-name" }, c.name)),
    c.metadata ? h("p", { class: "lead" }, c.metadata) : null,
    section("About", kv([
      ["Id", h("span", { class: "mono" }, c.id)],
      ["Creator", value(c.creator, prefix)],
      ["Created at", c.created_height ? link.block(c.created_height) : "genesis"],
      ["Members", h("span", { id: "collective-member-count" }, int(c.member_count))],
      ["Admission", c.params && c.params.admission_mode ? c.params.admission_mode : "–"],
      ["Supply", c.supply.map((s) => `${int(s.supply)} ${s.name}`).join(", ") || "–"],
    ])),
    section("Members", table([
      { title: "Member", cell: (m) => link.account(m.address) },
      ...classNames.map((name) => ({ title: name, cell: (m) => int(m.holdings[name] ?? 0), class: "num" })),
      { title: "Joined", cell: (m) => time(m.joined_ms) },
      { title: "Expires", cell: (m) => (m.expires_ms ? time(m.expires_ms) : "never") },
      ...(hasPolicy ? [{ title: "Standing", cell: (m) => int(standing.get(m.address)?.points ?? 0), class: "num" }] : []),
      ...(weighsVotes ? [{ title: "Vote bonus", cell: (m) => int(standing.get(m.address)?.vote_bonus ?? 0), class: "num" }] : []),
      { title: "", cell: (m) => (m.jailed ? h("span", { class: "status bad" }, "jailed") : "") },
    ], c.members, { id: "collective-members", empty: "No members." }),
    c.members_truncated ? h("p", { class: "muted" }, `Showing ${c.members.length} of ${c.member_count}.`) : null),
    section("Treasury", table([
      { title: "Asset", cell: (t) => (t.asset === "native" ? "native coin" : h("span", {}, `${t.token_class ?? ""} of `, t.collective ? link.collective(t.collective) : "–")) },
      { title: "Amount", cell: (t) => int(t.amount), class: "num" },
    ], c.treasury, { id: "collective-treasury", empty: "The treasury is empty." })),
    section("Proposals", table(proposalColumns(), props.proposals, { id: "collective-proposals", empty: "No proposals yet." })),
    section("Revenue splits", splits ? table([
      { title: "Split", cell: (s) => link.split(s.id) },
      { title: "Role", cell: (s) => s.roles.join(", ") },
      { title: "Recipients", cell: (s) => int(s.recipients), class: "num" },
      { title: "Balance", cell: (s) => int(s.balance), class: "num" },
    ], splits.splits, { id: "collective-splits", empty: "No split pays or belongs to this collective." }) : h("p", { class: "muted" }, "This node does not list splits.")),
    section("Content", content ? table([
      { title: "Content", cell: (x) => link.content(x.hash) },
      { title: "Kind", cell: (x) => x.kind },
      { title: "URI", cell: (x) => x.uri },
      { title: "Author", cell: (x) => link.account(x.author) },
      { title: "Moderation", cell: (x) => (x.moderation ? value(x.moderation.action ?? x.moderation, prefix) : "–") },
    ], content.content, { id: "collective-content", empty: "Nothing anchored in this collective." }) : h("p", { class: "muted" }, "This node does not list content.")),
    section("Curation rounds", rounds ? table([
      { title: "Round", cell: (r) => int(r.id) },
      { title: "Status", cell: (r) => h("span", { class: `status ${r.open ? "open" : "final"}` }, r.status) },
      { title: "Budget", cell: (r) => int(r.terms.budget), class: "num" },
      { title: "Weighting", cell: (r) => r.terms.weighting },
      { title: "Ends", cell: (r) => time(r.end_ms) },
      { title: "Endorsements", cell: (r) => int(r.endorsements), class: "num" },
      { title: "Live weights (would pay now) / paid", cell: (r) => (r.status === "OPEN"
        ? h("span", {}, ...r.live.map((x, i) => h("span", {}, i ? ", " : "", link.account(x.to), ` ${int(x.amount)}`)))
        : `${int(r.paid)} paid`) },
    ], rounds.rounds, { id: "collective-rounds", empty: "No curation rounds yet." }) : h("p", { class: "muted" }, "This node does not list curation rounds.")),
    section("Matching rounds", matchings ? table([
      { title: "Round", cell: (r) => int(r.id) },
      { title: "Status", cell: (r) => h("span", { class: `status ${r.status === "OPEN" ? "open" : "final"}` }, r.status) },
      { title: "Pool", cell: (r) => int(r.pool), class: "num" },
      { title: "Ends", cell: (r) => time(r.end_ms) },
      { title: "Initiatives: given by contributors (match now / matched)", cell: (r) => h("span", {},
        ...r.initiatives.map((x, i) => h("span", {}, i ? "; " : "", party(x.party), ` ${x.purpose}: ${int(x.contributed)} by ${int(x.contributors)}`,
          r.status === "OPEN" ? ` (match now ${int(x.match_now)})` : ""))) },
      { title: "Matched", cell: (r) => (r.status === "OPEN" ? "–" : int(r.matched)), class: "num" },
    ], matchings.matchings, { id: "collective-matchings", empty: "No matching rounds yet." }) : h("p", { class: "muted" }, "This node does not list matching rounds.")),
    section("Standing and rewards", economy ? kv([
      ["Reputation policy", economy.policy ? h("span", { id: "collective-reputation" },
        `vote ${int(economy.policy.vote_cast)}, passed proposal ${int(economy.policy.proposal_passed)}, endorsed item ${int(economy.policy.endorsed_item)}, `
        + `accepted deliverable ${int(economy.policy.deliverable_accepted)}, upheld moderation ${int(economy.policy.moderation_upheld)} points; `
        + `half-life ${int(economy.policy.half_life_s)} s, at most ${int(economy.policy.daily_cap)} a day`) : "none: no act earns standing"],
      ["Votes weighed by standing", weighsVotes
        ? `${percent(economy.policy.vote_weight_ppm, 1e6, 2)} of a share per point, at most ${int(economy.policy.max_vote_bonus)} shares` : "no"],
      ["Reward by standing", economy.reward_schedule ? h("span", { id: "collective-reward" },
        `${int(economy.reward_schedule.budget)} every ${int(economy.reward_schedule.period_s)} s, next ${time(economy.reward_schedule.due_ms)}`) : "none"],
    ]) : h("p", { class: "muted" }, "This node does not show standing.")),
    section("Policies", table([
      { title: "Proposal kind", cell: (p) => p.kind },
      { title: "Method", cell: (p) => p.policy.method },
      { title: "Quorum", cell: (p) => (p.policy.quorum_ppm !== undefined ? percent(p.policy.quorum_ppm, 1e6) : "–"), class: "num" },
      { title: "Threshold", cell: (p) => (p.policy.threshold_ppm !== undefined ? percent(p.policy.threshold_ppm, 1e6) : "–"), class: "num" },
      { title: "Own", cell: (p) => (p.override ? "yes" : "default") },
    ], c.policies)),
  );
}

// -- proposal -------------------------------------------------------------------------------

function tallyBars(p) {
  const live = p.live_tally;
  if (live && live.approvals !== undefined) {
    return kv([["Approvals", h("span", { id: "tally-approvals" }, `${int(live.approvals)} of ${int(live.required_approvals)} required`)]]);
  }
  let options;
  let total;
  if (live && live.options) {
    options = Object.entries(live.options);
    total = Number(live.total_power);
  } else if (p.tally && p.tally.length) {
    const names = p.method === "BINARY" ? BINARY : p.choices;
    options = p.tally.map((n, i) => [names[i] ?? `option ${i}`, n]);
    total = Number(p.total_power);
  } else {
    return h("p", { class: "muted" }, "No tally yet.");
  }
  const quorum = p.policy && p.policy.quorum_ppm !== undefined ? Number(p.policy.quorum_ppm) / 1e4 : null;
  return h("div", { class: "tally", id: "tally" },
    options.map(([name, n]) => h("div", { class: "tally-row", "data-option": name },
      h("span", { class: "tally-name" }, name),
      h("span", { class: "tally-track" }, h("span", { class: `tally-fill ${name}`, style: null, "data-width": percent(n, total) })),
      h("span", { class: "tally-num", "data-option-count": name }, `${int(n)} (${percent(n, total)})`))),
    h("p", { class: "muted" },
      live ? `${int(live.voters)} voters, participation ${int(live.participation)} of ${int(live.total_power)} power` : `total power ${int(p.total_power)}`,
      quorum !== null ? `; quorum ${quorum}%` : "",
      p.policy && p.policy.threshold_ppm !== undefined ? `, threshold ${Number(p.policy.threshold_ppm) / 1e4}%` : ""),
  );
}

function timeline(p) {
  const now = Date.now();
  const steps = [
    ["Submitted", p.submitted_ms],
    ["Voting opens", p.start_ms],
    ["Voting ends", p.end_ms],
    ["Tallied", p.tally_ms !== p.end_ms ? p.tally_ms : 0],
    ["Closed", p.closed_ms],
    ["Grace ends", p.grace_end_ms],
    ["Expires", p.expires_ms],
  ].filter(([, ms]) => ms);
  const past = steps.filter(([, ms]) => Number(ms) <= now);
  const future = steps.filter(([, ms]) => Number(ms) > now);
  const item = (cls) => ([label, ms]) => h("li", { class: cls },
    h("span", { class: "when" }, time(ms)), h("span", { class: "what" }, label), h("span", { class: "muted" }, ` ${ago(ms, now)}`));
  return h("ol", { class: "timeline", id: "timeline" },
    past.map(item("past")),
    h("li", { class: "now" }, h("span", { class: "when" }, time(now)), h("span", { class: "what" }, `Now: ${p.status}`)),
    future.map(item("future")));
}

export async function proposal(view, pid) {
  const prefix = prefixOf(view);
  const box = h("div");
  view.render(h("h1", {}, `Proposal #${pid}`), box);
  async function refresh() {
    const p = await get(`/proposals/${pid}`);
    // widths are set through the CSSOM (the page's CSP allows no inline style attributes)
    const tally = tallyBars(p);
    for (const fill of tally.querySelectorAll ? tally.querySelectorAll("[data-width]") : []) fill.style.width = fill.dataset.width;
    replace(box,
      p.metadata ? h("p", { class: "lead", id: "proposal-metadata" }, p.metadata) : null,
      h("div", { class: "two" },
        section("Tally", h("p", {}, "Status ", h("span", { class: "status", id: "proposal-status" }, p.status), " · ballots cast ", h("span", { id: "ballots-cast" }, int(p.ballots_cast))), tally),
        section("Timeline", timeline(p))),
      section("Details", kv([
        ["Collective", link.collective(p.collective)],
        ["Kind", h("span", { class: "tag" }, p.kind)],
        ["Proposer", value(p.proposer, prefix)],
        ["Sponsor", value(p.sponsor, prefix)],
        ["Method", p.method],
        ["Choices", p.choices.length ? p.choices.join(", ") : "yes / no / abstain / veto"],
        ["Snapshot height", p.snapshot_height ? link.block(p.snapshot_height) : "–"],
        ["Policy", value(p.policy, prefix)],
        ["Winner", p.final ? String(p.winner) : "–"],
      ])),
      section("Actions", p.actions.length ? value(p.actions, prefix) : h("p", { class: "muted" }, "None: a signal proposal.")),
    );
  }
  await refresh();
  view.onBlock(refresh);
}

// -- split ----------------------------------------------------------------------------------

export async function split(view, id) {
  const sid = id.toLowerCase();
  const prefix = prefixOf(view);
  const box = h("div");
  view.render(h("h1", {}, "Revenue split"), h("p", { class: "mono big" }, sid), box);
  async function refresh() {
    const [s, pays] = await Promise.all([get(`/splits/${sid}`), get(`/splits/${sid}/payouts?limit=100`)]);
    const recipients = table([
      { title: "Recipient", cell: (r) => party(r.party) },
      { title: "Shares", cell: (r) => int(r.share), class: "num" },
      { title: "Part", cell: (r) => { const bar = h("span", { class: "share-fill" }); bar.style.width = percent(r.share, s.total_shares); return h("span", { class: "share" }, h("span", { class: "share-track" }, bar), percent(r.share, s.total_shares)); } },
    ], s.recipients, { id: "split-recipients" });
    replace(box,
      section("Terms", kv([
        ["Owner", party(s.owner)],
        ["Mode", s.mode],
        ["Fee", percent(s.fee_ppm, 1e6, 2)],
        ["Balance", h("span", { id: "split-balance" }, int(s.balance))],
        ["Version", `${int(s.version)}${s.immutable ? " (immutable)" : ""}`],
        ["Created at", link.block(s.created_height)],
        ["Locked until", s.locked_until_ms ? time(s.locked_until_ms) : "–"],
      ])),
      section("Recipients", recipients),
      section("Payout history", table([
        { title: "#", cell: (r) => int(r.seq), class: "num" },
        { title: "Kind", cell: (r) => h("span", { class: "tag" }, r.kind) },
        { title: "Block", cell: (r) => link.block(r.height) },
        { title: "From", cell: (r) => party(r.source) },
        { title: "Amount", cell: (r) => int(r.amount), class: "num" },
        { title: "Paid out", cell: (r) => h("ul", { class: "plain" }, (r.payouts || []).map((x) => h("li", {}, party(x.party), ` ${int(x.amount)}`))) },
        { title: "Memo", cell: (r) => r.memo || "" },
      ], pays.payouts, { id: "split-payouts", empty: "Nothing paid into this split yet." })),
    );
    return prefix;
  }
  await refresh();
  view.onBlock(refresh);
}

// -- content --------------------------------------------------------------------------------

export async function content(view, hash) {
  const x = await get(`/content/${hash.toLowerCase()}`);
  view.render(
    h("h1", {}, "Content"),
    section("Anchor", kv([
      ["Hash", h("span", { class: "mono" }, x.hash)],
      ["URI", x.uri],
      ["Kind", x.kind],
      ["Author", link.account(x.author, x.author)],
      ["Collective", x.collective ? link.collective(x.collective) : "–"],
      ["Anchored", h("span", {}, time(x.time_ms), " · state read at ", link.block(x.height))],
    ])),
    section("Moderation", table([
      { title: "When", cell: (m) => time(m.time_ms) },
      { title: "Action", cell: (m) => (m.label ? `${m.action} "${m.label}"` : m.action) },
      { title: "By", cell: (m) => (m.actor_kind === "COLLECTIVE" ? h("span", {}, "collective ", link.collective(m.actor)) : link.account(m.actor)) },
      { title: "Proposal", cell: (m) => (m.proposal_id === null || m.proposal_id === undefined ? "–" : link.proposal(m.proposal_id)) },
      { title: "Appeal until", cell: (m) => (m.appeal_until_ms ? time(m.appeal_until_ms) : "–") },
      { title: "Reason", cell: (m) => m.reason_uri || "–" },
    ], x.moderation_history, { empty: "No moderation decisions." })),
  );
}
