import pytest

from phoenix_judge.cli import with_default_command


@pytest.mark.parametrize(("argv", "expected"), [
    ([], ["run"]),
    (["my.json"], ["run", "my.json"]),
    (["-v", "my.json", "--keep-arena"], ["-v", "run", "my.json", "--keep-arena"]),
    (["--keep-arena"], ["run", "--keep-arena"]),
    (["check-game", "connect4"], ["check-game", "connect4"]),
    (["--help"], ["--help"]),
])
def test_run_is_the_default_command(argv: list[str], expected: list[str]) -> None:
    assert with_default_command(argv) == expected
