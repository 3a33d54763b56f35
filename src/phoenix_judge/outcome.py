"""Outcomes as data: verdicts, faults, terminations, seat and match results."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    """How one seat's participation ended. Every fault maps to exactly one."""

    OK = "ok"
    TIMEOUT = "timeout"                          # wall-clock limit (start-up or per move)
    CPU_TIMEOUT = "cpu_timeout"                  # CPU-time limit (per move or total)
    MEMORY_LIMIT = "memory_limit"                # cgroup OOM kill or address-space limit
    OUTPUT_LIMIT = "output_limit"                # line over the size limit, file too large
    CRASH = "crash"                              # runtime error: non-zero exit or a signal
    SECURITY_VIOLATION = "security_violation"    # forbidden syscall (named in the reason)
    PROTOCOL_ERROR = "protocol_error"            # not sky: bad JSON, wrong type, wrong turn id
    ILLEGAL_MOVE = "illegal_move"                # well-formed, but the game refuses it
    DISCONNECTED = "disconnected"                # a remote agent went away

    @property
    def is_fault(self) -> bool:
        return self is not Verdict.OK


class Termination(StrEnum):
    """Why a match ended."""

    GAME_OVER = "game_over"          # the game reached a terminal state
    MAX_ITERS = "max_iters"          # the turn limit ran out
    NO_PLAYERS = "no_players"        # every seat faulted
    INTERRUPTED = "interrupted"      # Ctrl-C / SIGTERM to the judge
    JUDGE_ERROR = "judge_error"      # the judge failed; no bot is blamed


class FaultPolicy(StrEnum):
    """What happens to a seat after it faults."""

    DISQUALIFY = "disqualify"        # the bot is stopped, ranked last; the rest play on
    END_MATCH = "end_match"          # the match ends at once


@dataclass(frozen=True, slots=True)
class Fault:
    """One rule a bot broke, with a reason a person can act on."""

    verdict: Verdict
    reason: str
    turn: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"verdict": str(self.verdict), "reason": self.reason, "turn": self.turn, "detail": self.detail}


@dataclass(slots=True)
class SeatResult:
    seat: int
    name: str
    score: float
    rank: int
    verdict: Verdict
    reason: str
    moves: int
    code_hash: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = str(self.verdict)
        return data


@dataclass(slots=True)
class MatchResult:
    match_id: str
    game: str
    termination: Termination
    turns: int
    duration_s: float
    seats: list[SeatResult]
    records: dict[str, str] = field(default_factory=dict)   # kind -> committed path

    def to_json(self) -> dict[str, Any]:
        return {
            "match_id": self.match_id,
            "game": self.game,
            "termination": str(self.termination),
            "turns": self.turns,
            "duration_s": round(self.duration_s, 6),
            "seats": [seat.to_json() for seat in self.seats],
            "records": self.records,
        }


def rank_scores(scores: list[float], faulted: list[bool]) -> list[int]:
    """Competition ranks (1 = best; ties share a rank); faulted seats rank below all others."""
    keys = [(1 if bad else 0, -score) for score, bad in zip(scores, faulted)]
    return [1 + sum(other < key for other in keys) for key in keys]
