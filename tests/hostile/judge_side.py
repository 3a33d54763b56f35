"""The judge's side of a hostile match: bait the bot can aim at, and the evidence it missed.

`JudgeSide` plants secrets (a canary variable in the judge's environment, a canary
file, a SysV segment), opens listeners the bot may try to reach (TCP on 127.0.0.1,
a unix socket path, an abstract unix socket), traps SIGUSR2 (the signal the
hostile bot sends the judge instead of SIGKILL), and probes from outside the
port the bot is told to listen on. Afterwards it says what, if anything, the bot
reached. Everything is cleaned up in `close()`, even when a jail failed.
"""
from __future__ import annotations

import ctypes
import os
import secrets
import signal
import socket
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from phoenix_judge.gameloop.events import Event, TurnPlayed

IPC_CREAT, IPC_EXCL, IPC_RMID = 0o1000, 0o2000, 0
SHM_BYTES = 4096
PROBE_TIMEOUT_S = 0.1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listener(family: int, address: Any) -> socket.socket:
    """A listening socket; a connection attempt stays in its backlog, so `reached` sees it later."""
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind(address)
    server.listen(16)
    server.setblocking(False)
    return server


def reached(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


class SysV:
    """SysV shared memory through libc: the judge's segment holds a canary."""

    def __init__(self) -> None:
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.shmat.restype = ctypes.c_void_p
        self.libc.shmat.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
        self.libc.shmdt.argtypes = (ctypes.c_void_p,)
        self.libc.shmctl.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_void_p)

    def create(self, key: int, data: bytes) -> int:
        shmid = self.libc.shmget(key, SHM_BYTES, IPC_CREAT | IPC_EXCL | 0o600)
        if shmid < 0:
            raise OSError(ctypes.get_errno(), f"shmget({key:#x})")
        address = self.libc.shmat(shmid, None, 0)
        ctypes.memmove(address, data, len(data))
        self.libc.shmdt(address)
        return shmid

    def remove_key(self, key: int) -> None:
        for shmid in host_segments().get(key, []):
            self.libc.shmctl(shmid, IPC_RMID, None)


def host_segments() -> dict[int, list[int]]:
    """key -> shmids of the SysV segments the host's IPC namespace holds."""
    found: dict[int, list[int]] = {}
    for row in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]:
        key, shmid = (int(word) for word in row.split()[:2])
        found.setdefault(key, []).append(shmid)
    return found


@dataclass
class ListenProbe:
    """A match observer: after every turn, tries to connect to the port the bot listens on."""

    port: int
    connected: int = 0

    def on_event(self, event: Event) -> None:
        if not isinstance(event, TurnPlayed):
            return
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=PROBE_TIMEOUT_S):
                self.connected += 1
        except OSError:
            pass


@dataclass
class JudgeSide:
    """Bait and evidence for one hostile match in `folder` (the test's tmp_path)."""

    folder: Path
    token: str = field(default_factory=lambda: "hx" + secrets.token_hex(6))
    env_canary: str = field(default_factory=lambda: "CANARY-ENV-" + secrets.token_hex(8))
    file_canary: str = field(default_factory=lambda: "CANARY-FILE-" + secrets.token_hex(8))
    shm_canary: str = field(default_factory=lambda: "CANARY-SHM-" + secrets.token_hex(8))
    shm_key: int = field(default_factory=lambda: 0x5000_0000 + secrets.randbelow(0x0FFF_FFFE))
    signals: int = 0

    def open(self) -> None:
        self.secret_file = self.folder / "judge-secret.txt"
        self.secret_file.write_text(self.file_canary + "\n")
        self.victim = self.folder / "victim.txt"
        self.victim.write_text("the judge's own file; no bot may change it\n")
        self.tcp = listener(socket.AF_INET, ("127.0.0.1", 0))
        self.unix_path = self.folder / "judge.sock"
        self.unix = listener(socket.AF_UNIX, str(self.unix_path))
        self.abstract_name = f"phoenix-judge-{self.token}"
        self.abstract = listener(socket.AF_UNIX, "\0" + self.abstract_name)
        self.probe = ListenProbe(free_port())
        self.sysv = SysV()
        self.sysv.create(self.shm_key, self.shm_canary.encode())
        self._old_handler = signal.signal(signal.SIGUSR2, self._count_signal)

    def _count_signal(self, number: int, frame: FrameType | None) -> None:
        self.signals += 1

    def close(self) -> None:
        signal.signal(signal.SIGUSR2, self._old_handler)
        for server in (self.tcp, self.unix, self.abstract):
            server.close()
        self.sysv.remove_key(self.shm_key)
        self.sysv.remove_key(self.shm_key + 1)

    def bot_options(self) -> list[str]:
        """What the hostile Python bot is told: where the bait is (never the secrets themselves)."""
        from phoenix_judge import match
        return ["--token", self.token, "--judge-pid", str(os.getpid()),
                "--port", str(self.tcp.getsockname()[1]), "--listen-port", str(self.probe.port),
                "--unix-path", str(self.unix_path), "--abstract", self.abstract_name,
                "--secret-file", str(self.secret_file), "--secret-file", match.__file__,
                "--write-dir", str(self.folder), "--write-dir", str(self.folder / "out"),
                "--shm-key", str(self.shm_key)]

    def reached_by_bot(self) -> list[str]:
        """Every way the bot got through to the judge's side."""
        found = [name for name, server in (("TCP listener", self.tcp), ("unix socket", self.unix),
                                          ("abstract unix socket", self.abstract)) if reached(server)]
        if self.probe.connected:
            found.append(f"the judge connected {self.probe.connected} times to the port the bot listens on")
        if self.signals:
            found.append(f"the judge received SIGUSR2 {self.signals} times")
        if self.shm_key + 1 in host_segments():
            found.append("the bot's SysV segment is in the host's IPC namespace")
        return found
