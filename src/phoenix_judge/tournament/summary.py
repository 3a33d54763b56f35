"""One JSON-ready summary of a tournament, built from its store: what the terminal, exports and report show."""
from __future__ import annotations

import math
import time
from dataclasses import replace
from itertools import combinations
from typing import Any

from .fairness import fairness_warnings
from .formats import make_format
from .spec import TournamentSpec
from .standings import Table, compute
from .store import MatchRow, Store


def build_summary(spec: TournamentSpec, store: Store) -> dict[str, Any]:
    """Standings, crosstable, head-to-head Elo, every match, and the format's own findings."""
    rows = store.rows()
    fmt = make_format(spec.roster())
    played = [p for p in (row.played() for row in rows) if p is not None]
    table = compute(spec.names, played, store.byes(), replace(spec.points, bye_wins=fmt.bye_wins))
    return {
        "tournament": _header(spec, rows),
        "standings": [{"rank": rank, **row.to_json()} for rank, row in enumerate(table.standings, 1)],
        "crosstable": table.cross,
        "head_to_head": _head_to_head(table, spec.names),
        "matches": [_match(row, spec) for row in rows],
        "fairness": fairness_warnings(rows, spec.template.limits.move_s),
        **fmt.describe(played),
    }


def _header(spec: TournamentSpec, rows: list[MatchRow]) -> dict[str, Any]:
    status = {name: sum(row.status == name for row in rows) for name in ("done", "failed", "running", "pending")}
    return {"name": spec.name, "game": spec.game, "seed": spec.seed, "format": spec.format,
            "entrants": spec.names, "maps": [name for name, _ in spec.maps],
            "points": {"win": spec.points.win, "draw": spec.points.draw, "loss": spec.points.loss},
            "scheduled": len(rows), **status, "generated": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}


def _head_to_head(table: Table, names: list[str]) -> list[dict[str, Any]]:
    pairs = []
    for a, b in combinations(names, 2):
        estimate = table.head_to_head(a, b)
        if estimate is not None:
            pairs.append({"a": a, "b": b, "wins": estimate.wins, "draws": estimate.draws, "losses": estimate.losses,
                          "score": estimate.score, "elo": finite(estimate.elo),
                          "elo_low": finite(estimate.low), "elo_high": finite(estimate.high)})
    return pairs


def _match(row: MatchRow, spec: TournamentSpec) -> dict[str, Any]:
    match, result = row.match, row.result or {}
    seats = result.get("seats", [])
    return {"match_id": match.match_id, "stage": match.stage, "round": match.round, "label": match.label,
            "seats": list(match.seats), "map": spec.maps[match.map_index][0], "seed": match.seed,
            "status": row.status, "attempts": row.attempts, "record_id": row.record_id, "error": row.error,
            "termination": result.get("termination"), "turns": result.get("turns"),
            "duration_s": result.get("duration_s"), "ranks": [seat["rank"] for seat in seats],
            "scores": [seat["score"] for seat in seats], "verdicts": [seat["verdict"] for seat in seats],
            "reasons": [seat["reason"] for seat in seats], "records": result.get("records", {})}


def finite(value: float) -> float | None:
    """JSON has no infinity: an unbounded Elo (a 100% or 0% score) is null."""
    return value if math.isfinite(value) else None
