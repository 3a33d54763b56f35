"""The command line: `python src [run] CONFIG`, `check-game`, `check-sandbox`, `tournament`, `serve`.

Each subcommand lives next to the concept it serves, in a module with
`configure(parser)` and `run(args) -> int`; this file only dispatches.
User errors print one clear message and exit 2; judge failures exit 3.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from . import __version__
from .errors import EXIT_INTERRUPTED, EXIT_JUDGE_ERROR, PhoenixError, UserError

COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("phoenix_judge.run_command", "play one match from a game config (the default)"),
    "check-game": ("phoenix_judge.terra.command", "run the terra conformance check on a game"),
    "check-sandbox": ("phoenix_judge.jail.command", "show which sandbox layers this machine gives bots"),
    "tournament": ("phoenix_judge.tournament.command", "run a resumable, rated tournament"),
    "serve": ("phoenix_judge.coordinator.command", "serve a game to remote agents over TCP"),
}


def build_parser(selected: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the `selected` subcommand's module is imported (start-up stays fast)."""
    parser = argparse.ArgumentParser(
        prog="phoenix-judge",
        description="Phoenix: a sandboxed judge for bot-vs-bot games. "
        "With no subcommand, plays the match described by ./game_config.json.",
    )
    parser.add_argument("--version", action="version", version=f"phoenix-judge {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: every message)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=summary, description=summary)
        if name == selected:
            importlib.import_module(module_name).configure(sub)
        sub.set_defaults(module=module_name)
    return parser


def with_default_command(argv: list[str]) -> list[str]:
    """`python src [-v] [CONFIG] [run options]` means `run`: insert it after the top-level flags."""
    for index, arg in enumerate(argv):
        if arg in ("-v", "-vv", "-vvv", "--verbose"):
            continue
        if arg in COMMANDS or arg in ("-h", "--help", "--version"):
            return argv
        return [*argv[:index], "run", *argv[index:]]
    return [*argv, "run"]


def main(argv: list[str] | None = None) -> int:
    argv = with_default_command(sys.argv[1:] if argv is None else argv)
    args = build_parser(next((arg for arg in argv if arg in COMMANDS), None)).parse_args(argv)
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)],
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return importlib.import_module(args.module).run(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except PhoenixError as exc:
        print(f"judge error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug in Phoenix or in a third-party game: the judge failed, no bot is blamed
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        print(f"judge error: {type(exc).__name__}: {exc} (a bug in the judge or the game; -v shows the traceback)",
              file=sys.stderr)
        return EXIT_JUDGE_ERROR
