import subprocess
from pathlib import Path

from phoenix_judge.arena import code_hash


def test_code_hash_follows_content_and_ignores_caches(tmp_path: Path) -> None:
    (tmp_path / "bot.py").write_text("print(1)\n")
    first = code_hash(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "bot.cpython-311.pyc").write_bytes(b"\0")
    assert code_hash(tmp_path) == first
    (tmp_path / "bot.py").write_text("print(2)\n")
    assert code_hash(tmp_path) != first


def test_code_hash_survives_folders_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    deep = tmp_path / "bot"
    deep.mkdir()
    for _ in range(1200):                      # deeper than the interpreter's recursion limit
        deep = deep / "d"
        deep.mkdir()
    (deep / "leaf.txt").write_text("x")
    try:
        before = code_hash(tmp_path / "bot")
        (deep / "leaf.txt").write_text("y")
        assert code_hash(tmp_path / "bot") != before
    finally:   # pytest's own clean-up recurses: remove the tree with a tool that does not
        subprocess.run(["rm", "-rf", str(tmp_path / "bot")], check=True)
