"""A pool of forked worker processes, each playing one match at a time through `play_match`.

Why long-lived forked workers and not ProcessPoolExecutor: a worker that dies
(a judge crash, the OOM killer) must cost only the match it was playing,
marked failed and retried, never the whole pool (the executor breaks every
pending future on one death). Here each worker has its own pipe; the parent
waits on the pipes and the workers' sentinels, replaces a dead worker and
reports its match as failed.

Signals: workers ignore SIGINT (the terminal sends Ctrl-C to the whole
process group; the parent decides). SIGTERM asks a worker to abandon its
match: the parent sends it when it stops, the kernel when the parent dies
(PR_SET_PDEATHSIG), even by `kill -9`. The handler only sets a flag; an
observer of the match raises KeyboardInterrupt at the next turn, inside the
gameloop, so `play_match` ends the match as interrupted and its clean-up kills
the bots. An exception raised straight from the handler could land anywhere:
inside a fork hook it is swallowed ("Exception ignored in ..."), inside a
clean-up it breaks it.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import dataclasses
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from types import FrameType
from typing import Callable

import prctl

from ..errors import PhoenixError, UserError
from ..gameloop.events import Event, MatchStarted, Observer, TurnPlayed
from ..match import MatchSpec
from ..outcome import MatchResult

log = logging.getLogger(__name__)

PlayFn = Callable[..., MatchResult]      # play_match(spec, *, observers=...)
_CONTEXT = multiprocessing.get_context("fork")    # workers inherit the loaded judge: no re-import, no pickled play fn


@dataclass(frozen=True, slots=True)
class Job:
    key: str                 # the scheduled match id
    spec: MatchSpec


@dataclass(frozen=True, slots=True)
class Done:
    key: str
    kind: str                # "ok" | "failed" | "interrupted" | "user_error"
    result: MatchResult | None = None
    error: str = ""


# Worker n's bots use jail slots n*16 .. n*16+15: their own cgroups and uids, so one
# worker's bot can never eat another's per-uid process budget (RLIMIT_NPROC counts per uid).
SLOTS_PER_WORKER = 16         # more than any game's seats (phoenix: 8)


class _Worker:
    def __init__(self, play: PlayFn, core: int | None, number: int) -> None:
        self.number = number
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_serve, args=(child, play, core, os.getpid()), name="phoenix-match")
        self.process.start()
        child.close()
        self.core = core
        self.job: Job | None = None

    def stop(self, sig: signal.Signals) -> None:
        if self.process.is_alive() and self.process.pid is not None:
            os.kill(self.process.pid, sig)


class WorkerPool:
    """`jobs` workers; with `pin`, worker i (and the bots it starts) runs on core i only."""

    def __init__(self, jobs: int, play: PlayFn, pin: bool = False) -> None:
        cores = sorted(os.sched_getaffinity(0))
        self.play = play
        self.workers = [_Worker(play, cores[i % len(cores)] if pin else None, i) for i in range(jobs)]

    def idle(self) -> _Worker | None:
        return next((worker for worker in self.workers if worker.job is None), None)

    @property
    def busy(self) -> int:
        return sum(worker.job is not None for worker in self.workers)

    def submit(self, job: Job) -> None:
        worker = self.idle()
        if worker is None:
            raise RuntimeError("submit() with no idle worker")
        worker.job = job
        worker.conn.send(Job(job.key, dataclasses.replace(job.spec, slot_base=worker.number * SLOTS_PER_WORKER)))

    def wait(self, timeout: float | None) -> list[Done]:
        """Results of matches that ended within `timeout` (a dead worker's match comes back failed)."""
        busy = [(worker, worker.job) for worker in self.workers if worker.job is not None]
        ready = set(wait([w.conn for w, _ in busy] + [w.process.sentinel for w, _ in busy], timeout))
        return [self._collect(worker, job) for worker, job in busy
                if worker.conn in ready or worker.process.sentinel in ready]

    def interrupt(self) -> None:
        """Ask every busy worker to abandon its match (its bots are killed in play_match's finally)."""
        for worker in self.workers:
            if worker.job is not None:
                worker.stop(signal.SIGTERM)

    def close(self, grace: float = 10.0) -> None:
        """Stop every worker: idle ones are told to exit, busy ones (already given their grace) are killed."""
        for worker in self.workers:
            if worker.job is not None:
                worker.stop(signal.SIGKILL)
            elif worker.process.is_alive():
                _send_quietly(worker.conn, None)
        for worker in self.workers:
            worker.process.join(grace)
            if worker.process.is_alive():
                worker.stop(signal.SIGKILL)
                worker.process.join()
            worker.conn.close()

    def _collect(self, worker: _Worker, job: Job) -> Done:
        worker.job = None
        try:
            if worker.conn.poll():
                return worker.conn.recv()
        except (EOFError, OSError) as exc:
            log.debug("worker for %s died mid-answer: %s", job.key, exc)
        worker.process.join()
        code = worker.process.exitcode
        log.warning("worker for %s died (exit code %s); replacing it", job.key, code)
        self.workers[self.workers.index(worker)] = _Worker(self.play, worker.core, worker.number)
        worker.conn.close()
        return Done(job.key, "failed", error=f"the judge's worker process died (exit code {code})")


def _serve(conn: Connection, play: PlayFn, core: int | None, parent: int) -> None:
    """A worker's life: play each job it is sent, answer with a Done, until told to stop."""
    if not _arm_signals(parent):
        return
    if core is not None:
        os.sched_setaffinity(0, {core})
    while not _STOP.asked:
        try:
            job = conn.recv()
        except EOFError:        # the runner is gone
            return
        if job is None or _STOP.asked:
            return
        done = _play(job, play)
        try:
            conn.send(done)
        except (BrokenPipeError, ConnectionResetError):
            return       # the runner is gone (killed); the match stays unfinished in its store


class _StopWhenAsked:
    """Ends the match at its next event once the runner has asked (see the module docstring)."""

    asked = False

    def on_event(self, event: Event) -> None:
        if self.asked and isinstance(event, MatchStarted | TurnPlayed):
            raise KeyboardInterrupt


_STOP = _StopWhenAsked()


def _play(job: Job, play: PlayFn) -> Done:
    observers: tuple[Observer, ...] = (_STOP,)
    try:
        return Done(job.key, "ok", play(job.spec, observers=observers))
    except KeyboardInterrupt:
        return Done(job.key, "interrupted", error="interrupted")
    except UserError as exc:
        return Done(job.key, "user_error", error=str(exc))
    except PhoenixError as exc:
        return Done(job.key, "failed", error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a judge bug must fail this match (retryable), not the whole tournament
        log.error("match %s: judge failure\n%s", job.key, traceback.format_exc())
        return Done(job.key, "failed", error=f"{type(exc).__name__}: {exc}")


def _arm_signals(parent: int) -> bool:
    """False when the runner is already gone (it died before PDEATHSIG was armed: nobody would send it)."""
    # Python-level handlers, not SIG_IGN: an ignored disposition would survive exec into the bots.
    signal.signal(signal.SIGINT, _ignore)
    signal.signal(signal.SIGTERM, _ask_to_stop)
    prctl.set_pdeathsig(signal.SIGTERM)
    return os.getppid() == parent


def _ignore(signum: int, frame: FrameType | None) -> None:
    """SIGINT: the runner decides what Ctrl-C means. (No logging here: a handler may interrupt logging.)"""


def _ask_to_stop(signum: int, frame: FrameType | None) -> None:
    _STOP.asked = True


def _send_quietly(conn: Connection, message: object) -> None:
    try:
        conn.send(message)
    except (BrokenPipeError, OSError) as exc:
        log.debug("worker pipe already closed: %s", exc)
