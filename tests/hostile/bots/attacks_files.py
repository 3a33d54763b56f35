"""Attacks through the file system: secrets, other folders, the environment, /proc, symlinks."""
from __future__ import annotations

import os

from hostile_lib import Attack, Context, describe, other_bot_folder, read_file, try_list, try_read

CANARY_VARIABLE = "PHOENIX_SECRET_CANARY"
KNOWN_ENV = {"PATH", "HOME", "LANG", "PYTHONDONTWRITEBYTECODE"}
OUTSIDE_DIRS = ("/", "/tmp", "/var/tmp", "/dev/shm", "/root", "/etc", "/usr")
PROC_SCAN_LIMIT = 4096
FD_SCAN = 4096
TREE_DEPTH = 3000             # deeper than any recursive walk of the judge can follow (3.11: ~1000)


def read_etc_shadow(ctx: Context) -> bool:
    try_read(ctx, "shadow", "/etc/shadow")
    try_read(ctx, "shadow-via-root", "/../../etc/shadow")
    return False


def read_judge_source(ctx: Context) -> bool:
    """Read the judge's files (their paths are given: an attacker could guess them)."""
    for path in ctx.args.secret_file:
        try_read(ctx, "judge-file", path)
        # Listing is only information: the jail may rebuild the folders on the way to the arena.
        try_list(ctx, "judge-folder", os.path.dirname(path))
    return False


def read_other_bot(ctx: Context) -> bool:
    here = os.path.basename(os.getcwd())
    names = try_list(ctx, "match-folder", "..")
    if names is not None and set(names) - {here}:
        ctx.escaped("match-folder", f"sees {sorted(set(names) - {here})} next to its own folder")
    other = other_bot_folder(ctx)
    try_list(ctx, "other-folder", other)
    try_read(ctx, "other-code", os.path.join(other, "bot.py"))
    return False


def write_outside_arena(ctx: Context) -> bool:
    """Create a file named by the token everywhere; the test checks none reached the judge's disk."""
    own = os.getcwd()
    for folder in (*OUTSIDE_DIRS, os.path.dirname(own), other_bot_folder(ctx), *ctx.args.write_dir):
        path = os.path.join(folder, f"hostile-{ctx.args.token}")
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except OSError as exc:
            ctx.report(f"write {folder}", "blocked", describe(exc))
            continue
        os.write(descriptor, ctx.args.token.encode())
        os.close(descriptor)
        # The private scratch /tmp is writable by design; the test decides from the judge's side.
        outcome = "escaped" if folder in ctx.args.write_dir or folder.startswith(os.path.dirname(own)) else "info"
        ctx.report(f"write {folder}", outcome, f"created {path}")
    return False


def dump_env(ctx: Context) -> bool:
    ctx.report("environment", "info", dict(os.environ))
    extra = set(os.environ) - KNOWN_ENV
    if CANARY_VARIABLE in os.environ:
        ctx.escaped("canary", "the judge's secret variable is in the environment")
        ctx.leak("environment", os.environ[CANARY_VARIABLE].encode())
    else:
        ctx.report("canary", "blocked", f"not in the environment (extra variables: {sorted(extra)})")
    # The same, as the kernel keeps it (its own environment: only the canary would be a leak).
    kept = ctx.attempt("self-environ", lambda: read_file("/proc/self/environ"))
    if kept is not None and CANARY_VARIABLE.encode() in kept:
        ctx.escaped("self-environ", "the judge's secret variable is in /proc/self/environ")
        ctx.leak("/proc/self/environ", kept)
    return False


def proc_snoop(ctx: Context) -> bool:
    """Walk /proc for other processes' command lines and environments."""
    pids = try_list(ctx, "proc", "/proc")
    if pids is None:
        return False
    own = str(os.getpid())
    numeric = [pid for pid in pids if pid.isdigit()][:PROC_SCAN_LIMIT]
    ctx.report("proc-count", "info", f"{len(numeric)} processes visible")
    for pid in numeric:
        if pid != own:
            snoop_process(ctx, pid)
    try_read(ctx, "init-root", "/proc/1/root/etc/shadow")
    return False


def snoop_process(ctx: Context, pid: str) -> None:
    for name in ("cmdline", "environ"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as handle:
                data = handle.read(65536)
        except OSError:
            continue
        if CANARY_VARIABLE.encode() in data or b"pytest" in data:
            ctx.escaped(f"proc {pid} {name}", "sees the judge")
            ctx.leak(f"/proc/{pid}/{name}", data)


def inherited_fds(ctx: Context) -> bool:
    """Any fd beyond the three pipes came from the judge (a listener, a log, another bot's pipe)."""
    found = []
    for fd in range(3, FD_SCAN):
        try:
            info = os.fstat(fd)
        except OSError:
            continue
        found.append(f"fd {fd}: mode {info.st_mode:o}, inode {info.st_ino}")
    if found:
        ctx.escaped("fds", f"inherited {found}")
    else:
        ctx.report("fds", "blocked", f"no fd open beyond 0, 1, 2 (checked up to {FD_SCAN})")
    return False


def deep_directory_tree(ctx: Context) -> bool:
    """A chain of TREE_DEPTH folders in its own folder: the judge has to walk and remove it."""
    home = os.getcwd()
    depth = 0
    try:
        while depth < TREE_DEPTH:
            os.mkdir("d")
            os.chdir("d")
            depth += 1
    except OSError as exc:
        ctx.report("deep-tree", "blocked", f"{describe(exc)} at depth {depth}")
    finally:
        os.chdir(home)
    ctx.report("deep-tree", "info", f"{depth} folders deep")
    return False


def arena_trap(ctx: Context) -> bool:
    """Leave its folder hard to clean up: a FIFO, a folder and a file nobody may read, its own
    folder read-only."""
    ctx.attempt("mkfifo", lambda: os.mkfifo("fifo") or True)

    def trap() -> bool:
        os.makedirs("trap/inner", exist_ok=True)
        with open("trap/inner/locked", "w") as handle:
            handle.write("locked")
        os.chmod("trap/inner/locked", 0)
        os.chmod("trap/inner", 0)
        os.chmod("trap", 0)
        os.chmod(".", 0o500)
        return True
    if ctx.attempt("trap", trap):
        ctx.report("trap", "info", "folders and files with mode 0, its own folder read-only")
    return False


def symlink_tricks(ctx: Context) -> bool:
    """Reach judge-side files through links made in (or planted in) the bot's own folder."""
    targets = {"link-shadow": "/etc/shadow", "link-other": other_bot_folder(ctx),
               **{f"link-secret-{n}": p for n, p in enumerate(ctx.args.secret_file)}}
    for link, target in targets.items():
        if ctx.attempt(f"symlink {link}", lambda: os.symlink(target, link) or True):
            follow(ctx, link)
    for name in sorted(os.listdir(".")):
        if name.startswith("planted-"):
            follow(ctx, name)
    for number, path in enumerate(ctx.args.secret_file):
        if ctx.attempt(f"hardlink {path}", lambda: os.link(path, f"hard-{number}") or True):
            ctx.escaped(f"hardlink {path}", "linked a judge-side file into its folder")
            try_read(ctx, f"hardlink {path}", f"hard-{number}")
    return False


def follow(ctx: Context, link: str) -> None:
    if os.path.isdir(link):
        names = try_list(ctx, f"follow {link}", link)
        if names:
            ctx.escaped(f"follow {link}", f"lists {os.readlink(link)}: {names[:20]}")
    else:
        try_read(ctx, f"follow {link}", link)


ATTACKS: dict[str, Attack] = {
    "read-etc-shadow": read_etc_shadow, "read-judge-source": read_judge_source, "read-other-bot": read_other_bot,
    "write-outside-arena": write_outside_arena, "dump-env": dump_env, "proc-snoop": proc_snoop,
    "symlink-tricks": symlink_tricks, "inherited-fds": inherited_fds, "deep-directory-tree": deep_directory_tree,
    "arena-trap": arena_trap,
}
