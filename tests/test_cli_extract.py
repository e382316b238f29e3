"""The `extract` command: files, JSON Lines, HTML turned into text, and what it says when input is bad."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from notifier.cli import main


@pytest.fixture
def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, list[dict[str, Any]]]]:
    def run(argv: list[str], stdin: str = "") -> tuple[int, list[dict[str, Any]]]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            code = main(["extract", *argv])
        except SystemExit as e:  # argparse's own usage errors
            code = int(e.code or 0)
        out = capsys.readouterr()
        sys.stderr.write(out.err)  # kept for the tests that read it
        return code, [json.loads(line) for line in out.out.splitlines()]

    return run


Run = Callable[..., tuple[int, list[dict[str, Any]]]]


def test_files_one_object_each_with_the_file_name_as_id(run: Run, tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text("About 300 people were evacuated.", encoding="utf-8")
    b = tmp_path / "b.html"
    b.write_text("<p>At least 12 people were killed.</p>", encoding="utf-8")
    code, docs = run([str(a), str(b)])
    assert code == 0
    assert [d["id"] for d in docs] == ["a.txt", "b.html"]
    assert docs[1]["figures"][0]["kind"] == "killed"  # type: ignore[index]


def test_jsonl_from_stdin_one_line_per_line(run: Run) -> None:
    lines = [
        {"id": "x", "text": "Some 1,500 people fled."},
        {"id": 7, "text": "Nothing here."},
    ]
    code, docs = run(["--jsonl", "-"], "\n".join(json.dumps(d) for d in lines) + "\n\n")
    assert code == 0
    assert [d["id"] for d in docs] == ["x", "7"]
    assert docs[0]["figures"][0]["value"] == 1500  # type: ignore[index]
    assert docs[1]["figures"] == []


def test_jsonl_from_a_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "d", "text": "20 people were injured."}) + "\n", "utf-8")
    code, docs = run(["--jsonl", str(path)])
    assert code == 0
    assert docs[0]["id"] == "d"


def test_bad_json_line_is_reported_and_the_rest_goes_on(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = '{"id": "ok", "text": "5 people died."}\nnot json\n{"id": "no-text"}\n'
    code, docs = run(["--jsonl", "-"], payload)
    assert code == 1
    assert [d["id"] for d in docs] == ["ok"]
    err = capsys.readouterr().err
    assert "stdin line 2" in err
    assert "stdin line 3" in err


def test_a_missing_file_is_bad_usage_and_the_others_go_on(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("3 people were killed.", encoding="utf-8")
    code, docs = run([str(tmp_path / "missing.txt"), str(good)])
    assert code == 2  # as the README says: bad usage
    assert [d["id"] for d in docs] == ["good.txt"]
    (line,) = capsys.readouterr().err.splitlines()
    assert "missing.txt: no such file" in line


def test_a_missing_file_alone_exits_2(run: Run, tmp_path: Path) -> None:
    code, docs = run([str(tmp_path / "missing.txt")])
    assert (code, docs) == (2, [])


def test_a_folder_is_bad_usage(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run([str(tmp_path)])
    assert code == 2
    assert "is a folder" in capsys.readouterr().err


def test_unreadable_file_is_a_partial_failure(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, docs = run([str(tmp_path / ("x" * 300))])  # the OS refuses the name (too long)
    assert (code, docs) == (1, [])
    assert "cannot read" in capsys.readouterr().err


def test_missing_jsonl_file(run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(["--jsonl", str(tmp_path / "nope.jsonl")])
    assert code == 2
    assert "nope.jsonl: no such file" in capsys.readouterr().err


RSS_FEED = """<?xml version="1.0" encoding="utf-8"?>
<!-- exported -->
<rss version="2.0"><channel><title>Wire</title>
<item><title>Floods</title><description>At least 12 people were killed.</description></item>
</channel></rss>
"""
ATOM_FEED = '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'


@pytest.mark.parametrize(("body", "kind"), [(RSS_FEED, "an RSS feed"), (ATOM_FEED, "an Atom feed")])
def test_a_feed_file_is_named_a_feed(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, kind: str
) -> None:
    feed = tmp_path / "wire.xml"
    feed.write_text(body, encoding="utf-8")
    code, docs = run([str(feed)])
    assert (code, docs) == (2, [])
    (line,) = capsys.readouterr().err.splitlines()
    assert f"wire.xml is {kind}, not a document" in line
    assert "[[feeds]]" in line


def test_html_is_not_mistaken_for_a_feed(run: Run, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text('<?xml version="1.0"?><html><p>12 people were killed.</p></html>', "utf-8")
    code, docs = run([str(page)])
    assert code == 0
    assert docs[0]["figures"]


@pytest.mark.parametrize("argv", [[], ["a.txt", "--jsonl", "-"], ["--bogus"]])
def test_bad_usage_exits_2(run: Run, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, docs = run(argv)
    assert code == 2
    assert docs == []
    assert "usage" in capsys.readouterr().err


def test_html_and_text_flags(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text("<b>40 people</b> were evacuated.", encoding="utf-8")
    _, forced_text = run(["--text", str(path)])
    _, forced_html = run(["--html", str(path)])
    assert forced_text[0]["figures"][0]["evidence"].startswith("<b>")  # type: ignore[index]
    assert forced_html[0]["figures"][0]["evidence"].startswith("40")  # type: ignore[index]


def test_html_input_offsets_refer_to_the_converted_text(run: Run, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><h1>Update</h1><p>At least <b>35 people</b> were killed.</p></body></html>",
        encoding="utf-8",
    )
    _, (doc,) = run([str(page)])
    (f,) = doc["figures"]
    assert f["evidence"] == "At least 35 people were killed."
    assert (f["start"], f["end"]) == (8, 39)  # in "Update\n\nAt least 35 people were killed."


def test_non_ascii_is_printed_as_is(run: Run) -> None:
    _, (doc,) = run(
        ["--jsonl", "-"], json.dumps({"id": "é", "text": "Some 1,500 people fled Côte d'Ivoire."})
    )
    assert doc["id"] == "é"


def test_python_dash_m_runs_the_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "notifier", "extract", "--jsonl", "-"],
        input=json.dumps({"id": "m", "text": "About 90 people died."}) + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout)["figures"][0]["value"] == 90
