"""The per-match folder: arena/<match-id>/<seat>-<bot>/ holds each bot's code and its API.

The match-id folder is created exclusively, so two matches never share files;
it is removed once the records are committed, unless kept for inspection.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path

from .errors import ConfigError, JudgeError
from .match import BotSpec

log = logging.getLogger(__name__)

_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".git", ".venv")


class Arena:
    def __init__(self, root: Path, match_id: str) -> None:
        self.path = root / match_id
        try:
            root.mkdir(parents=True, exist_ok=True)
            self.path.mkdir()
        except FileExistsError as exc:
            raise JudgeError(f"arena folder {self.path} already exists: match ids must be unique") from exc
        except OSError as exc:
            raise JudgeError(f"cannot create arena folder {self.path}: {exc.strerror}") from exc

    def prepare(self, seat: int, bot: BotSpec, api_dir: Path) -> Path:
        """Copy the bot's code, then its API library, into the bot's own folder."""
        folder = self.path / f"{seat}-{bot.name}"
        shutil.copytree(bot.directory, folder, ignore=_IGNORED, symlinks=True)
        if bot.api is not None:
            api = api_dir / bot.api
            if not api.is_dir():
                raise ConfigError(f"bot {bot.name}: api", f"no bot library folder {api}",
                                  f"use one of: {', '.join(sorted(p.name for p in api_dir.iterdir() if p.is_dir())) or 'none found'}, or null")
            shutil.copytree(api, folder, ignore=_IGNORED, dirs_exist_ok=True)
        return folder

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=False, onerror=_log_removal_error)


def _log_removal_error(function: object, path: str, exc_info: object) -> None:
    log.warning("could not remove %s from the arena", path)


def code_hash(directory: Path) -> str:
    """SHA-256 over the bot's files (relative path and content), in a stable order."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", ".git", ".venv"))
        for name in sorted(files):
            path = Path(root, name)
            if name.endswith(".pyc"):
                continue
            digest.update(str(path.relative_to(directory)).encode() + b"\0")
            # A link is hashed as its target's name: the judge never reads through a bot's links.
            digest.update(os.readlink(path).encode() if path.is_symlink() else path.read_bytes())
    return digest.hexdigest()
