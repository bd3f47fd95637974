"""Roles, actions and THE authorisation table of the multi-user server: where a permission is checked.

Three roles: the national **operator** (administers users, imports idea-bank workbooks, edits the knowledge
portal), the **municipal editor** (changes its own municipality's proposals, shortlist, committee mapping and
notes) and the **reader** (reads). Who may do what is data: :data:`RULES` maps each role to the actions it may
take, for any municipality (``ANY``) or only its own (``OWN``); :func:`can` reads it, :func:`require` enforces it.
Every service in :mod:`raaderum.server` calls :func:`require` before it changes anything (services that learn the
municipality from the row they change call :func:`require_some` first, before they read or validate anything).

The CLI acts as :data:`SYSTEM_ACTOR`, a named operator that is not a stored user: what a shell user does with
``raaderum users add`` is audited under that name.

    >>> can(editor_of_aarhus, "shortlist.add", 751), can(editor_of_aarhus, "shortlist.add", 101)  # doctest: +SKIP
    (True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from raaderum.errors import PermissionDenied
from raaderum.store.models import EDITOR, OPERATOR, READER, ROLES, User

#: Scope of a permission: any municipality, or only the user's own; ``COORDINATOR``: only in a network the user
#: coordinates (the service says whether it does); ``SELF``: only the user's own things (its digest subscription).
ANY, OWN, COORDINATOR, SELF = "any", "own", "coordinator", "self"


@dataclass(frozen=True)
class Action:
    id: str
    label: str
    #: True when the action belongs to one municipality (editors may then take it for their own only).
    municipal: bool
    #: The action as an infinitive, for messages ("Du kan kun <doing> for din egen kommune").
    doing: str


ACTIONS: dict[str, Action] = {a.id: a for a in (
    Action("proposal.create", "Opret et forslag", True, "oprette forslag"),
    Action("proposal.edit", "Ret et forslag", True, "rette forslag"),
    Action("proposal.withdraw", "Træk et forslag tilbage", True, "trække forslag tilbage"),
    Action("shortlist.add", "Sæt et forslag på kortlisten", True, "sætte forslag på kortlisten"),
    Action("shortlist.update", "Ret status og kommentar på kortlisten", True, "rette kortlisten"),
    Action("shortlist.remove", "Fjern et forslag fra kortlisten", True, "fjerne forslag fra kortlisten"),
    Action("shortlist.share", "Opret eller tilbagekald et delingslink til kortlisten", True,
           "dele kortlisten"),
    Action("committee.set", "Ret kommunens udvalgsopdeling", True, "rette udvalgsopdelingen"),
    Action("note.edit", "Ret kommunens noter", True, "rette noterne"),
    Action("catalogue.create", "Opret et råderumskatalog", True, "oprette råderumskataloger"),
    Action("catalogue.edit", "Ret et råderumskatalog og dets forslag", True, "rette råderumskataloget"),
    Action("catalogue.status", "Skift status på et forslag i råderumskataloget", True,
           "skifte status på katalogets forslag"),
    Action("catalogue.target", "Sæt råderumsmål pr. år og udvalg", True, "sætte råderumsmål"),
    Action("catalogue.scenario", "Opret, ret eller slet et scenarie i råderumskataloget", True, "rette scenarier"),
    Action("catalogue.share", "Opret eller tilbagekald et læselink til råderumskataloget", True,
           "dele råderumskataloget"),
    Action("mark.set", "Markér at kommunen arbejder med et forslag eller greb", True,
           "markere, hvad kommunen arbejder med"),
    Action("mark.remove", "Fjern kommunens markering af et forslag eller greb", True, "fjerne markeringer"),
    Action("contact.edit", "Opret, ret eller slet kommunens kontaktpersoner", True, "rette kontaktpersoner"),
    Action("experience.edit", "Registrér, ret eller slet kommunens erfaringer", True, "rette erfaringer"),
    Action("network.share", "Del kommunens kortliste eller et katalogscenarie med et netværk", True,
           "dele med netværket"),
    Action("network.coordinate", "Skriv netværkets møder, dagsordener, referater og noter", False,
           "koordinere netværket"),
    Action("subscription.edit", "Ret sit eget abonnement på nyhedsbrevet Råderum", False,
           "rette abonnementet"),
    Action("network.manage", "Opret, ret og slet netværk, medlemmer og koordinatorer", False,
           "administrere netværk"),
    Action("digest.send", "Send månedens nyhedsbrev Råderum", False, "sende nyhedsbrevet"),
    Action("user.add", "Opret en bruger", False, "oprette brugere"),
    Action("user.disable", "Deaktivér en bruger", False, "deaktivere brugere"),
    Action("ideas.import", "Importér en idébank-projektmappe", False, "importere idébanker"),
    Action("lever.edit", "Ret, opret eller nulstil greb i vidensportalen", False, "rette vidensportalens greb"),
    Action("backup.restore", "Gendan alle app-data fra en backup", False, "gendanne en backup"),
)}

#: THE authorisation table: role → action → scope. Anything not listed is denied. Actions that are not municipal
#: (users, imports, the knowledge portal's levers ``lever.edit``) are the operator's only.
RULES: dict[str, dict[str, str]] = {
    OPERATOR: {a: ANY for a in ACTIONS},
    EDITOR: {**{a.id: OWN for a in ACTIONS.values() if a.municipal},
             "network.coordinate": COORDINATOR, "subscription.edit": SELF},
    READER: {"network.coordinate": COORDINATOR, "subscription.edit": SELF},
}


def system_actor(name: str = "system:cli") -> User:
    """The actor of commands run from the shell: an operator that is not a stored user (``id`` is None), so the
    audit log names it instead of a person."""
    return User(id=None, name=name, role=OPERATOR, municipality_code=None, password_hash="", disabled=False)


#: The CLI's actor (see :func:`system_actor`).
SYSTEM_ACTOR = system_actor()


def can(user: User | None, action: str, municipality_code: int | None = None, *, coordinator: bool = False) -> bool:
    """May ``user`` take ``action`` (for ``municipality_code``; ``coordinator``: the user coordinates the network
    the action is in)? Reads :data:`RULES`; unknown actions are denied."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None or user.disabled:
        return False
    scope = RULES.get(user.role, {}).get(action)
    if scope == ANY:
        return True
    if scope == OWN:
        return municipality_code is not None and user.municipality_code == int(municipality_code)
    if scope == COORDINATOR:
        return coordinator
    return scope == SELF


def _denied(user: User | None, action: str) -> PermissionDenied:
    label = ACTIONS[action].doing
    if user is None:
        return PermissionDenied(f"Du skal være logget ind for at {label}.")
    if user.disabled:
        return PermissionDenied(f"Brugeren {user.name} er deaktiveret og kan ikke {label}.")
    if user.role == EDITOR and ACTIONS[action].municipal:
        return PermissionDenied(f"Du kan kun {label} for din egen kommune.")
    if RULES.get(user.role, {}).get(action) == COORDINATOR:
        return PermissionDenied(f"Kun netværkets koordinatorer og operatøren kan {label}.")
    return PermissionDenied(f"Din rolle ({user.role_label}) giver ikke adgang til at {label}.")


def require(user: User | None, action: str, municipality_code: int | None = None, *,
            coordinator: bool = False) -> User:
    """``user`` when :func:`can` allows the action; :class:`PermissionDenied` (with a Danish reason) otherwise."""
    if can(user, action, municipality_code, coordinator=coordinator):
        assert user is not None
        return user
    raise _denied(user, action)


def require_some(user: User | None, action: str) -> User:
    """``user`` when :data:`RULES` lets it take ``action`` for at least one municipality; :class:`PermissionDenied`
    otherwise. A service whose municipality is only known from the row it changes (a shortlist entry, a
    proposal) calls this FIRST, before it reads the row or validates any input, and :func:`require` with the
    row's municipality once it has it: a visitor or a reader is refused before anything else happens."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is not None and not user.disabled and RULES.get(user.role, {}).get(action) in (ANY, OWN, COORDINATOR,
                                                                                              SELF):
        return user
    raise _denied(user, action)


__all__ = ["ACTIONS", "ANY", "COORDINATOR", "EDITOR", "OPERATOR", "OWN", "READER", "ROLES", "RULES", "SELF",
           "SYSTEM_ACTOR", "Action", "can", "require", "require_some", "system_actor"]
