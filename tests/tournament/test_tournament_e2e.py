"""Real tournaments: `python src tournament` with real jailed bots, killed and resumed, rated and reported."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from phoenix_judge.tournament import fairness
from phoenix_judge.tournament.runner import Runner
from phoenix_judge.tournament.spec import load_tournament
from phoenix_judge.tournament.store import Store
from phoenix_judge.tournament.summary import build_summary
from tournament_support import ROOT, fakebot, sample, tournament_file

pytestmark = pytest.mark.e2e

SLOW = ("--late", "--at", "2", "--sleep", "0.25")      # one slow (legal) move a match: matches last a while


def phoenix(*args: str, progress: bool = False, **popen) -> subprocess.Popen:
    flags = [] if progress else ["--no-progress"]
    return subprocess.Popen([sys.executable, str(ROOT / "src"), "tournament", *args, *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def statuses(db: Path) -> Counter:
    with sqlite3.connect(db) as conn:
        return Counter(dict(conn.execute("SELECT status, count(*) FROM matches GROUP BY status").fetchall()))


def wait_for_done(db: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                if statuses(db)["done"] >= count:
                    return
            except sqlite3.OperationalError:
                pass    # the runner has not created the tables yet
        time.sleep(0.02)
    raise AssertionError(f"fewer than {count} matches finished in {timeout} s")


def assert_each_match_done_once(folder: Path, db: Path, matches: int) -> list[dict]:
    """Every scheduled match is done, its result is the committed one, and every bot played its share."""
    tournament = json.loads((folder / "export" / "tournament.json").read_text())
    rows = tournament["matches"]
    assert len(rows) == matches == tournament["tournament"]["done"]
    assert len({row["match_id"] for row in rows}) == matches
    for row in rows:
        committed = json.loads(Path(row["records"]["result"]).read_text())
        assert committed["match_id"] == row["record_id"]
        assert [seat["rank"] for seat in committed["seats"]] == row["ranks"]
    assert sum(row["games"] for row in tournament["standings"]) == 2 * matches
    assert statuses(db) == Counter({"done": matches})
    return rows


def resumable_file(folder: Path) -> Path:
    entrants = [sample("random", "connect4_random"), sample("greedy", "connect4_greedy"),
                fakebot("slowpoke", *SLOW), fakebot("steady", *SLOW)]
    return tournament_file(folder, entrants, {"type": "round_robin", "repeats": 2}, timeout=2.0,
                           limits={"startup_s": 10})


def test_kill_9_mid_tournament_then_rerun_plays_every_match_exactly_once(tmp_path: Path) -> None:
    path, db = resumable_file(tmp_path), tmp_path / "out" / "tournaments" / "cup" / "tournament.sqlite"
    runner = phoenix(str(path), "--jobs", "2")
    wait_for_done(db, 6)
    runner.send_signal(signal.SIGKILL)
    runner.wait(10)
    cut_off = {row for row, in sqlite3.connect(db).execute("SELECT match_id FROM matches WHERE status = 'running'")}
    before = statuses(db)
    assert 6 <= before["done"] < 24
    code, out, err = finish(phoenix(str(path), "--jobs", "2", "--export", str(tmp_path / "export")))
    assert code == 0, err
    rows = assert_each_match_done_once(tmp_path, db, 24)
    replayed = {row["match_id"]: row for row in rows if row["match_id"] in cut_off}
    assert all(row["attempts"] >= 2 and row["record_id"].endswith(f"-a{row['attempts']}") for row in replayed.values())
    assert "greedy" in out and "report:" in out


@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_stops_with_130_and_the_rerun_finishes(tmp_path: Path, stop: str) -> None:
    path, db = resumable_file(tmp_path), tmp_path / "out" / "tournaments" / "cup" / "tournament.sqlite"
    runner = phoenix(str(path), "--jobs", "2", start_new_session=True)
    wait_for_done(db, 4)
    if stop == "ctrl-c":
        os.killpg(runner.pid, signal.SIGINT)      # what a terminal's Ctrl-C does: the whole process group
    else:
        runner.terminate()
    code, out, err = finish(runner)
    assert code == 130 and "rerun the same command" in err and "Traceback" not in err
    assert statuses(db)["running"] == 0 and statuses(db)["done"] < 24
    code, out, err = finish(phoenix(str(path), "--jobs", "2", "--export", str(tmp_path / "export")))
    assert code == 0, err
    assert_each_match_done_once(tmp_path, db, 24)


@pytest.fixture(scope="module")
def faulty_cup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A round-robin of two sample bots, a crasher and a staller, played once for the tests below."""
    folder = tmp_path_factory.mktemp("faulty")
    entrants = [sample("random", "connect4_random"), sample("greedy", "connect4_greedy"),
                fakebot("crasher", "--crash", "--at", "0"), fakebot("staller", "--stall", "--at", "4")]
    path = tournament_file(folder, entrants, {"type": "round_robin"}, timeout=0.5, limits={"startup_s": 10})
    code, out, err = finish(phoenix(str(path), "--export", str(folder / "export"), "--report", str(folder / "report.html"),
                                     progress=True))
    assert code == 0, err
    assert "12/12" in err and "match/s" in err and "leader greedy" in err     # the progress bar's last state
    assert out.splitlines()[2].split()[:2] == ["1", "greedy"]                   # the terminal leaderboard
    return folder


def test_faulty_bots_get_their_verdicts_and_the_exports_agree(faulty_cup: Path) -> None:
    summary = json.loads((faulty_cup / "export" / "tournament.json").read_text())
    rows = {row["name"]: row for row in summary["standings"]}
    assert rows["crasher"]["verdicts"] == {"crash": 6}
    assert rows["staller"]["verdicts"] == {"timeout": 4, "ok": 2}      # the crasher never lets it reach turn 4
    assert rows["greedy"]["losses"] == 0 and rows["crasher"]["wins"] == 0
    standings_csv = (faulty_cup / "export" / "standings.csv").read_text().splitlines()
    assert standings_csv[0].startswith("rank,name,points") and len(standings_csv) == 5
    assert len((faulty_cup / "export" / "matches.csv").read_text().splitlines()) == 1 + 12
    for match in summary["matches"]:
        for kind in ("replay", "movelog", "errorlog", "result"):
            assert Path(match["records"][kind]).is_file()


class _Tables(HTMLParser):
    """Cell texts of every table row, by table id, and every link target."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[list[str]]] = {}
        self.links: list[str] = []
        self.table = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.table = dict(attrs).get("id") or ""
        elif tag == "tr":
            self.rows.setdefault(self.table, []).append([])
        elif tag == "td":
            self.rows[self.table][-1].append("")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_data(self, data: str) -> None:
        if self.table in self.rows and self.rows[self.table] and self.rows[self.table][-1]:
            self.rows[self.table][-1][-1] += data


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)")
def test_the_report_opens_in_headless_chromium_with_the_standings_visible(faulty_cup: Path, tmp_path: Path) -> None:
    report = faulty_cup / "report.html"
    dom = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                          "--no-first-run", "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", report.as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    tables = _Tables()
    tables.feed(dom)
    standings = [row for row in tables.rows["standings"] if row]
    assert [row[1] for row in standings] == ["greedy", "random", "staller", "crasher"]
    assert [row[0] for row in standings] == ["1", "2", "3", "4"]
    verdicts = {row[0]: row for row in tables.rows["verdicts"] if row}
    assert verdicts["crasher"][6] == "6"            # the crash column
    assert len([row for row in tables.rows["matches"] if row]) == 12
    replays = [link for link in tables.links if "replays" in link]
    assert len(replays) == 12 and all((faulty_cup / link).resolve().is_file() for link in replays)


def test_a_bad_tournament_file_exits_2_naming_the_key(tmp_path: Path) -> None:
    path = tournament_file(tmp_path, [sample("a", "connect4_random"), sample("b", "connect4_greedy")],
                           {"type": "swiss", "rounds": "three"})
    code, out, err = finish(phoenix(str(path)))
    assert code == 2 and "$.format.rounds" in err and "Traceback" not in err


def test_sprt_on_real_bots_stops_once_greedy_is_shown_better(tmp_path: Path) -> None:
    entrants = [sample("greedy", "connect4_greedy"), sample("random", "connect4_random")]
    fmt = {"type": "sprt", "a": "greedy", "b": "random", "elo0": 0, "elo1": 150, "max_matches": 200}
    path = tournament_file(tmp_path, entrants, fmt, limits={"startup_s": 10})
    code, out, err = finish(phoenix(str(path), "--jobs", "2", "--export", str(tmp_path / "export")))
    assert code == 0, err
    summary = json.loads((tmp_path / "export" / "tournament.json").read_text())
    assert summary["sprt"]["decision"] == "H1"
    assert summary["sprt"]["llr"] >= summary["sprt"]["upper"]
    assert summary["tournament"]["done"] < 60 and summary["tournament"]["scheduled"] == 200


def test_the_judges_latency_check_reads_real_move_and_error_logs(tmp_path: Path, monkeypatch) -> None:
    entrants = [sample("random", "connect4_random"), fakebot("staller", "--stall", "--at", "4")]
    path = tournament_file(tmp_path, entrants, {"type": "round_robin"}, timeout=0.3, limits={"startup_s": 10})
    spec = load_tournament(path)
    store = Store(spec.output / "tournament.sqlite")
    try:
        assert Runner(spec, store, jobs=2, progress=False).run().finished
        assert build_summary(spec, store)["fairness"] == []     # an idle judge never costs a move
        monkeypatch.setattr(fairness, "JUDGE_SHARE", 0.0)        # any judge time at all now counts
        warnings = build_summary(spec, store)["fairness"]
    finally:
        store.close()
    assert sorted((w["bot"], w["turn"]) for w in warnings) == [("staller", 4), ("staller", 5)]
    assert all(w["judge_s"] > 0 and "could have cost it the move" in w["message"] for w in warnings)
