"""The per-match folder: arena/<match-id>/<seat>-<bot>/ holds each bot's code and its API.

The match-id folder is created exclusively, so two matches never share files;
it is removed once the records are committed, unless kept for inspection.

A bot may write in its own folder, which lies on the judge's disk: as root, each
bot folder is a tmpfs of `Limits.disk_bytes` (and a bounded inode count), so a bot
that writes file after file gets ENOSPC instead of filling the judge's disk.
Without root the folder is a plain directory (docs/sandbox.md, "limits").
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
from pathlib import Path

from .errors import ConfigError, JudgeError
from .jail import libc
from .jail.files import entries
from .match import BotSpec

log = logging.getLogger(__name__)

_SKIPPED_PARTS = {"__pycache__", ".git", ".venv"}
_IGNORED = shutil.ignore_patterns(*_SKIPPED_PARTS, "*.pyc")
_BYTES_PER_INODE = 16 * 1024     # a bot folder of 64 MiB holds at most 4096 files and folders
_MIN_INODES = 1024


class Arena:
    def __init__(self, root: Path, match_id: str) -> None:
        self.path = root / match_id
        self.mounts: list[Path] = []
        try:
            root.mkdir(parents=True, exist_ok=True)
            self.path.mkdir()
        except FileExistsError as exc:
            raise JudgeError(f"arena folder {self.path} already exists: match ids must be unique") from exc
        except OSError as exc:
            raise JudgeError(f"cannot create arena folder {self.path}: {exc.strerror}") from exc

    def prepare(self, seat: int, bot: BotSpec, api_dir: Path, disk_bytes: int) -> Path:
        """Copy the bot's code, then its API library, into the bot's own (size-bounded) folder."""
        folder = self.path / f"{seat}-{bot.name}"
        folder.mkdir()
        if os.geteuid() == 0:
            self._bound(folder, disk_bytes)
        shutil.copytree(bot.directory, folder, ignore=_IGNORED, symlinks=True, dirs_exist_ok=True)
        if bot.api is not None:
            api = api_dir / bot.api
            if not api.is_dir():
                raise ConfigError(f"bot {bot.name}: api", f"no bot library folder {api}",
                                  f"use one of: {', '.join(sorted(p.name for p in api_dir.iterdir() if p.is_dir())) or 'none found'}, or null")
            shutil.copytree(api, folder, ignore=_IGNORED, dirs_exist_ok=True)
        return folder

    def _bound(self, folder: Path, disk_bytes: int) -> None:
        inodes = max(_MIN_INODES, disk_bytes // _BYTES_PER_INODE)
        try:
            libc.mount("tmpfs", str(folder), "tmpfs", libc.MS_NOSUID | libc.MS_NODEV,
                       f"size={disk_bytes},nr_inodes={inodes},mode=0755")
        except OSError as exc:
            raise JudgeError(f"cannot mount the size-limited bot folder {folder}: {exc}") from exc
        self.mounts.append(folder)

    def keep(self) -> None:
        """Leave the arena for inspection: each bot folder's files move from its tmpfs to the disk."""
        for folder in self.mounts:
            kept = folder.with_name(folder.name + ".kept")
            shutil.copytree(folder, kept, symlinks=True)
            libc.umount2(str(folder), libc.MNT_DETACH)
            folder.rmdir()
            kept.rename(folder)
        self.mounts.clear()

    def remove(self) -> None:
        """Unmount the bot folders (which drops their files at once), then delete the rest."""
        for folder in self.mounts:
            try:
                libc.umount2(str(folder), libc.MNT_DETACH)
            except OSError as exc:
                log.warning("could not unmount bot folder %s: %s", folder, exc)
        self.mounts.clear()
        try:
            shutil.rmtree(self.path)
        except RecursionError:
            # shutil.rmtree recurses once per level (3.11); a bot can nest deeper than the stack.
            subprocess.run(["rm", "-rf", "--one-file-system", "--", str(self.path)], check=False)
        except OSError as exc:
            log.warning("could not remove the arena folder %s: %s", self.path, exc)


def code_hash(directory: Path) -> str:
    """SHA-256 over the bot's files (relative path and content), in a stable order.

    Walks with jail.files.entries: iterative and bounded, so a folder nested deeper than
    Python's recursion limit cannot crash the judge (os.walk recurses in 3.11).
    """
    files = sorted((os.path.relpath(entry.path, directory), entry) for entry in entries(str(directory))
                   if not entry.is_dir(follow_symlinks=False))
    digest = hashlib.sha256()
    for relative, entry in files:
        if _SKIPPED_PARTS.intersection(Path(relative).parts) or relative.endswith(".pyc"):
            continue
        digest.update(relative.encode() + b"\0")
        # A link is hashed as its target's name: the judge never reads through a bot's links.
        digest.update(os.readlink(entry.path).encode() if entry.is_symlink() else Path(entry.path).read_bytes())
    return digest.hexdigest()
