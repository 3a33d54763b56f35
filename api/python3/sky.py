"""sky: the Phoenix bot library for Python 3 (protocol v1). Standard library only.

    import sky

    def move(observation, hello):
        return observation["legal"][0]

    sky.run(move, name="mybot")

`run` answers the engine's hello with ready, calls `move(observation, hello)`
for every state and sends what it returns as the move for that turn, and
returns when the match ends (the end message's result) or the engine closes
the input. While `run` is active, `print()` goes to stderr: stdout carries the
protocol, so a stray print cannot corrupt it. Use `sky.debug(...)` for your
debug log. If `move` raises, the traceback goes to stderr and the bot exits
with status 1. The protocol is specified in docs/sky.md.
"""
import json
import sys
import traceback

SKY_VERSION = 1

_encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
_decode = json.JSONDecoder().raw_decode       # the engine sends one compact object per line


def debug(*args):
    """Print to stderr (the bot's debug log), flushed at once."""
    print(*args, file=sys.stderr, flush=True)


def run(move, name, setup=None):
    """Play one match over stdin/stdout; return the end result (None if the input just closed).

    move(observation, hello) -> the move for the state's turn (any JSON value).
    setup(hello), if given, runs once before the bot says ready (counts against
    the start-up limit, not against any move).
    """
    original = sys.stdout
    sys.stdout = sys.stderr
    try:
        return _serve(original.buffer, move, name, setup)
    finally:
        sys.stdout = original


def _serve(output, move, name, setup):
    hello = None
    for line in sys.stdin.buffer:
        message = _decode(line.decode())[0]
        kind = message.get("type")
        if kind == "state":
            answer = _json(_play(move, message, hello), "move")
            output.write(b'{"type":"move","turn":%d,"move":%s}\n' % (message["turn"], answer))
            output.flush()
        elif kind == "hello":
            hello = _greet(output, message, name, setup)
        elif kind == "end":
            return message.get("result")
    return None


def _greet(output, hello, name, setup):
    if hello.get("sky") != SKY_VERSION:
        debug("sky: the engine speaks sky %r; this library speaks sky %d" % (hello.get("sky"), SKY_VERSION))
        sys.exit(2)
    if setup is not None:
        setup(hello)
    _send(output, {"type": "ready", "sky": SKY_VERSION, "name": name})
    return hello


def _play(move, state, hello):
    try:
        return move(state["observation"], hello)
    except Exception:
        traceback.print_exc()
        debug("sky: the move function failed at turn %d; the bot stops" % state["turn"])
        sys.exit(1)


def _send(output, message):
    output.write(_json(message, message["type"]) + b"\n")
    output.flush()


def _json(value, what):
    try:
        return _encode(value).encode()
    except (TypeError, ValueError) as exc:
        debug("sky: cannot send the %s as JSON: %s" % (what, exc))
        sys.exit(1)
