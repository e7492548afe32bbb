// Search: a height, a block or tx hash, an address, a collective, split or content id, or a
// proposal ("p12", "proposal 12"). Answers the route of what was found, or null.

import { find } from "./api.js";

export async function resolveSearch(raw, info) {
  const q = raw.trim();
  const prefix = info ? info.address_prefix : null;
  if (/^\d+$/.test(q)) {
    return (await find(`/blocks/${q}?txs=hashes`)) ? `/block/${q}` : null;
  }
  const proposal = q.match(/^(?:p|proposal\s*#?\s*|#)(\d+)$/i);
  if (proposal) {
    return (await find(`/proposals/${proposal[1]}`)) ? `/proposal/${proposal[1]}` : null;
  }
  const lower = q.toLowerCase();
  if (prefix && lower.startsWith(`${prefix}1`)) {
    return (await find(`/accounts/${lower}`)) ? `/account/${lower}` : null;
  }
  const hex = lower.replace(/^0x/, "");
  if (/^[0-9a-f]{64}$/.test(hex)) {
    if (await find(`/txs/${hex}`)) return `/tx/${hex}`;
    if (await find(`/blocks/by-hash/${hex}?txs=hashes`)) return `/block/${hex}`;
    if (await find(`/content/${hex}`)) return `/content/${hex}`;
    if (await find(`/splits/${hex}`)) return `/split/${hex}`;
    return null;
  }
  if (/^[0-9a-f]{40}$/.test(hex)) {
    return (await find(`/collectives/${hex}`)) ? `/collective/${hex}` : null;
  }
  return null;
}
