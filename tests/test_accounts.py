"""Accounts: password hashing, authentication, the authorisation table, sessions, rate limiting and the
`raaderum users` / `raaderum db` commands (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import conftest_accounts as ca
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import raaderum.cli
import raaderum.cli.backup
import raaderum.cli.db
import raaderum.cli.users  # noqa: F401  (registers `users`, `db`, `backup`, `restore` until the lead does)
from raaderum.errors import InputError
from raaderum.server.accounts import (
    ACTIONS,
    EDITOR,
    OPERATOR,
    READER,
    ROLES,
    AccountError,
    AuthenticationFailed,
    User,
    UserDisabled,
    add_user,
    authenticate,
    can,
    disable_user,
    hash_password,
    list_users,
    require,
    utcnow,
    verify_password,
)
from raaderum.server.permissions import SYSTEM_ACTOR
from raaderum.server.sessions import (
    MAX_FAILURES_PER_NAME,
    LoginSession,
    TooManyAttempts,
    create_session,
    login,
    logout,
    lookup,
    token_id,
)

MUNICIPAL = [a for a, act in ACTIONS.items() if act.municipal]
GLOBAL = [a for a, act in ACTIONS.items() if not act.municipal]


def test_password_hash_is_argon2id_and_salted() -> None:
    h1, h2 = hash_password("korrekt-hest-batteri"), hash_password("korrekt-hest-batteri")
    assert h1.startswith("$argon2id$") and h1 != h2
    assert verify_password(h1, "korrekt-hest-batteri")
    assert not verify_password(h1, "forkert-hest-batteri")
    assert not verify_password("not-a-hash", "korrekt-hest-batteri")


def test_every_action_has_a_label_and_the_table_is_as_documented() -> None:
    assert all(a.label and a.doing for a in ACTIONS.values())
    assert {"proposal.create", "proposal.edit", "proposal.withdraw", "shortlist.add", "shortlist.update",
            "shortlist.remove", "shortlist.share", "committee.set", "note.edit", "user.add", "user.disable",
            "ideas.import", "lever.edit", "catalogue.create", "catalogue.edit", "catalogue.status",
            "catalogue.target", "catalogue.scenario", "catalogue.share", "backup.restore", "mark.set",
            "mark.remove", "contact.edit", "experience.edit", "network.share", "network.coordinate",
            "subscription.edit", "network.manage", "digest.send"} == set(ACTIONS)
    assert set(ROLES) == {OPERATOR, EDITOR, READER}


def _user(role: str, code: int | None, disabled: bool = False) -> User:
    return User(id=1, name="x", role=role, municipality_code=code, password_hash="", disabled=disabled)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_can_operator_everything_editor_own_municipality_reader_nothing(action: str) -> None:
    op, ed, rd = _user(OPERATOR, None), _user(EDITOR, 751), _user(READER, 751)
    assert can(op, action, 751) and can(op, action, 101)
    if action in MUNICIPAL:
        assert can(ed, action, 751)
        assert not can(ed, action, 101)
        assert not can(ed, action, None)
    elif action == "subscription.edit":  # one's own digest subscription: every active user
        assert can(ed, action) and can(rd, action)
    elif action == "network.coordinate":  # only in a network the user coordinates (the service says whether)
        assert not can(ed, action, 751) and can(ed, action, coordinator=True) and can(rd, action, coordinator=True)
    else:
        assert not can(ed, action, 751) and not can(ed, action, None)
    if action != "subscription.edit":
        assert not can(rd, action, 751) and not can(rd, action, None)
    assert not can(None, action, 751)
    assert not can(_user(OPERATOR, None, disabled=True), action, 751)


def test_unknown_action_is_an_error_and_require_says_why_in_danish() -> None:
    with pytest.raises(ValueError):
        can(_user(OPERATOR, None), "lever.delete")
    with pytest.raises(Exception, match="kun rette noterne for din egen kommune"):
        require(_user(EDITOR, 751), "note.edit", 101)
    with pytest.raises(Exception, match="Læser"):
        require(_user(READER, 751), "note.edit", 751)
    with pytest.raises(Exception, match="logget ind"):
        require(None, "note.edit", 751)


def test_add_user_validates(engine) -> None:  # type: ignore[no-untyped-def]
    s = engine  # the service opens its own transaction
    with pytest.raises(InputError, match="kommune"):
        add_user(s, SYSTEM_ACTOR, "uden-kommune", EDITOR, password="korrekt-hest-batteri")
    with pytest.raises(InputError, match="mindst 10"):
        add_user(s, SYSTEM_ACTOR, "kort-kode", READER, password="kort")
    with pytest.raises(InputError, match="Ukendt rolle"):
        add_user(s, SYSTEM_ACTOR, "admin", "admin", password="korrekt-hest-batteri")
    with pytest.raises(InputError, match="Ugyldigt brugernavn"):
        add_user(s, SYSTEM_ACTOR, "a b'; DROP TABLE users;--", READER, password="korrekt-hest-batteri")
    add_user(s, SYSTEM_ACTOR, "laeser", READER, password="korrekt-hest-batteri")
    with pytest.raises(AccountError, match="findes allerede"):
        add_user(s, SYSTEM_ACTOR, "laeser", READER, password="korrekt-hest-batteri")
    with Session(engine) as s:
        users = list_users(s)
        assert [u.name for u in users] == ["laeser"]
        assert users[0].password_hash.startswith("$argon2id$")
        assert "password_hash" not in users[0].to_dict()


def test_authenticate_right_wrong_unknown_disabled(engine) -> None:  # type: ignore[no-untyped-def]
    ca.make_user(engine, "redaktoer", EDITOR, 751)
    assert authenticate(engine, "redaktoer", ca.PASSWORD).municipality_code == 751
    with pytest.raises(AuthenticationFailed) as wrong:
        authenticate(engine, "redaktoer", "forkert-kodeord")
    with pytest.raises(AuthenticationFailed) as unknown:
        authenticate(engine, "ingen-saadan", ca.PASSWORD)
    assert str(wrong.value) == str(unknown.value)  # does not tell which names exist
    disable_user(engine, SYSTEM_ACTOR, "redaktoer")
    with pytest.raises(UserDisabled, match="deaktiveret"):
        authenticate(engine, "redaktoer", ca.PASSWORD)


def test_sessions_new_token_at_login_logout_expiry_and_disable(engine) -> None:  # type: ignore[no-untyped-def]
    user = ca.make_user(engine, "redaktoer", EDITOR, 751)
    first = create_session(engine, user)
    second = login(engine, "redaktoer", ca.PASSWORD, ip="10.0.0.1", replaces=first.token)
    assert second.token != first.token and second.csrf_token != first.csrf_token
    assert lookup(engine, first.token) is None  # the replaced session is gone
    found = lookup(engine, second.token)
    assert found is not None and found.user.name == "redaktoer" and found.csrf_token == second.csrf_token
    with Session(engine) as s:  # only the hash of the token is stored
        assert s.get(LoginSession, second.token) is None
        assert s.get(LoginSession, token_id(second.token)) is not None
    logout(engine, second.token)
    assert lookup(engine, second.token) is None
    third = create_session(engine, user)
    with Session(engine) as s, s.begin():
        s.execute(update(LoginSession).values(last_seen=utcnow() - timedelta(hours=3)))
    assert lookup(engine, third.token) is None  # idle too long
    fourth = create_session(engine, user)
    disable_user(engine, SYSTEM_ACTOR, "redaktoer")
    assert lookup(engine, fourth.token) is None
    assert lookup(engine, "") is None and lookup(engine, "x" * 500) is None


def test_login_rate_limit_per_address_and_name(engine) -> None:  # type: ignore[no-untyped-def]
    ca.make_user(engine, "redaktoer", EDITOR, 751)
    for _ in range(MAX_FAILURES_PER_NAME):
        with pytest.raises(AuthenticationFailed):
            login(engine, "redaktoer", "forkert-kodeord", ip="10.0.0.9")
    with pytest.raises(TooManyAttempts, match="For mange mislykkede loginforsøg") as e:
        login(engine, "redaktoer", ca.PASSWORD, ip="10.0.0.9")  # even the right password waits
    assert e.value.retry_after >= 60
    assert login(engine, "redaktoer", ca.PASSWORD, ip="10.0.0.10").user.name == "redaktoer"  # other address


# ------------------------------------------------------------------------------------------------ CLI


def _cli(args: list[str], input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(raaderum.cli.app, args, input=input)


def test_cli_db_migrate_status_and_users(app_url: str) -> None:
    r = _cli(["db", "migrate"])
    assert r.exit_code == 0, r.output
    assert "nyeste version" in r.output
    r = _cli(["db", "status", "--json"])
    assert r.exit_code == 0 and '"up_to_date": true' in r.output
    r = _cli(["users", "add", "operatoer", "--role", "operator", "--password", "korrekt-hest-batteri"])
    assert r.exit_code == 0, r.output
    r = _cli(["users", "add", "aarhus", "--role", "editor", "--kommune", "Aarhus"],
             input="korrekt-hest-batteri\nkorrekt-hest-batteri\n")
    assert r.exit_code == 0, r.output
    assert "korrekt-hest-batteri" not in r.output  # the prompt hides the password
    r = _cli(["users", "add", "uden", "--role", "editor", "--password", "korrekt-hest-batteri"])
    assert r.exit_code == 2 and "kommune" in r.output
    r = _cli(["users", "add", "aarhus", "--role", "reader", "--password", "korrekt-hest-batteri"])
    assert r.exit_code == 2 and "findes allerede" in r.output
    r = _cli(["users", "disable", "aarhus"])
    assert r.exit_code == 0, r.output
    r = _cli(["users", "disable", "ingen"])
    assert r.exit_code == 2 and "findes ikke" in r.output
    r = _cli(["users", "list", "--json"])
    assert r.exit_code == 0
    import json

    users = {u["name"]: u for u in json.loads(r.output)}
    assert users["aarhus"]["role"] == "editor" and users["aarhus"]["municipality_code"] == 751
    assert users["aarhus"]["disabled"] is True and users["operatoer"]["disabled"] is False
    eng = ca.make_engine(app_url)
    try:
        with Session(eng) as s:
            from raaderum.store.audit import entries

            actions = [e.action for e in entries(s, entity="user")]
        assert actions.count("user.add") == 2 and actions.count("user.disable") == 1
        with pytest.raises(UserDisabled):
            authenticate(eng, "aarhus", "korrekt-hest-batteri")
    finally:
        eng.dispose()
