// Block interval (bars, left axis) and tx rate (line, right axis) over recent blocks, drawn as
// hand-written SVG: no chart library, every label set as text.

import { svg, h } from "./dom.js";

const W = 720;
const H = 220;
const PAD = { left: 48, right: 52, top: 14, bottom: 30 };

function niceMax(value) {
  if (value <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * exp >= value) return step * exp;
  }
  return 10 * exp;
}

function fmt(n) {
  if (n >= 100) return n.toFixed(0);
  if (n >= 10) return n.toFixed(1).replace(/\.0$/, "");
  return n.toFixed(2).replace(/\.?0+$/, "") || "0";
}

// points: blocks oldest first, each {height, time_ms, tx_count}. Answers the points of the chart:
// one per block after the first, {height, interval_ms, txs, rate} (rate in tx/s).
export function series(blocks) {
  const out = [];
  for (let i = 1; i < blocks.length; i++) {
    const interval = Number(blocks[i].time_ms) - Number(blocks[i - 1].time_ms);
    const txs = Number(blocks[i].tx_count);
    out.push({ height: blocks[i].height, interval_ms: interval, txs, rate: interval > 0 ? (1000 * txs) / interval : 0 });
  }
  return out;
}

export function intervalChart(blocks) {
  const points = series(blocks);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": "Block interval and tx rate over recent blocks", id: "interval-chart" });
  if (points.length < 2) {
    root.appendChild(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "axis" }, "Waiting for more blocks…"));
    return root;
  }
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const maxInterval = niceMax(Math.max(...points.map((p) => p.interval_ms)) / 1000);
  const maxRate = niceMax(Math.max(...points.map((p) => p.rate)));
  const slot = plotW / points.length;
  const barW = Math.max(1, slot * 0.7);
  const y = (v, max) => PAD.top + plotH - (plotH * v) / max;

  for (let i = 0; i <= 4; i++) {
    const frac = i / 4;
    const gy = PAD.top + plotH - plotH * frac;
    root.appendChild(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: gy, y2: gy, class: "gridline" }));
    root.appendChild(svg("text", { x: PAD.left - 6, y: gy + 4, "text-anchor": "end", class: "axis" }, `${fmt(maxInterval * frac)} s`));
    root.appendChild(svg("text", { x: W - PAD.right + 6, y: gy + 4, "text-anchor": "start", class: "axis rate" }, fmt(maxRate * frac)));
  }
  points.forEach((p, i) => {
    const x = PAD.left + i * slot + (slot - barW) / 2;
    const top = y(p.interval_ms / 1000, maxInterval);
    root.appendChild(
      svg("rect", { x, y: top, width: barW, height: PAD.top + plotH - top, class: "bar" },
        svg("title", {}, `block ${p.height}: ${fmt(p.interval_ms / 1000)} s after the previous, ${p.txs} txs (${fmt(p.rate)} tx/s)`)),
    );
  });
  const line = points.map((p, i) => `${(PAD.left + i * slot + slot / 2).toFixed(1)},${y(p.rate, maxRate).toFixed(1)}`).join(" ");
  root.appendChild(svg("polyline", { points: line, class: "rate-line" }));
  const first = points[0].height;
  const last = points[points.length - 1].height;
  root.appendChild(svg("text", { x: PAD.left, y: H - 8, class: "axis" }, `block ${first}`));
  root.appendChild(svg("text", { x: W - PAD.right, y: H - 8, "text-anchor": "end", class: "axis" }, `block ${last}`));
  root.appendChild(svg("text", { x: W / 2, y: H - 8, "text-anchor": "middle", class: "axis" }, "bars: block interval (s, left) · line: tx rate (tx/s, right)"));
  return root;
}

export function legend() {
  return h("p", { class: "legend" }, h("span", { class: "swatch bar" }), "block interval ", h("span", { class: "swatch rate" }), "tx rate");
}
