"""The SQLite store: stages persisted before play, one row per match, attempts, binding, the lock."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from phoenix_judge.errors import ConfigError, UserError
from phoenix_judge.outcome import MatchResult, SeatResult, Termination, Verdict
from phoenix_judge.tournament.schedule import ScheduledMatch, Stage
from phoenix_judge.tournament.store import Store


def result(match_id: str, ranks: tuple[int, int]) -> MatchResult:
    seats = [SeatResult(i, name, 1.0 - i, rank, Verdict.OK, "", 3) for i, (name, rank) in enumerate(zip("ab", ranks))]
    return MatchResult(match_id, "connect4", Termination.GAME_OVER, 7, 0.1, seats, {"replay": f"/x/{match_id}.json"})


STAGE = Stage([ScheduledMatch("t-1", 0, 0, ("a", "b"), 0, 11), ScheduledMatch("t-2", 0, 0, ("b", "a"), 0, 12)])


def test_stages_matches_and_results_survive_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.sqlite")
    store.bind("t", "digest")
    assert store.stage(0) is None
    store.add_stage(0, STAGE)
    assert store.start("t-1") == "t-1"
    assert store.finish("t-1", result("t-1", (1, 2)))
    assert not store.finish("t-1", result("t-1", (2, 1))), "a second result for a done match must not count"
    store.close()
    again = Store(tmp_path / "t.sqlite")
    again.bind("t", "digest")
    assert again.stage(0) == STAGE
    rows = {row.match.match_id: row for row in again.rows()}
    assert rows["t-1"].status == "done" and rows["t-1"].result["seats"][0]["rank"] == 1
    assert rows["t-2"].status == "pending"
    assert [p.ranks for p in again.played()] == [(1, 2)]


def test_every_attempt_gets_its_own_record_id(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.sqlite")
    store.add_stage(0, STAGE)
    assert store.start("t-2") == "t-2"
    store.fail("t-2", "worker died")
    assert store.start("t-2") == "t-2-a2"          # the cut-off attempt's files keep their name
    store.release("t-2")
    row = next(row for row in store.rows() if row.match.match_id == "t-2")
    assert (row.status, row.attempts, row.error) == ("pending", 2, "worker died")


def test_a_store_from_another_tournament_file_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.sqlite")
    store.bind("t", "one")
    with pytest.raises(ConfigError, match="different file"):
        store.bind("t", "two")


def test_two_runners_cannot_share_a_store(tmp_path: Path) -> None:
    first = Store(tmp_path / "t.sqlite")
    with pytest.raises(UserError, match="another tournament runner"):
        Store(tmp_path / "t.sqlite")
    first.close()
    Store(tmp_path / "t.sqlite").close()


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "t.sqlite").write_text("not a database, just text " * 100)
    with pytest.raises(ConfigError, match="not a usable tournament store"):
        Store(tmp_path / "t.sqlite")


def test_the_store_is_in_wal_mode(tmp_path: Path) -> None:
    Store(tmp_path / "t.sqlite").close()
    assert sqlite3.connect(tmp_path / "t.sqlite").execute("PRAGMA journal_mode").fetchone() == ("wal",)
