"""LineReader and encode, on real os.pipe() pairs written by the test itself."""
from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator

import pytest

from phoenix_judge.errors import JudgeError
from phoenix_judge.sky.framing import CHUNK, LineReader, LineTooLong, TruncatedLine, encode


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    ends = [read_end, write_end]
    yield read_end, write_end
    for fd in ends:
        try:
            os.close(fd)
        except OSError:
            pass              # the test closed it already (EOF tests)


def test_a_line_split_across_reads_is_reassembled(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end, 100)
    os.write(write_end, b'{"type":"mo')
    assert reader.read_available() == []
    os.write(write_end, b've","turn"')
    assert reader.read_available() == []
    os.write(write_end, b':3}\n')
    assert reader.read_available() == [b'{"type":"move","turn":3}']


def test_many_lines_in_one_read_come_out_in_order(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end, 100)
    os.write(write_end, b"one\ntwo\n\nthree\nfou")
    assert reader.read_available() == [b"one", b"two", b"", b"three"]
    os.write(write_end, b"r\n")
    assert reader.read_available() == [b"four"]


def test_an_empty_pipe_returns_nothing_without_blocking(pipe: tuple[int, int]) -> None:
    reader = LineReader(pipe[0], 100)
    assert reader.read_available() == []
    assert not reader.eof


def test_a_line_of_exactly_the_limit_is_accepted(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    os.write(write_end, b"x" * 10 + b"\n")
    assert LineReader(read_end, 10).read_available() == [b"x" * 10]


def test_a_complete_line_over_the_limit_is_refused(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    os.write(write_end, b"y" * 11 + b"\n")
    with pytest.raises(LineTooLong) as caught:
        LineReader(read_end, 10).read_available()
    assert caught.value.size == 11 and caught.value.limit == 10
    assert caught.value.prefix == b"y" * 11


def test_an_unterminated_line_is_refused_once_it_passes_the_limit(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end, 10)
    os.write(write_end, b"z" * 10)
    assert reader.read_available() == []            # 10 bytes: may still end with a newline
    os.write(write_end, b"z")
    with pytest.raises(LineTooLong, match="over 10 bytes"):
        reader.read_available()


def test_lines_before_an_over_long_one_come_first_then_it_keeps_failing(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end, 10)
    os.write(write_end, b"ok\n" + b"w" * 50)
    assert reader.read_available() == [b"ok"]
    assert reader.failed
    for _ in range(2):
        with pytest.raises(LineTooLong):
            reader.read_available()


def test_a_writer_without_newline_is_stopped_near_the_limit(pipe: tuple[int, int]) -> None:
    """Memory stays bounded: the reader stops reading once the limit is passed."""
    read_end, write_end = pipe
    limit, total = 3 * CHUNK, 64 * CHUNK
    writer = threading.Thread(target=_write_all, args=(write_end, b"a" * total))
    writer.start()
    reader = LineReader(read_end, limit)
    with pytest.raises(LineTooLong) as caught:
        while True:
            reader.read_available()
    assert limit < caught.value.size <= limit + CHUNK
    assert len(caught.value.prefix) < 1000
    os.close(read_end)                  # unblocks the writer with EPIPE
    writer.join()


def _write_all(fd: int, data: bytes) -> None:
    try:
        os.write(fd, data)
    except BrokenPipeError:
        pass                            # expected: the reader gave up on the line and closed


def test_clean_end_of_stream_sets_eof(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end, 100)
    os.write(write_end, b"last\n")
    os.close(write_end)
    assert reader.read_available() == [b"last"]   # a short read: the end shows on the next call
    assert reader.read_available() == []
    assert reader.eof
    assert reader.read_available() == []


def test_end_of_stream_in_the_middle_of_a_line_raises_after_the_complete_lines(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    reader = LineReader(read_end, 100)
    os.write(write_end, b"whole\nhal")
    os.close(write_end)
    assert reader.read_available() == [b"whole"]
    with pytest.raises(TruncatedLine) as caught:
        reader.read_available()
    assert caught.value.size == 3 and caught.value.prefix == b"hal"
    assert reader.eof


def test_encode_is_compact_json_with_a_newline() -> None:
    data = encode({"type": "state", "turn": 7, "observation": {"board": [[-1, 0]], "name": "é"}})
    assert data == b'{"type":"state","turn":7,"observation":{"board":[[-1,0]],"name":"\\u00e9"}}\n'
    assert json.loads(data) == {"type": "state", "turn": 7, "observation": {"board": [[-1, 0]], "name": "é"}}
    assert data.count(b"\n") == 1


@pytest.mark.parametrize("bad", [float("nan"), {1, 2}, object()])
def test_encoding_a_value_that_is_not_json_is_a_judge_error(bad: object) -> None:
    with pytest.raises(JudgeError, match="cannot encode a sky 'state' message"):
        encode({"type": "state", "observation": bad})
