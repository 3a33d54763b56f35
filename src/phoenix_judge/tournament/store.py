"""The tournament's SQLite store: the schedule, stage by stage, and one row per match.

The runner's parent process is the only writer. Each finished match is one
transaction (status and result together), so after a crash or `kill -9` a
match is either done with its result or not done at all; a match that was
running is played again from the start under a new record id (its cut-off
attempt may have left files in out/, and records are never overwritten).
WAL journal with synchronous=NORMAL: a committed match survives the runner
being killed; power loss may drop the last few, which are then replayed, never
counted twice. An exclusive lock file keeps two runners off one store.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, UserError
from ..outcome import MatchResult
from .schedule import Played, ScheduledMatch, Stage

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stages (stage INTEGER PRIMARY KEY, byes TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS matches (
    seq INTEGER PRIMARY KEY,
    match_id TEXT NOT NULL UNIQUE,
    stage INTEGER NOT NULL REFERENCES stages (stage),
    round INTEGER NOT NULL,
    seats TEXT NOT NULL,
    map_index INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    label TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    record_id TEXT,
    result TEXT,
    error TEXT,
    finished REAL
);
"""
_COLUMNS = "match_id, stage, round, seats, map_index, seed, label, status, attempts, record_id, result, error"


@dataclass(frozen=True, slots=True)
class MatchRow:
    """A scheduled match and where it stands."""

    match: ScheduledMatch
    status: str                      # pending | running | done | failed
    attempts: int
    record_id: str | None
    result: dict[str, Any] | None    # MatchResult.to_json() once done
    error: str | None

    def played(self) -> Played | None:
        return None if self.result is None else Played.from_result(self.match, self.result)


def record_id(match_id: str, attempt: int) -> str:
    """The first attempt's records carry the match id; a replayed attempt's add `-a<attempt>`."""
    return match_id if attempt == 1 else f"{match_id}-a{attempt}"


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = _lock(path)
        try:
            self.conn = sqlite3.connect(path)
            self.conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + _SCHEMA)
        except sqlite3.DatabaseError as exc:
            _HELD_LOCKS.discard(self._lock)
            os.close(self._lock)
            raise ConfigError(str(path), f"not a usable tournament store: {exc}",
                              "point --db at a new file or at the store of this tournament") from exc

    def close(self) -> None:
        self.conn.close()
        _HELD_LOCKS.discard(self._lock)
        os.close(self._lock)

    def bind(self, name: str, digest: str) -> None:
        """Tie the store to one tournament file; a store made from another file is refused."""
        stored = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        if not stored:
            with self.conn:
                self.conn.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("schema", SCHEMA_VERSION), ("name", name), ("digest", digest), ("created", str(time.time()))])
        elif stored.get("digest") != digest:
            raise ConfigError(str(self.path), f"this store holds tournament {stored.get('name')!r} made from a different file "
                              "(its entrants, format, maps, limits or seed changed)",
                              "rerun with the original file to resume, or pass a new --db to start a new tournament")

    def stage(self, number: int) -> Stage | None:
        row = self.conn.execute("SELECT byes FROM stages WHERE stage = ?", (number,)).fetchone()
        if row is None:
            return None
        rows = self._select("WHERE stage = ? ORDER BY seq", (number,))
        return Stage([row.match for row in rows], json.loads(row[0]))

    def add_stage(self, number: int, stage: Stage) -> None:
        """Persist a stage and all its matches in one transaction, before any of them is played."""
        with self.conn:
            self.conn.execute("INSERT INTO stages VALUES (?, ?, ?)", (number, json.dumps(stage.byes), time.time()))
            self.conn.executemany(
                "INSERT INTO matches (match_id, stage, round, seats, map_index, seed, label) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(m.match_id, m.stage, m.round, json.dumps(m.seats), m.map_index, m.seed, m.label) for m in stage.matches])

    def start(self, match_id: str) -> str:
        """Mark a match running for one more attempt; returns the record id that attempt uses."""
        with self.conn:
            self.conn.execute("UPDATE matches SET status = 'running', attempts = attempts + 1 WHERE match_id = ?", (match_id,))
            (attempts,) = self.conn.execute("SELECT attempts FROM matches WHERE match_id = ?", (match_id,)).fetchone()
            record = record_id(match_id, attempts)
            self.conn.execute("UPDATE matches SET record_id = ? WHERE match_id = ?", (record, match_id))
        return record

    def finish(self, match_id: str, result: MatchResult) -> bool:
        """Store a finished match's result; False (and nothing changes) when it was already done."""
        with self.conn:
            cursor = self.conn.execute(
                "UPDATE matches SET status = 'done', result = ?, error = NULL, finished = ? "
                "WHERE match_id = ? AND status != 'done'", (json.dumps(result.to_json()), time.time(), match_id))
        return cursor.rowcount == 1

    def fail(self, match_id: str, error: str) -> None:
        """The judge failed this match: retryable, never counted against a bot."""
        with self.conn:
            self.conn.execute("UPDATE matches SET status = 'failed', error = ? WHERE match_id = ? AND status != 'done'",
                              (error, match_id))

    def release(self, match_id: str) -> None:
        """An interrupted match goes back to pending."""
        with self.conn:
            self.conn.execute("UPDATE matches SET status = 'pending' WHERE match_id = ? AND status = 'running'", (match_id,))

    def rows(self) -> list[MatchRow]:
        return self._select("ORDER BY seq")

    def played(self) -> list[Played]:
        return [row.played() for row in self._select("WHERE status = 'done' ORDER BY seq")]  # type: ignore[misc]

    def byes(self) -> list[str]:
        return [name for (byes,) in self.conn.execute("SELECT byes FROM stages ORDER BY stage") for name in json.loads(byes)]

    def _select(self, where: str, params: tuple[Any, ...] = ()) -> list[MatchRow]:
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM matches {where}", params).fetchall()
        return [MatchRow(ScheduledMatch(mid, stage, rnd, tuple(json.loads(seats)), map_index, seed, label),
                         status, attempts, record, json.loads(result) if result else None, error)
                for mid, stage, rnd, seats, map_index, seed, label, status, attempts, record, result, error in rows]


def _lock(path: Path) -> int:
    """An exclusive lock on <db>.lock, released by the kernel when the holder dies (even by kill -9)."""
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        os.close(fd)
        raise UserError(f"{path}: another tournament runner is using this store; "
                        "wait for it to finish or stop it (Ctrl-C) before rerunning") from exc
    _HELD_LOCKS.add(fd)
    return fd


# A flock belongs to the open file, which forked workers share: if they kept their copy, a
# killed runner's lock would outlive it until its last worker exited. Children drop theirs.
_HELD_LOCKS: set[int] = set()


def _drop_locks_in_child() -> None:
    for fd in _HELD_LOCKS:
        os.close(fd)
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_drop_locks_in_child)
