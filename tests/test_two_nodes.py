"""Stateless app nodes (issue 9): two ``raaderum serve`` processes on different ports, sharing one PostgreSQL
database, behave as one site. What is changed through node A is seen through node B within 2 s:

* an edit of an own proposal (search results, the proposal page and a cached public cockpit page that lists it),
* a withdrawal (gone from the search and the cockpit; the proposal page says it is withdrawn),
* the operator's lever edit (the public lever page, the portal's list and a cached cockpit page: the page cache
  must not serve stale content beyond 2 s),
* a disabled user (the user's live session on B is refused, and the user cannot log in on B).

Real processes (``python -m raaderum serve --workers 1``), real HTTP (httpx), real logins with CSRF tokens. The
database is migrated with ``raaderum db migrate`` and the users are made with ``raaderum users add``, as an
operator would do it. The processes are stopped in teardown.
"""

from __future__ import annotations

import os
import random
import re
import socket
import string
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PASSWORD = "korrekt-hest-batteri"
WITHIN = 2.0  # seconds
LEVER = "hverdagsrehabilitering"
AREA = "privatskoler"  # few proposals in the sample: the cockpit lists every one of them, ours too
COCKPIT = f"/kommune/101/omraade/{AREA}"  # København's cockpit lists Aarhus' proposals in the area
LEVER_COCKPIT = "/kommune/101/omraade/aeldre"  # lists the levers of the elderly-care area


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def database(postgres_base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema (dropped afterwards); its URL."""
    schema = f"raaderum_nodes_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_base_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{postgres_base_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def _environ(url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAADERUM_")}
    env.update(RAADERUM_DATABASE_URL=url, RAADERUM_HOME=str(home), RAADERUM_WARM_UP="0")
    return env  # page cache on, search refresh as `raaderum serve` sets it (1 s): as in production


def _raaderum(env: dict[str, str], *args: str) -> str:
    r = subprocess.run([sys.executable, "-m", "raaderum", *args], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Node:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def _start(name: str, env: dict[str, str], tmp: Path) -> Node:
    """Start a node on a free port and wait for /healthz (a new port if another process took the one chosen)."""
    for attempt in range(3):
        port = _free_port()
        log = tmp / f"node-{name}-{attempt}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "raaderum", "serve", "--host", "127.0.0.1", "--port",
                                     str(port), "--workers", "1"], env=env, stdout=out, stderr=subprocess.STDOUT)
        node = Node(name, f"http://127.0.0.1:{port}", proc, log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with httpx.Client(timeout=2) as probe:
                    up = probe.get(f"{node.url}/healthz").status_code == 200
                if up:
                    return node
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        _stop(node)
        if "address already in use" not in node.output().lower():
            raise AssertionError(f"node {name} did not start (exit {proc.returncode}): {node.output()}")
    raise AssertionError(f"node {name} found no free port: {node.output()}")


def _stop(node: Node) -> None:
    if node.process.poll() is None:
        node.process.terminate()
        try:
            node.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait(timeout=15)


@dataclass
class Site:
    a: Node
    b: Node
    url: str


@pytest.fixture(scope="module")
def site(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The database migrated, three users made, and two nodes serving it."""
    tmp = tmp_path_factory.mktemp("two_nodes")
    env = _environ(database, tmp / "home")
    _raaderum(env, "db", "migrate")
    _raaderum(env, "users", "add", "operatoer", "--role", "operator", "--password", PASSWORD)
    _raaderum(env, "users", "add", "aarhus-redaktoer", "--role", "editor", "--kommune", "Aarhus",
              "--password", PASSWORD)
    _raaderum(env, "users", "add", "aarhus-laeser", "--role", "reader", "--kommune", "Aarhus",
              "--password", PASSWORD)
    nodes: list[Node] = []
    try:
        nodes.append(_start("A", env, tmp))
        nodes.append(_start("B", env, tmp))
        yield Site(nodes[0], nodes[1], database)
    finally:
        for node in nodes:
            _stop(node)
    for node in nodes:
        assert node.process.returncode is not None  # really stopped


# ------------------------------------------------------------------------------------------------ HTTP helpers


def _csrf_in(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert m is not None, "no csrf_token field on the page"
    return m.group(1)


def _version_in(html: str) -> str:
    m = re.search(r'name="version" value="(\d+)"', html)
    assert m is not None, "no version field on the page"
    return m.group(1)


@dataclass
class Browser:
    client: httpx.Client
    csrf: str

    def post(self, path: str, **data: object) -> httpx.Response:
        return self.client.post(path, data={"csrf_token": self.csrf, **data})  # type: ignore[dict-item]


_clients: list[httpx.Client] = []


def _client(node: Node) -> httpx.Client:
    client = httpx.Client(base_url=node.url, follow_redirects=False, timeout=30)
    _clients.append(client)  # closed by the ``clients`` fixture
    return client


@pytest.fixture
def clients() -> Iterator[None]:
    try:
        yield
    finally:
        while _clients:
            _clients.pop().close()


def login(node: Node, name: str) -> Browser:
    """Log in through the form (the pre-login CSRF token from the form and its cookie), as a browser does."""
    client = _client(node)
    page = client.get("/login")
    assert page.status_code == 200 and "raaderum_login_csrf" in client.cookies
    r = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": _csrf_in(page.text),
                                    "next": "/"})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert "raaderum_session" in client.cookies
    home = client.get("/")
    assert "Log ud" in home.text
    return Browser(client, _csrf_in(home.text))


def anonymous(node: Node) -> httpx.Client:
    return _client(node)


def seen_within(what: str, check: Callable[[], bool], seconds: float = WITHIN) -> float:
    """Poll ``check`` until it holds; fail when that takes longer than ``seconds``. Returns the time taken."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > seconds:
            raise AssertionError(f"node B did not show {what} within {seconds} s")
        time.sleep(0.05)


def _word() -> str:
    """A made-up word that no proposal in the sample contains (letters only, so the search finds it as typed)."""
    return "tonode" + "".join(random.choices(string.ascii_lowercase, k=10))


def _hit(client: httpx.Client, query: str, pid: int) -> bool:
    r = client.get("/idebank", params={"q": query})
    assert r.status_code == 200, r.status_code
    return f'href="/idebank/{pid}"' in r.text


# ------------------------------------------------------------------------------------------------ the test


def _create(editor_a: Browser, title: str) -> int:
    r = editor_a.post("/arbejdsrum/forslag", kommune="751", title=title, area_id=AREA,
                      description="Fælles kørselsordning til privatskoler.", amount_b="-100", amount_bo1="-200")
    assert r.status_code == 303, (r.status_code, r.text[:500])
    m = re.match(r"/arbejdsrum/forslag/(\d+)", r.headers["location"])
    assert m is not None, r.headers["location"]
    return int(m.group(1))


def _edit(editor_a: Browser, pid: int, title: str) -> None:
    form = editor_a.client.get(f"/arbejdsrum/forslag/{pid}")
    assert form.status_code == 200
    r = editor_a.post(f"/arbejdsrum/forslag/{pid}", version=_version_in(form.text), title=title)
    assert r.status_code == 303, (r.status_code, r.text[:500])


def _withdraw(editor_a: Browser, pid: int) -> None:
    form = editor_a.client.get(f"/arbejdsrum/forslag/{pid}")
    r = editor_a.post(f"/arbejdsrum/forslag/{pid}/traek-tilbage", version=_version_in(form.text))
    assert r.status_code == 303, (r.status_code, r.text[:500])


def test_two_nodes_behave_as_one_site(site: Site, clients: None) -> None:
    editor_a = login(site.a, "aarhus-redaktoer")
    operator_a = login(site.a, "operatoer")
    visitor_b = anonymous(site.b)
    timings: dict[str, float] = {}

    # ---- an own proposal made through A, seen through B
    first, second = _word(), _word()
    pid = _create(editor_a, f"Forslag {first}")
    timings["new proposal: search"] = seen_within("the new proposal in the search",
                                                  lambda: _hit(visitor_b, first, pid))

    # ---- the edit
    _edit(editor_a, pid, f"Forslag {second}")
    timings["edit: search"] = seen_within("the edited title in the search",
                                          lambda: _hit(visitor_b, second, pid) and not _hit(visitor_b, first, pid))
    timings["edit: proposal page"] = seen_within("the edited proposal page",
                                                 lambda: second in visitor_b.get(f"/idebank/{pid}").text)

    # ---- the withdrawal
    _withdraw(editor_a, pid)
    timings["withdrawal: search"] = seen_within("the withdrawn proposal gone from the search",
                                                lambda: not _hit(visitor_b, second, pid))
    timings["withdrawal: proposal page"] = seen_within(
        "the withdrawal on the proposal page", lambda: "Trukket tilbage" in visitor_b.get(f"/idebank/{pid}").text)

    # ---- the operator's lever edit (the public pages of B are read, and cached, before it)
    from raaderum.ideas.levers import lever

    lv = lever(LEVER)
    pages = (f"/vidensportal/{LEVER}", "/vidensportal", LEVER_COCKPIT)
    for path in pages:
        for _ in range(2):
            page = visitor_b.get(path)
            assert page.status_code == 200 and lv.title in page.text, path
    form = operator_a.client.get(f"/admin/greb/{LEVER}")
    assert form.status_code == 200
    title = f"Hverdagsrehabilitering {_word()}"
    r = operator_a.post(f"/admin/greb/{LEVER}", version=_version_in(form.text), title=title, summary=lv.summary,
                        body=lv.body, key_figures="\n".join(lv.key_figures), questions="\n".join(lv.questions),
                        time_to_effect=lv.time_to_effect, areas=list(lv.areas), idea_types=list(lv.idea_types))
    assert r.status_code == 303, (r.status_code, r.text[:500])
    for path in pages:
        timings[f"lever edit: {path}"] = seen_within(f"the edited lever on {path}",
                                                     lambda path=path: title in visitor_b.get(path).text)

    # ---- a user disabled through A: the session on B is refused
    reader_b = login(site.b, "aarhus-laeser")
    assert reader_b.client.get("/arbejdsrum").status_code == 200
    engine = create_engine(site.url)
    try:
        from raaderum.store.models import User

        with engine.connect() as conn:
            uid = conn.execute(select(User.id).where(User.name == "aarhus-laeser")).scalar_one()
    finally:
        engine.dispose()
    r = operator_a.post(f"/admin/brugere/{uid}/deaktiver")
    assert r.status_code == 303, (r.status_code, r.text[:500])

    def refused() -> bool:
        page = reader_b.client.get("/arbejdsrum")
        return page.status_code in (302, 303, 307) and page.headers["location"].startswith("/login")

    timings["disabled user: session on B"] = seen_within("the disabled user's session refused", refused)
    assert reader_b.post("/arbejdsrum/noter", kommune="751", version="0", text="efter").status_code == 403
    again = anonymous(site.b)
    page = again.get("/login")
    r = again.post("/login", data={"name": "aarhus-laeser", "password": PASSWORD, "csrf_token": _csrf_in(page.text),
                                   "next": "/"})
    assert r.status_code == 401 and "deaktiveret" in r.text

    assert site.a.process.poll() is None and site.b.process.poll() is None, (site.a.output(), site.b.output())
    print("seen through node B after (s):", {k: round(v, 2) for k, v in timings.items()})


def test_cached_page_listing_a_proposal_follows_an_edit_and_a_withdrawal(site: Site, clients: None) -> None:
    """B's page cache holds the cockpit that lists the proposal. After an edit (and a withdrawal) through A, the
    first request to B after the change must not refill the cache from B's search index while that index is
    still being rebuilt in the background: else the stale page is served until the next change."""
    editor_a = login(site.a, "aarhus-redaktoer")
    visitor_b = anonymous(site.b)
    timings: dict[str, float] = {}
    first, second = _word(), _word()
    pid = _create(editor_a, f"Forslag {first}")
    seen_within("the new proposal in the search", lambda: _hit(visitor_b, first, pid))  # B's index is current
    time.sleep(1.2)  # and B's page cache has seen the new revision of the store
    assert first in visitor_b.get(COCKPIT).text  # the cockpit lists the proposal, and is cached now

    _edit(editor_a, pid, f"Forslag {second}")
    timings["edit: cached cockpit"] = seen_within(
        "the edited title in the cached cockpit",
        lambda: (lambda html: second in html and first not in html)(visitor_b.get(COCKPIT).text))
    time.sleep(1.5)

    _withdraw(editor_a, pid)
    timings["withdrawal: cached cockpit"] = seen_within("the withdrawn proposal gone from the cached cockpit",
                                                        lambda: second not in visitor_b.get(COCKPIT).text)
    print("seen through node B after (s):", {k: round(v, 2) for k, v in timings.items()})
