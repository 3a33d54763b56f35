from pathlib import Path

from phoenix_judge.records.files import RecordFile


def test_commit_links_to_the_final_name_and_removes_the_partial(tmp_path: Path) -> None:
    record = RecordFile(tmp_path / "m1.json")
    record.write_json_line({"a": 1})
    committed = record.commit()
    assert committed == tmp_path / "m1.json"
    assert committed.read_text() == '{"a":1}\n'
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())


def test_an_existing_record_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "m1.json").write_text("first")
    record = RecordFile(tmp_path / "m1.json")
    record.stream.write("second")
    committed = record.commit()
    assert (tmp_path / "m1.json").read_text() == "first"
    assert committed == tmp_path / "m1.1.json" and committed.read_text() == "second"
