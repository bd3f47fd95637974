"""Helpers for web tests: a TestClient on the real app and HTML parsed with BeautifulSoup."""

from __future__ import annotations

import csv
import io
from typing import Any

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from raaderum.web import create_app


def client() -> TestClient:
    return TestClient(create_app())


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def table_rows(doc: BeautifulSoup, table_id: str) -> list[list[str]]:
    """Header and body rows of the table with id ``tabel-<table_id>`` as text."""
    t = doc.find("table", id=f"tabel-{table_id}")
    assert t is not None, f"no table {table_id}"
    return [[" ".join(c.get_text(" ", strip=True).split()) for c in tr.find_all(["th", "td"])]
            for tr in t.find_all("tr")]


def text(doc: BeautifulSoup, selector: str) -> str:
    el = doc.select_one(selector)
    assert el is not None, f"nothing matches {selector}"
    return " ".join(el.get_text(" ", strip=True).split())


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def dk_number(s: str) -> float:
    """'1.234,5' → 1234.5 (Danish format as shown on the pages)."""
    return float(s.replace(".", "").replace(",", ".").replace("−", "-"))


__all__: list[Any] = ["client", "soup", "table_rows", "text", "read_csv", "dk_number"]
