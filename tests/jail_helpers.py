"""Shared helpers for the jail tests: a bot folder with the probe in it, reading a bot's output."""
from __future__ import annotations

import json
import os
import select
import shutil
from pathlib import Path
from typing import Any

from phoenix_judge.jail import BotProcess

PROBE = Path(__file__).parent / "jail_bots" / "probe.py"


def probe_folder(base: Path, name: str = "bot") -> Path:
    folder = base / name
    folder.mkdir(parents=True)
    shutil.copy(PROBE, folder / "probe.py")
    return folder


def read_all(fd: int, timeout: float = 20.0) -> bytes:
    """Everything on `fd` until EOF (the bot closed it or exited)."""
    chunks = []
    while select.select([fd], [], [], timeout)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def read_line(fd: int, timeout: float = 20.0) -> dict[str, Any]:
    buffer = b""
    while b"\n" not in buffer and select.select([fd], [], [], timeout)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buffer += chunk
    return json.loads(buffer.split(b"\n", 1)[0])


def finish(bot: BotProcess) -> tuple[bytes, bytes]:
    """Close the bot's stdin, read its output to EOF, wait for it, return (stdout, stderr)."""
    os.close(bot.stdin)
    out, err = read_all(bot.stdout), read_all(bot.stderr)
    bot.wait(20)
    bot.kill()
    os.close(bot.stdout)
    os.close(bot.stderr)
    return out, err


def compile_c(source: str, folder: Path, name: str = "bot", static: bool = False) -> Path:
    """Compile a C bot into `folder` with gcc (at test time); returns the binary."""
    import subprocess
    src = folder / f"{name}.c"
    src.write_text(source)
    binary = folder / name
    flags = ["-static"] if static else []
    subprocess.run(["gcc", "-O1", "-pthread", *flags, "-o", str(binary), str(src)], check=True,
                   capture_output=True, text=True)
    return binary


def static_libc_available() -> bool:
    return any(Path(d, "libc.a").exists() for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"))
