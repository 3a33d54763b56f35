"""Helpers for the tournament tests: tournament files around real bot folders, a scripted match function."""
from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

from phoenix_judge.errors import JudgeError
from phoenix_judge.match import MatchSpec
from phoenix_judge.outcome import MatchResult, SeatResult, Termination, Verdict, rank_scores

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_BOTS = ROOT / "sample_bots"
FAKEBOT_DIR = ROOT / "tests" / "bots"


def sample(name: str, folder: str) -> dict[str, Any]:
    """A sample bot entrant under its own name."""
    return {"name": name, "dir": str(SAMPLE_BOTS / folder)}


def fakebot(name: str, *flags: str) -> dict[str, Any]:
    """The scripted fake bot (tests/bots/fakebot.py), switched by flags."""
    return {"name": name, "dir": str(FAKEBOT_DIR), "command": ["python3", "fakebot.py", *flags], "api": None}


def tournament_file(folder: Path, entrants: list[Any], fmt: dict[str, Any], **keys: Any) -> Path:
    """A tournament file in `folder`, with arena, out/ and the store inside it."""
    for entrant in entrants:
        name = entrant if isinstance(entrant, str) else entrant.get("dir")
        if name and not Path(name).is_absolute():
            (folder / name).mkdir(parents=True, exist_ok=True)
    data = {"name": "cup", "game": "connect4", "seed": 3, "entrants": entrants, "format": fmt,
            "api_dir": str(ROOT / "api"), **keys}
    path = folder / "cup.json"
    path.write_text(json.dumps(data, indent=1))
    return path


class ScriptedPlay:
    """A stand-in for play_match in runner tests: bot<i> beats bot<j> more often the larger i - j.

    Runs in the forked worker like play_match; `die_on` kills the worker
    process on a match's first attempt, `fail_on` raises JudgeError for it.
    """

    def __init__(self, die_on: set[str] = frozenset(), fail_on: set[str] = frozenset(),
                 faults: dict[str, Verdict] | None = None) -> None:
        self.die_on, self.fail_on, self.faults = die_on, fail_on, faults or {}

    def __call__(self, spec: MatchSpec, **play_match_keywords: Any) -> MatchResult:
        scheduled = spec.extra["tournament"]["match_id"]
        if scheduled in self.die_on and spec.match_id == scheduled:
            os._exit(9)
        if scheduled in self.fail_on:
            raise JudgeError("scripted judge failure")
        rng = random.Random(spec.seed)
        names = [bot.name for bot in spec.bots]
        strength = [int("".join(ch for ch in name if ch.isdigit()) or 0) for name in names]
        scores = [s + rng.random() * 3 for s in strength]
        verdicts = [self.faults.get(name, Verdict.OK) for name in names]
        ranks = rank_scores(scores, [v.is_fault for v in verdicts])
        seats = [SeatResult(i, n, scores[i], ranks[i], verdicts[i], str(verdicts[i]), 4) for i, n in enumerate(names)]
        cores = ",".join(map(str, sorted(os.sched_getaffinity(0))))     # where this worker may run
        return MatchResult(spec.match_id, spec.game, Termination.GAME_OVER, 8, 0.001, seats,
                           {"replay": str(spec.commit.replays / f"{spec.match_id}.json"), "cores": cores})
