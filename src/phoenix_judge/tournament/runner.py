"""Runs a tournament: stage by stage, matches in parallel, each result committed the moment it arrives.

The parent process alone talks to SQLite; workers only play. Before a stage
is played it is stored, so a rerun after Ctrl-C, a crash or `kill -9` finds
the same pairings and plays only what is not done: matches that were running
are played again from the start, finished ones never. A match the judge
failed on (a worker crash, a JudgeError) is retried `retries` times in this
run, then left failed for the next run; it never counts against a bot.
"""
from __future__ import annotations

import logging
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field, replace

from tqdm import tqdm

from ..errors import UserError
from ..outcome import MatchResult, Termination
from .formats import make_format
from .pool import Done, Job, PlayFn, WorkerPool
from .schedule import Played, ScheduledMatch
from .spec import TournamentSpec
from .store import Store

log = logging.getLogger(__name__)

_POLL_S = 0.5
_STOP_SLACK_S = 5.0       # on top of the longest a match can take to reach its next turn


@dataclass(slots=True)
class RunReport:
    finished: bool = False                            # every stage played (or the SPRT decided)
    interrupted: bool = False
    played: int = 0                                   # matches finished in this run
    failed: list[str] = field(default_factory=list)   # match ids left failed: rerun to retry them


def default_play() -> PlayFn:
    from ..match import play_match    # imported late: schedules, stores and reports need no jail
    return play_match


class Runner:
    """Plays a tournament's unfinished matches on `jobs` forked workers; `play` defaults to play_match."""

    def __init__(self, spec: TournamentSpec, store: Store, *, jobs: int, pin: bool = False, retries: int = 1,
                 play: PlayFn | None = None, progress: bool = True) -> None:
        self.spec, self.store, self.jobs, self.pin, self.retries = spec, store, jobs, pin, retries
        self.play = play or default_play()
        self.format = make_format(spec.roster())
        self.scoring = replace(spec.points, bye_wins=self.format.bye_wins)
        self.played: list[Played] = []
        self.in_flight: dict[str, ScheduledMatch] = {}
        self.report = RunReport()
        self.show_progress = progress

    def run(self) -> RunReport:
        """Play everything not yet done; Ctrl-C stops cleanly (report.interrupted) and stays resumable."""
        self.store.bind(self.spec.name, self.spec.digest)
        self.played, self.points = [], Counter({name: 0.0 for name in self.spec.names})
        for played in self.store.played():
            self._tally(played)
        self.bar = self._progress_bar()
        pool = WorkerPool(self.jobs, self.play, self.pin)
        try:
            self.report.finished = self._stages(pool)
        except KeyboardInterrupt:
            self.report.interrupted = True
            self._stop(pool)
        except UserError:
            self._stop(pool)
            raise
        finally:
            pool.close()
            self.bar.close()
        return self.report

    def _stages(self, pool: WorkerPool) -> bool:
        number = 0
        while True:
            stage = self.store.stage(number)
            if stage is None:
                stage = self.format.next_stage(number, self.store.played(), self.store.byes())
                if stage is None:
                    return True
                self.store.add_stage(number, stage)
                log.info("stage %d: %d matches, byes %s", number, len(stage.matches), stage.byes)
            if not self._play_stage(pool, number):
                return False
            if self.format.decided(self.played):
                return True
            number += 1

    def _play_stage(self, pool: WorkerPool, number: int) -> bool:
        """Play a stage's unfinished matches; True when all of them are done (or the format decided)."""
        todo = {row.match.match_id: row.match for row in self.store.rows()
                if row.match.stage == number and row.status != "done"}
        queue: deque[ScheduledMatch] = deque(todo.values())
        self._grow_total(len(queue))
        tries: Counter[str] = Counter()
        while queue or pool.busy:
            if self.format.decided(self.played):
                self._stop(pool)
                return True
            while queue and pool.idle() is not None:
                self._submit(pool, queue.popleft())
            for done in pool.wait(_POLL_S):
                if not self._record(done):
                    self._retry_or_give_up(todo[done.key], queue, tries)
        return not any(key in todo for key in self.report.failed)

    def _retry_or_give_up(self, match: ScheduledMatch, queue: deque[ScheduledMatch], tries: Counter[str]) -> None:
        tries[match.match_id] += 1
        if tries[match.match_id] <= self.retries:
            queue.append(match)
        else:
            self.report.failed.append(match.match_id)

    def _submit(self, pool: WorkerPool, match: ScheduledMatch) -> None:
        self.in_flight[match.match_id] = match
        pool.submit(Job(match.match_id, self.spec.match_spec(match, self.store.start(match.match_id))))

    def _record(self, done: Done) -> bool:
        """Store what a worker returned; False when the match must be played again."""
        match = self.in_flight.pop(done.key)
        if done.kind == "user_error":
            raise UserError(done.error)
        if done.kind == "interrupted":
            self.store.release(done.key)
            return False
        problem = done.error if done.kind == "failed" else _judge_problem(done.result)
        if problem or done.result is None:
            log.warning("match %s failed (the judge's fault, retryable): %s", done.key, problem)
            self.store.fail(done.key, problem)
            return False
        if self.store.finish(done.key, done.result):
            self._count(Played.from_result(match, done.result.to_json()))
        return True

    def _count(self, played: Played) -> None:
        self._tally(played)
        self.report.played += 1
        leader, points = max(self.points.items(), key=lambda item: item[1])
        self.bar.set_postfix_str(f"leader {leader} ({points:g} pts)", refresh=False)
        self.bar.update(1)

    def _tally(self, played: Played) -> None:
        """Keep `played` for the format's stop rule and its points for the progress bar's leader."""
        self.played.append(played)
        for name in played.match.seats:
            self.points[name] += self.scoring.points(played.outcome(name))

    def _stop(self, pool: WorkerPool) -> None:
        """Abandon the running matches: let them clean up, keep any that finished meanwhile."""
        pool.interrupt()
        limits = self.spec.template.limits        # an interrupted match stops at its next turn
        deadline = time.monotonic() + limits.startup_s + limits.move_s + _STOP_SLACK_S
        while pool.busy and time.monotonic() < deadline:
            for done in pool.wait(max(0.0, deadline - time.monotonic())):
                if done.kind == "ok" and not _judge_problem(done.result):
                    self._record(done)
                else:
                    self.store.release(self.in_flight.pop(done.key).match_id)
        for key in self.in_flight:         # still running after the grace: killed by pool.close()
            self.store.release(key)
        self.in_flight.clear()

    def _progress_bar(self) -> tqdm:
        tqdm.monitor_interval = 0      # no monitor thread: the pool forks workers
        total = self.format.expected_total() or 0
        return tqdm(total=max(total, len(self.played)), initial=len(self.played), unit="match", desc=self.spec.name,
                    disable=not self.show_progress, file=sys.stderr, dynamic_ncols=True)

    def _grow_total(self, remaining: int) -> None:
        if self.bar.total is not None and self.bar.n + remaining > self.bar.total:
            self.bar.total = self.bar.n + remaining
            self.bar.refresh()


def _judge_problem(result: MatchResult | None) -> str:
    if result is None:
        return "no result"
    if result.termination is Termination.JUDGE_ERROR:
        return "the match ended with a judge error (see its error log)"
    if result.termination is Termination.INTERRUPTED:
        return "the match was interrupted"
    return ""
