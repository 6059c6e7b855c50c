"""The message journal: what a killed process acknowledged and had not let go of is found by the
next process on the same directory, once; a live process's files are left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.journal import Journal
from tests.paths import ROOT

WRITER = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    from adapters.slack.journal import Journal

    journal = Journal(Path(sys.argv[1]), rotate_seconds=float(sys.argv[2]))
    journal.open()
    for n in range(int(sys.argv[3])):
        journal.add(f"m{n}", {"event": {"text": f"question {n}", "n": n}})
        time.sleep(0.001)
    journal.done(f"m{n}" for n in range(0, int(sys.argv[3]), 2))
    print("written", flush=True)
    if sys.argv[4] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    sys.stdin.read()  # alive until the test closes stdin
    """
)


def writer(directory: Path, count: int, then: str, rotate: float = 10.0) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(directory), str(rotate), str(count), then],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "written\n"
    return process


@pytest.mark.parametrize("rotate", [10.0, 0.0], ids=["one file", "a file per message"])
def test_a_killed_process_leaves_what_it_had_not_let_go_of(tmp_path: Path, rotate: float) -> None:
    process = writer(tmp_path, 20, "kill", rotate)
    assert process.wait(10) == -signal.SIGKILL
    found = Journal(tmp_path).open()
    assert sorted(entry["key"] for entry in found) == sorted(f"m{n}" for n in range(1, 20, 2))
    assert all(entry["event"]["text"] == f"question {entry['event']['n']}" for entry in found)
    assert [entry["event"]["n"] for entry in found] == list(range(1, 20, 2))  # oldest first
    # Taken over once: a third process finds nothing.
    assert Journal(tmp_path).open() == []


def test_a_live_process_keeps_its_files(tmp_path: Path) -> None:
    process = writer(tmp_path, 6, "live")
    try:
        assert Journal(tmp_path).open() == []
        assert list(tmp_path.glob("*.jsonl"))  # still there, still its own
    finally:
        process.kill()
        process.wait(10)
    assert sorted(entry["key"] for entry in Journal(tmp_path).open()) == ["m1", "m3", "m5"]


def test_what_was_taken_over_is_journaled_again_until_done(tmp_path: Path) -> None:
    first = Journal(tmp_path)
    first.open()
    first.add("a", {"event": {"text": "one"}})
    first.add("b", {"event": {"text": "two"}})
    first.close()  # a stop with "a" and "b" still pending: their file stays
    second = Journal(tmp_path)
    assert sorted(e["key"] for e in second.open()) == ["a", "b"]
    assert len(second) == 2
    second.done(["a"])
    second.close()
    assert [e["key"] for e in Journal(tmp_path).open()] == ["b"]


def test_discard_removes_what_it_picks_from_stopped_processes_only(tmp_path: Path) -> None:
    live = Journal(tmp_path)
    live.open()
    stopped = Journal(tmp_path, rotate_seconds=0)  # a file per message
    stopped.open()
    for n, user in enumerate(["U1", "U2", "U1", "U3"]):
        stopped.add(f"m{n}", {"event": {"user": user, "text": f"question {n}"}})
    stopped.close()
    live.add("live", {"event": {"user": "U1", "text": "being answered"}})  # stays: alive
    assert Journal(tmp_path).discard(lambda e: e["event"]["user"] == "U1") == 2
    assert Journal(tmp_path).discard(lambda e: e["event"]["user"] == "U1") == 0
    mine = {handle.path for handle in live._files}
    assert not any("U1" in p.read_text() for p in tmp_path.glob("*.jsonl") if p not in mine)
    live.close()
    assert sorted(e["key"] for e in Journal(tmp_path).open()) == ["live", "m1", "m3"]
    assert Journal(tmp_path / "nowhere").discard(lambda e: True) == 0


def test_files_go_once_every_message_in_them_is_done(tmp_path: Path) -> None:
    journal = Journal(tmp_path, rotate_seconds=0)
    journal.open()
    for key in ("a", "b", "c"):
        journal.add(key, {})
    assert len(list(tmp_path.glob("*.jsonl"))) == 3
    journal.done(["b"])
    assert len(list(tmp_path.glob("*.jsonl"))) == 2
    journal.done(["a", "c", "unknown"])
    assert list(tmp_path.iterdir()) == []
    journal.add("d", {})
    journal.close()
    assert len(list(tmp_path.glob("*.jsonl"))) == 1
    assert [e["key"] for e in Journal(tmp_path).open()] == ["d"]


def test_no_file_is_left_once_its_messages_are_done(tmp_path: Path) -> None:
    journal = Journal(tmp_path)  # one file for ten seconds
    journal.open()
    journal.add("a", {"event": {"text": "a question"}})
    journal.add("b", {"event": {"text": "another"}})
    journal.done(["a"])
    assert len(list(tmp_path.glob("*.jsonl"))) == 1
    journal.done(["b"])
    assert list(tmp_path.iterdir()) == []
    journal.add("c", {})
    assert len(list(tmp_path.glob("*.jsonl"))) == 1


def test_a_torn_line_and_old_entries_are_skipped(tmp_path: Path) -> None:
    now = [1_000_000.0]
    journal = Journal(tmp_path, max_age_seconds=3600, clock=lambda: now[0])
    journal.open()
    journal.add("old", {})
    now[0] += 3000
    journal.add("recent", {})
    journal.close()
    [path] = tmp_path.glob("*.jsonl")
    with open(path, "ab") as handle:
        handle.write(b'{"key": "torn", "at": 1000')
    now[0] += 1000
    later = Journal(tmp_path, max_age_seconds=3600, clock=lambda: now[0])
    assert [e["key"] for e in later.open()] == ["recent"]


def test_an_unusable_directory_turns_the_journal_off_without_failing(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the directory should be")
    journal = Journal(tmp_path / "taken" / "journal")
    assert journal.open() == []
    journal.add("a", {})
    journal.done(["a"])
    journal.close()
    assert not journal.enabled and len(journal) == 0


def test_a_full_disk_costs_the_entry_not_the_message(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    journal = Journal(tmp_path)
    journal.open()
    journal.add("a", {})
    [path] = tmp_path.glob("*.jsonl")
    current = journal._current
    assert current is not None
    full = os.open("/dev/full", os.O_WRONLY)
    os.dup2(full, current.fd)  # every write from now on fails with ENOSPC
    os.close(full)
    journal.add("b", {})
    assert journal.failures == 1 and len(journal) == 1
    journal.done(["a"])


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["add", "done"]), st.integers(0, 15)),
        max_size=60,
    ),
    rotate=st.sampled_from([0.0, 10.0]),
)
def test_after_a_stop_exactly_the_pending_messages_are_found(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int]], rotate: float
) -> None:
    directory = tmp_path_factory.mktemp("journal")
    journal = Journal(directory, rotate_seconds=rotate)
    journal.open()
    pending: set[str] = set()
    for action, n in steps:
        if action == "add":
            journal.add(f"k{n}", {"n": n})
            pending.add(f"k{n}")
        else:
            journal.done([f"k{n}"])
            pending.discard(f"k{n}")
    assert len(journal) == len(pending)
    journal.close()
    assert {e["key"] for e in Journal(directory).open()} == pending
