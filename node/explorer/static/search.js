// Search: a height, a block or tx hash, an address, a collective, split or content id, or a
// proposal ("p12"). The node's /v1/search names every match in one answer; the first one wins.

import { get } from "./api.js";

const ROUTES = {
  tx: (m) => `/tx/${m.id}`,
  block: (m) => `/block/${m.id}`,
  account: (m) => `/account/${m.id}`,
  collective: (m) => `/collective/${m.id}`,
  proposal: (m) => `/proposal/${m.id}`,
  split: (m) => `/split/${m.id}`,
  content: (m) => `/content/${m.id}`,
};

export async function resolveSearch(raw) {
  const q = raw.trim().slice(0, 128);
  if (!q) return null;
  const answer = await get(`/search?q=${encodeURIComponent(q)}`);
  const match = answer.matches.find((m) => ROUTES[m.kind]);
  return match ? ROUTES[match.kind](match) : null;
}
