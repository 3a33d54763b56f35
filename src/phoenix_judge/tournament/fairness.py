"""Fairness under load: warn when the judge's own latency could have cost a bot a move.

The gameloop writes the judge's time per turn (outside the wait for bots) into
each match's move log as {"judge": true, "turn", "judge_s"}, and every fault
with its turn into the error log. A bot that timed out on the wall clock right
after turns on which the judge itself was busy for more than `JUDGE_SHARE` of
the move limit timed out on a judge that was slow (overloaded, descheduled):
it may have lost the move to the judge, not to its own thinking, and the
report lists every such case. The timeout's own turn is not looked at: its
judge time includes stopping the bot that timed out. Only matches with a
wall-clock timeout are read.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Iterator

from ..outcome import Verdict
from .store import MatchRow

log = logging.getLogger(__name__)

JUDGE_SHARE = 0.05     # judge latency above 5% of the move limit can decide a close timeout
_TURNS_BEFORE = (1, 2)  # the turns before a timeout: the other seat's and the bot's own last one


def fairness_warnings(rows: list[MatchRow], move_s: float) -> list[dict[str, Any]]:
    """One warning per wall-clock timeout the judge's latency could have caused."""
    warnings = []
    for row in rows:
        seats = (row.result or {}).get("seats", [])
        timed_out = {seat["seat"]: seat["name"] for seat in seats if seat["verdict"] == str(Verdict.TIMEOUT)}
        if timed_out:
            warnings += _check_match(row, timed_out, move_s)
    return warnings


def _check_match(row: MatchRow, timed_out: dict[int, str], move_s: float) -> list[dict[str, Any]]:
    records = row.result["records"] if row.result else {}
    judge = {line["turn"]: line["judge_s"] for line in _lines(records.get("movelog")) if line.get("judge")}
    warnings = []
    for fault in _lines(records.get("errorlog")):
        seat, turn = fault.get("seat"), fault.get("turn")
        if seat not in timed_out or fault.get("verdict") != str(Verdict.TIMEOUT) or turn is None:
            continue
        busy = max(judge.get(turn - back, 0.0) for back in _TURNS_BEFORE)
        if busy > JUDGE_SHARE * move_s:
            warnings.append({
                "match_id": row.match.match_id, "bot": timed_out[seat], "turn": turn, "judge_s": busy, "move_s": move_s,
                "message": f"{timed_out[seat]} timed out on turn {turn} of match {row.match.match_id} while the judge "
                           f"itself took {busy * 1000:.1f} ms on a turn just before (move limit {move_s:g} s): the judge's "
                           "latency could have cost it the move; rerun with fewer --jobs or a longer timeout",
            })
    return warnings


def _lines(path: str | None) -> Iterator[dict[str, Any]]:
    if not path:
        return
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        log.warning("cannot read %s for the fairness check: %s", path, exc)
        return
    for number, line in enumerate(text.splitlines(), 1):
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            log.warning("%s line %d is not JSON; the fairness check skips it", path, number)
