"""The hostile behaviours and what the jail must make of each.

One row per attack: the hostile bot's --do name, the verdicts that mean the jail
stopped it (for the seccomp kills, words of which one must name the system call in
the reason), and whether stopping it needs the layers only a root judge has
(cgroups, per-slot uid; an ordinary user gets namespaces and the minimal root through
a user namespace, see docs/sandbox.md "Unprivileged mode"). An attack the jail merely refuses (an errno)
leaves the bot playing on with verdict ok; the bot must then report at least one
refused step (`evidence`), unless the proof is on the judge's side only.
`why` is what stops it in the jail's design (docs/sandbox.md).
"""
from __future__ import annotations

from dataclasses import dataclass

from phoenix_judge.outcome import Verdict

V = Verdict


@dataclass(frozen=True, slots=True)
class Behaviour:
    name: str
    verdicts: frozenset[Verdict]
    why: str
    words: tuple[str, ...] = ()          # one must appear in the verdict's reason (lower case)
    runtime: str = "python3"             # "python3": tests/hostile/bots/hostile.py; "native": hostile.c
    root: bool = False                   # only the root-only layers stop it
    evidence: bool = True                # with verdict ok, the bot must report a refused step
    args: tuple[str, ...] = ()           # extra arguments for the bot (e.g. --at -1: attack before ready)

    @property
    def id(self) -> str:
        return f"c-{self.name}" if self.runtime == "native" else self.name


def row(name: str, verdicts: Verdict | tuple[Verdict, ...], why: str, **more: object) -> Behaviour:
    wanted = frozenset(verdicts if isinstance(verdicts, tuple) else (verdicts,))
    return Behaviour(name, wanted, why, **more)  # type: ignore[arg-type]


def killed(name: str, *calls: str, runtime: str = "python3", args: tuple[str, ...] = ()) -> Behaviour:
    """A call in seccomp's hostile set: the bot is killed and the verdict names the call."""
    return Behaviour(name, frozenset({V.SECURITY_VIOLATION}), f"seccomp kills {'/'.join(calls)}",
                     words=calls, runtime=runtime, args=args)


SPIN = (V.TIMEOUT, V.CPU_TIMEOUT)
BEFORE_READY = ("--at", "-1")      # attacks that need longer than one move: run them under startup_s

BEHAVIOURS: tuple[Behaviour, ...] = (
    # processes and privileges
    killed("fork-bomb", "clone", "fork"),
    killed("double-fork-daemon", "clone", "fork"),
    killed("exec-sh", "execve"),
    killed("setuid-root", "setuid"),
    killed("kill-parent", "kill"),
    killed("kill-all", "kill"),
    killed("kill-other-bot", "kill"),
    killed("ptrace-other-bot", "ptrace"),
    killed("io-uring", "io_uring_setup"),
    killed("user-namespace", "unshare"),
    # resources
    row("thread-bomb", V.OK, "pids cgroup / RLIMIT_NPROC of the per-slot uid cap threads", root=True),
    row("memory-bomb", V.MEMORY_LIMIT, "memory cgroup OOM kill", words=("memory",), root=True),
    row("cpu-spin", SPIN, "per-move wall clock, RLIMIT_CPU"),
    row("cpu-burn-threads", V.CPU_TIMEOUT, "RLIMIT_CPU counts every thread; the match's CPU total", words=("cpu",),
        args=BEFORE_READY),
    row("sleep-forever", V.TIMEOUT, "per-move wall clock"),
    row("ignore-signals-spin", SPIN, "SIGKILL of the whole tree"),
    row("stderr-flood", V.OK, "the debug log keeps debug_bytes, counts the rest", evidence=False),
    row("huge-file", V.OUTPUT_LIMIT, "RLIMIT_FSIZE (EFBIG)", words=("file",)),
    row("fill-scratch", V.OK, "private size-limited tmpfs /tmp (ENOSPC)"),
    row("too-many-fds", V.OK, "RLIMIT_NOFILE"),
    row("raise-rlimits", V.OK, "hard limits cannot be raised without CAP_SYS_RESOURCE"),
    row("prlimit-judge", V.OK, "seccomp allows prlimit64 on its own pid only; pid namespace"),
    row("fill-arena", V.OK, "a size-bounded writable bot folder (the arena is on the judge's disk)",
        args=BEFORE_READY),
    killed("denied-syscall-storm", "denied", args=BEFORE_READY),
    # the protocol
    row("stdout-flood", (V.TIMEOUT, V.OUTPUT_LIMIT), "stale moves are discarded; the turn's move never comes"),
    row("stale-flood", (V.OK, V.OUTPUT_LIMIT, V.PROTOCOL_ERROR),
        "stale moves are discarded and counted, not each written to the move log", evidence=False),
    row("endless-line", V.OUTPUT_LIMIT, "line_bytes", words=("line",)),
    row("close-stdout-early", (V.CRASH, V.DISCONNECTED), "EOF on stdout ends the seat; the tree is killed"),
    row("close-stdin-early", (V.CRASH, V.DISCONNECTED), "a write to a closed input ends the seat (EPIPE)"),
    row("huge-number", (V.PROTOCOL_ERROR, V.ILLEGAL_MOVE), "int digit limit in the JSON decoder"),
    row("malformed-json", V.PROTOCOL_ERROR, "sky framing", words=("json",)),
    row("non-utf8-json", V.PROTOCOL_ERROR, "sky framing", words=("utf-8",)),
    row("deep-json", V.PROTOCOL_ERROR, "sky nesting limit", words=("nest", "deep", "depth")),
    # files, environment, /proc
    row("read-etc-shadow", V.OK, "minimal root (no /etc); per-slot uid"),
    row("read-judge-source", V.OK, "minimal root: only the interpreter, the arena, /tmp, /dev"),
    row("read-other-bot", V.OK, "minimal root: only the bot's own arena folder"),
    row("write-outside-arena", V.OK, "read-only root, private /tmp"),
    row("dump-env", V.OK, "clean environment"),
    row("proc-snoop", V.OK, "pid namespace, no host /proc in the minimal root"),
    row("symlink-tricks", V.OK, "links resolve inside the minimal root; the judge never follows them"),
    row("deep-directory-tree", V.OK, "the judge walks and removes the arena without recursion limits",
        evidence=False),
    row("arena-trap", V.OK, "the judge removes the arena whatever the modes in it", evidence=False),
    # talking to the judge or the host
    row("tcp-connect", V.OK, "seccomp denies socket (EPERM); empty network namespace"),
    row("listen-socket", V.OK, "seccomp denies socket; a listener would be in its own network namespace",
        evidence=False),
    row("unix-socket-path", V.OK, "seccomp denies socket; the path is not in the minimal root"),
    row("unix-socket-abstract", V.OK, "seccomp denies socket; abstract names are per network namespace"),
    row("sysv-shm", V.OK, "seccomp denies shmget; own IPC namespace"),
    row("inherited-fds", V.OK, "every fd but the three pipes is closed before exec"),
    # only from C
    killed("int80-fork", "i386", "non-native", runtime="native"),
    killed("x32-fork", "x32", "non-native", runtime="native"),
    row("raw-socket", V.OK, "seccomp denies socket; no CAP_NET_RAW", runtime="native"),
    killed("clone-newuser", "clone", "unshare", runtime="native"),
    killed("fork-bomb", "clone", "fork", runtime="native"),
    row("memory-bomb", V.MEMORY_LIMIT, "memory cgroup OOM kill", words=("memory",), runtime="native", root=True),
    row("spin-ignore-signals", SPIN, "SIGKILL of the whole tree", runtime="native"),
    killed("vfork", "vfork", runtime="native"),
    row("clone3", V.OK, "seccomp answers clone3 with ENOSYS (its flags are out of a filter's reach)",
        runtime="native"),
)
