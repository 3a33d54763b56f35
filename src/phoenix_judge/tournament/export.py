"""Exports: the summary as JSON, and standings, matches and head-to-head as CSV; the terminal leaderboard."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ..outcome import Verdict

STANDINGS_COLUMNS = ["rank", "name", "points", "games", "wins", "draws", "losses", "byes", "mu", "sigma", "ordinal"]
MATCH_COLUMNS = ["match_id", "stage", "round", "label", "seat0", "seat1", "map", "seed", "status", "attempts",
                 "record_id", "termination", "turns", "duration_s", "ranks", "verdicts", "replay", "error"]
H2H_COLUMNS = ["a", "b", "wins", "draws", "losses", "score", "elo", "elo_low", "elo_high"]


def write_exports(summary: dict[str, Any], folder: Path) -> list[Path]:
    """Write tournament.json, standings.csv, matches.csv and head_to_head.csv into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in ("tournament.json", "standings.csv", "matches.csv", "head_to_head.csv")]
    paths[0].write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    verdict_columns = [str(verdict) for verdict in Verdict]
    _csv(paths[1], STANDINGS_COLUMNS + verdict_columns,
         [{**row, **{v: row["verdicts"].get(v, 0) for v in verdict_columns}} for row in summary["standings"]])
    _csv(paths[2], MATCH_COLUMNS, [_match_row(match) for match in summary["matches"]])
    _csv(paths[3], H2H_COLUMNS, summary["head_to_head"])
    return paths


def _match_row(match: dict[str, Any]) -> dict[str, Any]:
    seats = match["seats"] + [""] * (2 - len(match["seats"]))
    return {**match, "seat0": seats[0], "seat1": seats[1], "ranks": " ".join(map(str, match["ranks"])),
            "verdicts": " ".join(match["verdicts"]), "replay": match["records"].get("replay", "")}


def _csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def leaderboard(summary: dict[str, Any]) -> str:
    """The standings as a plain-text table for the terminal."""
    header = f"{'#':>3}  {'bot':<20} {'pts':>7} {'games':>5} {'W':>4} {'D':>4} {'L':>4}  {'rating (mu ± sigma)':>20}  faults"
    lines = [header, "-" * len(header)]
    for row in summary["standings"]:
        faults = sum(count for verdict, count in row["verdicts"].items() if verdict != "ok")
        rating = f"{row['mu']:.1f} ± {row['sigma']:.1f}"
        lines.append(f"{row['rank']:>3}  {row['name']:<20} {row['points']:>7g} {row['games']:>5} {row['wins']:>4} "
                     f"{row['draws']:>4} {row['losses']:>4}  {rating:>20}  {faults}")
    return "\n".join(lines)
