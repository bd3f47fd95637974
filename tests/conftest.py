"""Shared fixtures. Every test runs with RAADERUM_HOME in a temporary folder, so nothing touches ~/.local."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from raaderum.release.reader import Release, embedded_release_dir, open_release

RAW_DIR = Path(__file__).resolve().parent.parent / "data" / "raw"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("raaderum_home")
    monkeypatch.setenv("RAADERUM_HOME", str(home))
    monkeypatch.delenv("RAADERUM_RELEASE", raising=False)
    if "RAADERUM_DATABASE_URL" in os.environ and not os.environ.get("RAADERUM_KEEP_DATABASE_URL"):
        monkeypatch.delenv("RAADERUM_DATABASE_URL")
    yield home


@pytest.fixture(scope="session")
def release() -> Release:
    """The release shipped with the package."""
    return open_release(embedded_release_dir())
