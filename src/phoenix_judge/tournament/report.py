"""The HTML report: one self-contained file (inline CSS and JS, no network) that opens from disk.

Standings (table#standings), crosstable, head-to-head Elo, each bot's verdict
counts, the format's findings (SPRT, bracket), fairness warnings, and every
match with relative links to its replay and logs.
"""
from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import quote

from ..outcome import Verdict

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{margin-bottom:.2em} .meta{color:#666;margin-bottom:1.5em}
table{border-collapse:collapse;margin:.5em 0 2em} th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f2f2f2;cursor:pointer} td.name,th.name{text-align:left}
tr:nth-child(even) td{background:#fafafa} .warn{background:#fff4e0;border:1px solid #e0a040;padding:.6em 1em}
.decided{font-weight:bold} .self{background:#eee}
"""
_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th,col){th.addEventListener('click',function(){
 var body=th.closest('table').tBodies[0],rows=Array.from(body.rows),asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
 rows.sort(function(a,b){var x=a.cells[col].dataset.v||a.cells[col].textContent,y=b.cells[col].dataset.v||b.cells[col].textContent;
  var p=parseFloat(x),q=parseFloat(y);var c=(!isNaN(p)&&!isNaN(q))?p-q:x.localeCompare(y);return asc?c:-c;});
 rows.forEach(function(r){body.appendChild(r);});});});
"""
RECORD_KINDS = ("replay", "movelog", "errorlog", "result")


def write_report(summary: dict[str, Any], path: Path) -> Path:
    """Write the report to `path`; links to records are relative to its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(summary, path.parent.resolve()), encoding="utf-8")
    return path


def render(summary: dict[str, Any], folder: Path) -> str:
    head = summary["tournament"]
    sections = [
        f"<h1>{escape(head['name'])}</h1>", _meta(head), _warnings(summary.get("fairness", [])),
        _sprt(summary.get("sprt")), "<h2>Standings</h2>", _standings(summary["standings"]),
        _bracket(summary.get("knockout")), "<h2>Crosstable</h2>", _crosstable(summary),
        "<h2>Head to head</h2>", _head_to_head(summary["head_to_head"]),
        "<h2>Verdicts</h2>", _verdicts(summary["standings"]),
        "<h2>Matches</h2>", _matches(summary["matches"], folder),
    ]
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(head['name'])}"
            f" — Phoenix tournament</title><style>{_CSS}</style></head><body>\n" + "\n".join(sections)
            + f"\n<script>{_JS}</script></body></html>\n")


def _table(table_id: str, headers: Sequence[str], rows: Sequence[Sequence[str]], name_columns: int = 1) -> str:
    """A sortable table; cells are HTML already escaped; the first `name_columns` are left-aligned."""
    heads = "".join(f"<th{' class=name' if i < name_columns else ''}>{escape(h)}</th>" for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f"<td{' class=name' if i < name_columns else ''}>{cell}</td>"
                                   for i, cell in enumerate(row)) + "</tr>\n" for row in rows)
    return f"<table id=\"{table_id}\" class=\"sortable\"><thead><tr>{heads}</tr></thead><tbody>\n{body}</tbody></table>"


def _meta(head: dict[str, Any]) -> str:
    fmt = head["format"]
    parts = [f"game {head['game']}", f"format {fmt['type']}", f"seed {head['seed']}",
             f"{head['done']} of {head['scheduled']} matches played"]
    parts += [f"{head[key]} {key}" for key in ("failed", "running", "pending") if head[key]]
    return f"<p class=\"meta\">{escape(' · '.join(parts))}<br>generated {escape(head['generated'])}</p>"


def _standings(standings: list[dict[str, Any]]) -> str:
    headers = ["#", "bot", "points", "games", "W", "D", "L", "byes", "rating μ", "σ", "μ − 3σ", "faults"]
    rows = [[str(row["rank"]), escape(row["name"]), f"{row['points']:g}", str(row["games"]), str(row["wins"]),
             str(row["draws"]), str(row["losses"]), str(row["byes"]), f"{row['mu']:.2f}", f"{row['sigma']:.2f}",
             f"{row['ordinal']:.2f}", str(sum(n for v, n in row["verdicts"].items() if v != "ok"))]
            for row in standings]
    return _table("standings", headers, rows, name_columns=0)


def _crosstable(summary: dict[str, Any]) -> str:
    names = [row["name"] for row in summary["standings"]]
    elo = {(h["a"], h["b"]): h for h in summary["head_to_head"]}
    rows = []
    for a in names:
        cells = [escape(a)]
        for b in names:
            cells.append("—" if a == b else _cross_cell(summary["crosstable"][a][b], elo.get((a, b)) or _flip(elo.get((b, a)))))
        rows.append(cells)
    return _table("crosstable", ["", *names], rows)


def _cross_cell(wdl: list[int], h2h: dict[str, Any] | None) -> str:
    if not sum(wdl):
        return ""
    title = f"Elo {_elo_interval(h2h)}" if h2h else ""
    return f"<span title=\"{escape(title)}\">{wdl[0]}-{wdl[1]}-{wdl[2]}</span>"


def _flip(h2h: dict[str, Any] | None) -> dict[str, Any] | None:
    """The same head-to-head seen from b's side."""
    if h2h is None:
        return None
    negate = lambda x: None if x is None else -x  # noqa: E731
    return {"score": 1 - h2h["score"], "elo": negate(h2h["elo"]),
            "elo_low": negate(h2h["elo_high"]), "elo_high": negate(h2h["elo_low"])}


def _elo_interval(h2h: dict[str, Any]) -> str:
    """"+35 [−10, +80]"; an unbounded end (null in JSON) is −∞ or +∞, whichever way the score points."""
    score = h2h["score"]
    return (f"{_elo(h2h['elo'], score < 0.5)} [{_elo(h2h['elo_low'], score < 1)}, "
            f"{_elo(h2h['elo_high'], score <= 0)}]")


def _elo(value: float | None, negative: bool) -> str:
    if value is None:
        return "−∞" if negative else "+∞"
    return f"{value:+.0f}"


def _head_to_head(pairs: list[dict[str, Any]]) -> str:
    headers = ["A", "B", "A wins", "draws", "B wins", "A's score", "Elo A − B [95% interval]"]
    rows = [[escape(p["a"]), escape(p["b"]), str(p["wins"]), str(p["draws"]), str(p["losses"]),
             f"{100 * p['score']:.1f}%", escape(_elo_interval(p))] for p in pairs]
    return _table("headtohead", headers, rows, name_columns=2)


def _verdicts(standings: list[dict[str, Any]]) -> str:
    kinds = [str(verdict) for verdict in Verdict]
    rows = [[escape(row["name"]), *(str(row["verdicts"].get(kind, 0)) for kind in kinds)] for row in standings]
    return _table("verdicts", ["bot", *kinds], rows)


def _matches(matches: list[dict[str, Any]], folder: Path) -> str:
    headers = ["match", "round", "seat 0", "seat 1", "result", "verdicts", "termination", "turns", "records"]
    rows = [[escape(m["match_id"]), escape(m["label"] or str(m["round"])), *(escape(s) for s in (m["seats"] + ["", ""])[:2]),
             escape(_result(m)), escape(" ".join(m["verdicts"])), escape(m["termination"] or m["status"]),
             str(m["turns"] if m["turns"] is not None else ""), _links(m["records"], folder)]
            for m in matches]
    return _table("matches", headers, rows, name_columns=9)


def _result(match: dict[str, Any]) -> str:
    if match["status"] != "done":
        return match["status"] + (f": {match['error']}" if match["error"] else "")
    ranks, seats = match["ranks"], match["seats"]
    best = min(ranks)
    winners = [seat for seat, rank in zip(seats, ranks) if rank == best]
    return "draw" if len(winners) > 1 else f"{winners[0]} wins"


def _links(records: dict[str, str], folder: Path) -> str:
    links = []
    for kind in RECORD_KINDS:
        if kind in records:
            href = quote(os.path.relpath(Path(records[kind]).resolve(), folder))
            links.append(f"<a href=\"{escape(href)}\">{kind}</a>")
    return " ".join(links)


def _sprt(sprt: dict[str, Any] | None) -> str:
    if sprt is None:
        return ""
    verdict = {"H1": f"{sprt['a']} is better than {sprt['b']} (H1: Elo ≥ {sprt['elo1']:g} accepted)",
               "H0": f"{sprt['a']} is not better than {sprt['b']} by {sprt['elo1']:g} Elo (H0: Elo ≤ {sprt['elo0']:g} accepted)",
               None: "undecided"}[sprt["decision"]]
    return (f"<h2>SPRT</h2><p id=\"sprt\" class=\"decided\">{escape(verdict)}</p>"
            f"<p>LLR {sprt['llr']:.3f} (bounds {sprt['lower']:.3f}, {sprt['upper']:.3f}) after "
            f"{sprt['wins']} wins, {sprt['draws']} draws, {sprt['losses']} losses of {escape(sprt['a'])}; "
            f"α {sprt['alpha']:g}, β {sprt['beta']:g}</p>")


def _bracket(knockout: dict[str, Any] | None) -> str:
    if knockout is None:
        return ""
    rows = [[str(number + 1), escape(tie["high"] or "bye"), escape(tie["low"] or "bye"),
             escape(" – ".join(f"{tie['points'].get(n, 0):g}" for n in (tie["high"], tie["low"]) if n)),
             escape(tie["winner"] or "…"), escape(tie["decided_by"])]
            for number, ties in enumerate(knockout["rounds"]) for tie in ties]
    champion = f"<p class=\"decided\">Champion: {escape(knockout['champion'])}</p>" if knockout["champion"] else ""
    return "<h2>Bracket</h2>" + champion + _table("bracket", ["round", "higher seed", "lower seed", "points", "through", "how"], rows, 0)


def _warnings(warnings: list[dict[str, Any]]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{escape(w['message'])}</li>" for w in warnings)
    return f"<div id=\"fairness\" class=\"warn\"><b>Fairness warnings</b><ul>{items}</ul></div>"
