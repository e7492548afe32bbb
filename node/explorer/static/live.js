// One WebSocket to /v1/ws for the whole page. Pages subscribe with a callback and get back a
// function that unsubscribes; after a dropped connection every live subscription is renewed.

import { parse } from "./api.js";

const RETRY_MS = [500, 1000, 2000, 5000];

export class Live {
  constructor(onState) {
    this.onState = onState;
    this.subs = new Map(); // local key -> {params, callback, sid}
    this.bySid = new Map();
    this.pending = new Map(); // request id -> local key
    this.nextKey = 1;
    this.nextId = 1;
    this.attempt = 0;
    this.ws = null;
    this.connect();
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(`${scheme}${location.host}/v1/ws`);
    this.ws = ws;
    this.onState("connecting");
    ws.addEventListener("open", () => {
      this.attempt = 0;
      this.onState("live");
      for (const key of this.subs.keys()) this.send(key);
    });
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", () => {
      if (this.ws !== ws) return;
      this.bySid.clear();
      this.pending.clear();
      for (const sub of this.subs.values()) sub.sid = null;
      this.onState("offline");
      const wait = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
      this.attempt += 1;
      setTimeout(() => this.connect(), wait);
    });
  }

  send(key) {
    const sub = this.subs.get(key);
    if (!sub || !this.open) return;
    const id = this.nextId++;
    this.pending.set(id, key);
    this.ws.send(JSON.stringify({ id, method: "subscribe", params: sub.params }));
  }

  receive(data) {
    let msg;
    try {
      msg = parse(data);
    } catch {
      return;
    }
    if (msg.subscription && msg.result !== undefined) {
      const sub = this.bySid.get(msg.subscription);
      if (sub) sub.callback(msg.result);
      return;
    }
    if (msg.id !== undefined && this.pending.has(msg.id)) {
      const key = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      const sub = this.subs.get(key);
      if (msg.error) {
        console.warn("subscription refused", msg.error.code, msg.error.message);
      } else if (sub && msg.result && msg.result.subscription) {
        sub.sid = msg.result.subscription;
        this.bySid.set(sub.sid, sub);
      } else if (msg.result && msg.result.subscription && this.open) {
        // unsubscribed before the answer came: drop it on the node too
        this.ws.send(JSON.stringify({ id: this.nextId++, method: "unsubscribe", params: { subscription: msg.result.subscription } }));
      }
    }
  }

  // subscribe({topic: "blocks"}, block => …) -> unsubscribe()
  subscribe(params, callback) {
    const key = this.nextKey++;
    this.subs.set(key, { params, callback, sid: null });
    this.send(key);
    return () => {
      const sub = this.subs.get(key);
      this.subs.delete(key);
      if (sub && sub.sid) {
        this.bySid.delete(sub.sid);
        if (this.open) {
          this.ws.send(JSON.stringify({ id: this.nextId++, method: "unsubscribe", params: { subscription: sub.sid } }));
        }
      }
    };
  }
}
