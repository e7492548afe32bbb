// The node's REST API, same origin. Integers above 2^53 (amounts reach 2^64 - 1) are parsed as
// BigInt from their source text, so no balance is ever rounded.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function reviver(_key, value, context) {
  if (typeof value === "number" && !Number.isSafeInteger(value) && context && /^-?\d+$/.test(context.source)) {
    return BigInt(context.source);
  }
  return value;
}

export function parse(text) {
  return JSON.parse(text, reviver);
}

export async function get(path) {
  let response;
  try {
    response = await fetch(`/v1${path}`, { headers: { Accept: "application/json" } });
  } catch (err) {
    throw new ApiError(0, "unreachable", `the node did not answer (${err.message})`);
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? parse(text) : null;
  } catch {
    throw new ApiError(response.status, "invalid_json", "the node answered something that is not JSON");
  }
  if (!response.ok) {
    const e = (body && body.error) || {};
    throw new ApiError(response.status, e.code || "http_error", e.message || response.statusText);
  }
  return body;
}

// get(), but a 404 answers null instead of throwing (for search and optional reads).
export async function find(path) {
  try {
    return await get(path);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) return null;
    throw err;
  }
}

let statusCache = null;

// The chain's status, fetched once per page load for what never changes (prefix, chain id).
export async function chain() {
  if (!statusCache) statusCache = get("/status");
  return statusCache;
}
