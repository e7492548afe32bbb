"""Human renderings of the node's answers for `coterie query`: dates, durations, percentages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def date(ms: int | None) -> str:
    if not ms:
        return "-"
    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(ms: int) -> str:
    """A rough human duration: '2 d 3 h', '5 min 10 s', '0 s'."""
    seconds = max(ms, 0) // 1000
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size} {unit}")
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(parts) or "0 s"


def until(ms: int, now_ms: int) -> str:
    """'2026-11-22 10:00:00 UTC (in 3 h 5 min)' or '(5 min ago)'."""
    delta = ms - now_ms
    when = f"in {duration(delta)}" if delta >= 0 else f"{duration(-delta)} ago"
    return f"{date(ms)} ({when})"


def percent(part: int, whole: int) -> str:
    if whole <= 0:
        return "-"
    value = 100 * part / whole
    return f"{value:.2f}%".replace(".00%", "%")


def count(n: int, noun: str) -> str:
    """`1 validator`, `4 validators`."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def lines(rows: list[tuple[str, Any]]) -> str:
    width = max((len(k) for k, _ in rows), default=0)
    return "\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in rows)


def short(text: Any, keep: int = 16) -> str:
    s = str(text)
    return s if len(s) <= keep + 1 else s[:keep] + "…"


def party(p: dict[str, Any] | None) -> str:
    if not p:
        return "-"
    kind = str(p.get("kind", "")).lower()
    return str(p.get("id")) if kind == "account" else f"{kind} {p.get('id')}"


def verified_note(answer: dict[str, Any]) -> list[tuple[str, Any]]:
    note = answer.get("verified")
    if not note:
        return []
    rows: list[tuple[str, Any]] = [
        ("verified", f"yes, at height {note['height']} (block {short(note['block_hash'])})")
    ]
    if note.get("time_ms"):
        rows.append(("proven at", date(note["time_ms"])))
    if note.get("unverified"):
        rows.append(("unverified (the node's word)", ", ".join(note["unverified"])))
    return rows


def account_text(a: dict[str, Any]) -> str:
    rows: list[tuple[str, Any]] = [
        ("address", a["address"]),
        ("height", a["height"]),
        ("balance", a["balance"]),
        ("nonce", a["nonce"]),
        ("next nonce", a.get("next_nonce")),
    ]
    if not a.get("exists"):
        rows.append(("note", "this account has never been touched"))
    for h in a.get("holdings", []):
        rows.append((f"{h['collective_name']} {h['class']}", h["amount"]))
    rows += verified_note(a)
    return lines(rows)


def asset_name(asset: str, native_coin: str) -> str:
    return native_coin if asset == "native" else asset


def collective_text(c: dict[str, Any], native_coin: str = "coin") -> str:
    rows: list[tuple[str, Any]] = [
        ("id", c["id"]),
        ("name", c["name"]),
        ("metadata", c.get("metadata") or "-"),
        ("height", c["height"]),
        ("members", c["member_count"]),
    ]
    rows += [(f"supply {s['name']}", s["supply"]) for s in c.get("supply", [])]
    treasury = c.get("treasury") or []
    rows.append(
        (
            "treasury",
            ", ".join(f"{t['amount']} {asset_name(t['asset'], native_coin)}" for t in treasury)
            or "empty",
        )
    )
    rows += verified_note(c)
    out = [lines(rows), "", "members:"]
    for m in c.get("members", []):
        held = ", ".join(f"{k} {v}" for k, v in m.get("holdings", {}).items())
        jailed = " (jailed)" if m.get("jailed") else ""
        out.append(f"  {m['address']}  {held}{jailed}")
    if c.get("members_truncated"):
        out.append("  … (more)")
    streams = c.get("streams") or []
    if streams:
        out += ["", "streams:"]
        for st in streams:
            unit = asset_name(str(st.get("asset")), native_coin)
            out.append(
                f"  stream {st['stream']}  {st.get('status')}  {st.get('total')} {unit} to "
                f"{st.get('recipient')}, claimed {st.get('claimed')}"
            )
    out += ["", "policies:"]
    for p in c.get("policies", []):
        pol = p.get("policy", {})
        detail = f"{pol.get('method')}"
        if "quorum_ppm" in pol:
            detail += f", quorum {percent(pol['quorum_ppm'], 1_000_000)}"
        if "threshold_ppm" in pol:
            detail += f", threshold {percent(pol['threshold_ppm'], 1_000_000)}"
        if "voting_period_ms" in pol:
            detail += f", voting {duration(pol['voting_period_ms'])}"
        own = " (own)" if p.get("override") else ""
        out.append(f"  {p['kind']:<12} {detail}{own}")
    return "\n".join(out)


def validators_text(v: dict[str, Any]) -> str:
    total = v.get("total_power") or 0
    count = len(v["validators"])
    out = [
        f"height {v['height']}, {count} validator{'' if count == 1 else 's'}, total power {total}"
    ]
    for item in v["validators"]:
        missed = item.get("missed_blocks")
        extra = f", missed {missed}" if missed is not None else ""
        name = item.get("name") or "-"
        out.append(
            f"  {item['address']}  {name:<12} power {item['power']} "
            f"({percent(item['power'], total)}){extra}"
        )
    rows = verified_note(v)
    if rows:
        out.append(lines(rows))
    return "\n".join(out)


def proposal_text(p: dict[str, Any], now_ms: int) -> str:
    rows: list[tuple[str, Any]] = [
        ("proposal", p["id"]),
        ("collective", p["collective"]),
        ("kind", p["kind"]),
        ("status", p["status"]),
        ("proposer", p["proposer"]),
        ("metadata", p.get("metadata") or "-"),
    ]
    if p.get("start_ms"):
        rows.append(("voting starts", until(p["start_ms"], now_ms)))
    deadline = p.get("next_deadline")
    if deadline:
        rows.append((deadline["what"].replace("_", " "), until(deadline["ms"], now_ms)))
    tally = p.get("live_tally")
    if tally and "options" in tally:
        total = tally.get("total_power") or 0
        for option, power in tally["options"].items():
            rows.append((f"  {option}", f"{power} ({percent(power, total)} of {total})"))
        rows.append(("participation", percent(tally.get("participation", 0), total)))
        rows.append(("voters", tally.get("voters")))
    elif tally:
        rows.append(("approvals", f"{tally['approvals']} of {tally['required_approvals']}"))
    if p.get("status") not in _OPEN:
        rows += result_rows(p, now_ms)
    for action in p.get("actions", []):
        rows.append(("action", action.get("tag")))
    rows += verified_note(p)
    return lines(rows)


_OPEN = frozenset({"SUBMITTED", "VOTING"})
_BINARY = ("yes", "no", "abstain", "veto")


def result_rows(p: dict[str, Any], now_ms: int) -> list[tuple[str, Any]]:
    """A closed vote's result from the proposal record (the part `--verify` proves): the final
    tally per option, the winner of a poll, when voting closed and what came after."""
    rows: list[tuple[str, Any]] = []
    final = list(p.get("tally") or [])
    total = int(p.get("total_power") or 0)
    names = list(p.get("choices") or []) or list(_BINARY)
    if final:
        rows.append(("result", f"{p['status']} (final tally of {total} voting power)"))
        for index, power in enumerate(final):
            name = names[index] if index < len(names) else f"choice {index}"
            rows.append((f"  {name}", f"{power} ({percent(power, total)})"))
        if p.get("choices") and int(p.get("winner", -1)) >= 0:
            rows.append(("winner", names[int(p["winner"])]))
    else:
        rows.append(("result", p.get("status")))
    if p.get("closed_ms"):
        rows.append(("closed", date(p["closed_ms"])))
    grace = p.get("grace_end_ms")
    status = p.get("status")
    if grace and status == "EXECUTED":
        rows.append(("executed", f"yes, its actions ran (grace period ended {date(grace)})"))
    elif grace and status == "GRACE":
        rows.append(("executes", f"when the grace period ends, {until(grace, now_ms)}"))
    elif status == "READY":
        expires = until(int(p.get("expires_ms") or 0), now_ms)
        rows.append(
            ("executes", f"failed at grace end: `coterie proposal process {p['id']}` by {expires}")
        )
    return rows


def proposals_text(answer: dict[str, Any], now_ms: int) -> str:
    items = answer.get("proposals", [])
    out = [] if items else ["no proposals"]
    for p in items:
        deadline = p.get("next_deadline")
        when = (
            f", {deadline['what'].replace('_', ' ')} {until(deadline['ms'], now_ms)}"
            if deadline
            else ""
        )
        tally = p.get("live_tally") or {}
        votes = ""
        if "options" in tally:
            opts = tally["options"]
            votes = " | " + " ".join(f"{k} {v}" for k, v in opts.items())
        elif p.get("tally") and p.get("status") not in _OPEN:  # the final tally of a closed vote
            names = list(p.get("choices") or []) or list(_BINARY)
            votes = " | " + " ".join(f"{n} {v}" for n, v in zip(names, p["tally"], strict=False))
        out.append(f"#{p['id']:<5} {p['kind']:<12} {p['status']:<9}{votes}{when}")
    rows = verified_note(answer)
    if rows:
        out.append(lines(rows))
    return "\n".join(out)


def split_text(s: dict[str, Any], payouts: list[dict[str, Any]]) -> str:
    total = s.get("total_shares") or 0
    paid: dict[str, int] = {}
    for record in payouts:
        for item in record.get("payouts", []):
            key = party(item.get("party"))
            paid[key] = paid.get(key, 0) + int(item.get("amount", 0))
    rows: list[tuple[str, Any]] = [
        ("split", s["id"]),
        ("owner", party(s.get("owner")) if s.get("owner") else "none (immutable)"),
        ("mode", s.get("mode")),
        ("balance", s.get("balance")),
        ("payments", len(payouts)),
    ]
    rows += verified_note(s)
    out = [lines(rows), "", "recipients:"]
    for r in s.get("recipients", []):
        who = party(r.get("party"))
        out.append(
            f"  {who}  {percent(r['share'], total):>7}  ({r['share']}/{total})  "
            f"paid {paid.get(who, 0)}"
        )
    return "\n".join(out)


def content_text(c: dict[str, Any], now_ms: int = 0) -> str:
    rows: list[tuple[str, Any]] = [
        ("content", c["hash"]),
        ("author", c.get("author")),
        ("uri", c.get("uri")),
        ("kind", c.get("kind")),
        ("collective", c.get("collective") or "-"),
        ("anchored", date(c.get("time_ms"))),
    ]
    latest = c.get("moderation")
    rows.append(("moderation", latest.get("action") if latest else "none"))
    rows += verified_note(c)
    out = [lines(rows)]
    history = c.get("moderation_history") or []
    if history:
        out += ["", "moderation history:"]
        for d in history:
            out.append(decision_text(d, now_ms))
    return "\n".join(out)


def decision_text(d: dict[str, Any], now_ms: int) -> str:
    """`date  ACTION by WHO, proposal N, appeal until DATE, label, reason`."""
    action = str(d.get("action"))
    if d.get("label"):
        action += f" {d['label']!r}"
    kind = "collective" if d.get("actor_kind") == "COLLECTIVE" else "moderator"
    parts = [f"{action} by {kind} {d.get('actor')}"]
    if d.get("proposal_id") is not None:
        parts.append(f"proposal {d['proposal_id']}")
    if d.get("appeal_until_ms"):
        parts.append(f"appeal until {until(d['appeal_until_ms'], now_ms)}")
    if d.get("reason_uri"):
        parts.append(f"reason {d['reason_uri']}")
    return f"  {date(d.get('time_ms'))}  " + ", ".join(parts)


def block_text(b: dict[str, Any]) -> str:
    h = b["header"]
    rows: list[tuple[str, Any]] = [
        ("height", b["height"]),
        ("hash", b["hash"]),
        ("time", date(h.get("time_ms"))),
        ("proposer", h.get("proposer")),
        ("txs", b.get("tx_count")),
        ("state root", h.get("state_root")),
        ("signatures", len((b.get("commit") or {}).get("signatures", []))),
    ]
    rows += verified_note(b)
    out = [lines(rows)]
    for tx in b.get("txs", []):
        if isinstance(tx, dict):
            out.append(f"  {tx['hash']}  {tx['kind']:<18} from {tx['sender']}")
        else:
            out.append(f"  {tx}")
    return "\n".join(out)


def payload_value(name: str, value: Any) -> str:
    """A payload field as the wallet takes it back: an asset as `native` or `COLLECTIVE/CLASS`,
    an invoice reference as its text, nested values as JSON (never a Python repr)."""
    if isinstance(value, dict) and set(value) == {"collective", "token_class"}:
        return f"{value['collective']}/{value['token_class']}" if value["collective"] else "native"
    if name == "invoice_ref" and isinstance(value, str) and value:
        try:
            text = bytes.fromhex(value).decode("utf-8")
        except ValueError:
            return value
        return json.dumps(text, ensure_ascii=False) if text.isprintable() else value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def tx_text(t: dict[str, Any]) -> str:
    tx = t.get("tx") or {}
    rows: list[tuple[str, Any]] = [
        ("tx", t.get("hash") or tx.get("hash")),
        ("status", t.get("status")),
        ("height", t.get("height") if t.get("height") is not None else "-"),
        ("kind", tx.get("kind")),
        ("sender", tx.get("sender")),
        ("nonce", tx.get("nonce")),
        ("fee", tx.get("fee")),
    ]
    for name, value in (tx.get("payload") or {}).items():
        rows.append((f"  {name}", payload_value(name, value)))
    result = t.get("result") or {}
    for event in result.get("events", []):
        shown = " ".join(f"{k}={v}" for k, v in (event.get("attributes") or {}).items())
        rows.append(("event", f"{event.get('kind')} {shown}".rstrip()))
    rows += verified_note(t)
    return lines(rows)


def stream_text(s: dict[str, Any], native_coin: str = "coin") -> str:
    schedule = s.get("schedule") or {}
    unit = asset_name(str(s.get("asset")), native_coin)
    rows: list[tuple[str, Any]] = [
        ("stream", s["id"]),
        ("collective", s.get("collective")),
        ("recipient", s.get("recipient")),
        ("asset", unit),
        ("status", s.get("status")),
        ("total", f"{s.get('total')} {unit}"),
        ("claimed", f"{s.get('claimed')} {unit}"),
        ("claimable", f"{s.get('claimable')} {unit} (at {date(s.get('claimable_at_ms'))})"),
        ("starts", date(schedule.get("start_ms"))),
        ("runs", duration(int(schedule.get("duration_ms") or 0))),
        ("proposal", s.get("proposal_id") or "-"),
    ]
    return lines(rows)
