"""Support for end-to-end tests: a real `raaderum serve` process and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

CHROMIUM = os.environ.get("RAADERUM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
AXE = Path(__file__).resolve().parent.parent / "raaderum" / "web" / "static" / "vendor" / "axe-core-4.14.1.min.js"
ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artefacts"


def launch_browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright (for a module's ``browser`` fixture); a clear failure without it."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        import pytest

        pytest.fail(f"Chromium findes ikke på {CHROMIUM}; installér Debians pakke 'chromium' (se .ci/run).")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], workers: int = 1) -> Iterator[str]:
    port = free_port()
    ARTEFACTS.mkdir(exist_ok=True)
    log_path = ARTEFACTS / f"serve-{port}.log"
    log = open(log_path, "w", encoding="utf-8")  # a file, not a pipe: a full pipe would block the server
    proc = subprocess.Popen([sys.executable, "-m", "raaderum", "serve", "--port", str(port), "--workers",
                             str(workers)], env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"raaderum serve stopped: {log_path.read_text(encoding='utf-8')}")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("raaderum serve did not start within 60 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run the vendored axe-core with the WCAG 2 A and AA rules on the page; returns the violations."""
    # Evaluated through the DevTools protocol, not as a <script> tag: the pages' Content-Security-Policy forbids
    # inline scripts, and the test must not weaken it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return list(result)


def screenshot(page: Any, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
