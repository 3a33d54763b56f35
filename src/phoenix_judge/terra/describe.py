"""Short, safe descriptions of untrusted JSON values, for the reasons games give.

A bot's move may be a 1 MiB string or a 10**5000 integer (Python refuses to
print integers over 4300 digits); a reason must stay one readable line and
describing a value must never raise.
"""
from __future__ import annotations

import json
from typing import Any

_MAX_TEXT = 24          # characters of a string quoted in a reason
_MAX_DIGITS_BITS = 60   # integers above 2**60 are called huge instead of printed


def describe(value: Any) -> str:
    """`value` in JSON words, at most a few dozen characters: 'the string "abc"', 'a list of 3 items'."""
    match value:
        case None:
            return "null"
        case bool():
            return "true" if value else "false"
        case int():
            return str(value) if value.bit_length() <= _MAX_DIGITS_BITS else "a huge integer"
        case float():
            return repr(value) if abs(value) < 1e15 else "a huge number"
        case str():
            return _describe_text(value)
        case list() | tuple():
            return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
        case dict():
            return f"an object with {len(value)} key{'s' if len(value) != 1 else ''}"
    return f"a {type(value).__name__}"


def _describe_text(text: str) -> str:
    if len(text) <= _MAX_TEXT:
        return f"the string {json.dumps(text)}"
    return f"the string {json.dumps(text[:_MAX_TEXT])[:-1]}...\" ({len(text)} characters)"
