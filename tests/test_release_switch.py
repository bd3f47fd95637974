"""Issue 10, class 7: `data build` over an existing release is atomic, and no path reaches DuckDB as SQL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from raaderum.release import build
from raaderum.release.build import build_release, recover_directory, switch_directory
from raaderum.release.raw_inputs import read_raw_inputs
from raaderum.release.reader import check_release, embedded_release_dir, open_release

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


def test_a_path_with_a_quote_is_data_not_sql(tmp_path: Path) -> None:
    out = tmp_path / "O'Brien's mappe" / "release"
    out.parent.mkdir()
    build_release(read_raw_inputs(RAW), out)
    rel = open_release(out)
    assert len(rel.register) == 98


def _copy_release(to: Path) -> Path:
    shutil.copytree(embedded_release_dir(), to)
    return to


def test_switch_exchanges_atomically_and_removes_the_old(tmp_path: Path) -> None:
    target = _copy_release(tmp_path / "rel")
    new = _copy_release(tmp_path / ".rel.tmp")
    (new / "marker").write_text("ny")
    switch_directory(new, target)
    assert (target / "marker").read_text() == "ny" and not new.exists()
    check_release(target)


def test_a_kill_between_the_fallback_renames_is_recovered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the kernel cannot exchange folders: old aside, new in. A kill between the two renames leaves the old
    release aside, and the next build puts it back before anything else."""
    target = _copy_release(tmp_path / "rel")
    new = _copy_release(tmp_path / ".rel.tmp")
    monkeypatch.setattr(build, "_exchange", lambda a, b: False)
    real_replace = os.replace
    calls = []

    def killed_after_first(src: object, dst: object) -> None:
        calls.append((src, dst))
        if len(calls) == 2:
            raise KeyboardInterrupt("kill -9")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(build.os, "replace", killed_after_first)
    with pytest.raises(KeyboardInterrupt):
        switch_directory(new, target)
    monkeypatch.setattr(build.os, "replace", real_replace)
    assert not target.exists()
    recover_directory(target)
    check_release(target)


@pytest.mark.slow
def test_kill_during_data_build_over_an_existing_release_always_leaves_a_release(tmp_path: Path) -> None:
    target = _copy_release(tmp_path / "rel")
    env = {**os.environ}
    for delay in (0.3, 0.8, 1.2, 1.6, 2.0, 2.5, 3.5):
        shutil.rmtree(target)
        _copy_release(target)
        proc = subprocess.Popen([sys.executable, "-c",
                                 "import sys; from raaderum.release.build import build_release; "
                                 "from raaderum.release.raw_inputs import read_raw_inputs; "
                                 f"build_release(read_raw_inputs({str(RAW)!r}), sys.argv[1], overwrite=True)",
                                 str(target)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        recover_directory(target)  # what the next build does first
        check_release(target)  # the old release or the new one, complete either way
