"""Staff sign-in: codes from the in-client OAuth2 page and the desktop Web login, user_tickets,
and the app's trusted domains (staff-web.md §1–4).

Codes are single-use, live 5 minutes and belong to the self-built app that asked for them
(doc 96442); the page that hands them out is emulator/signin_pages.py, the exchange is
auth/getuserinfo in emulator/api_auth.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

from emulator.ids import IdMaker

SCOPES = ("snsapi_base", "snsapi_privateinfo")  # doc 96441 lists only these two
OAUTH_STATE = re.compile(r"[a-zA-Z0-9]{0,128}")  # doc 96441: a-zA-Z0-9, at most 128 bytes
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
APP_SECRET_KIND = "app"  # the self-built app: the one agent_id whose trusted domains we model


def trusted(url: str, domains: tuple[str, ...]) -> bool:
    """Is the URL's host one of the app's trusted domains? Exact host (case-insensitive) and port:
    "a.com" matches only URLs without a port, "a.com:8443" that port, "a.com:*" any port
    (emulator-only, see EmulatorConfig.trusted_domains). Scheme and path are ignored (doc 15232)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    for entry in domains:
        name, _, entry_port = entry.lower().partition(":")
        if name == host and (entry_port == "*" or entry_port == ("" if port is None else str(port))):
            return True
    return False


def with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    """`url` with `pairs` appended to its query: an existing query is kept as it is and extended
    with `&` (doc 96441: `…/query?action=get&code=…&state=`)."""
    parts = urlsplit(url)
    added = urlencode(pairs)
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


@dataclass(slots=True)
class AuthCode:
    """One code from the authorize page ("oauth") or the Web login ("web_login")."""

    code: str
    flow: str
    agent_id: int
    issued_at: float
    scope: str = "snsapi_base"
    userid: str = ""  # a member
    openid: str = ""  # a non-member visitor (oauth only)
    external_userid: str = ""  # …who is a customer of the corp
    used: bool = False


@dataclass(slots=True)
class UserTicket:
    ticket: str
    userid: str
    issued_at: float


@dataclass(slots=True)
class SignInDesk:
    """Codes and user_tickets issued, openids of visitors, and the client's signed-in member."""

    ids: IdMaker
    codes: dict[str, AuthCode] = field(default_factory=dict)
    user_tickets: dict[str, UserTicket] = field(default_factory=dict)
    openids: dict[str, str] = field(default_factory=dict)  # external_userid (or visitor key) -> openid
    # the member logged into the emulated WeCom client: snsapi_base authorize links redirect at once
    # (doc 96441: silent); None = the authorize page asks the tester who they are
    client_member: str | None = None

    def mint(self, flow: str, agent_id: int, now: float, *, scope: str = "snsapi_base", userid: str = "",
             openid: str = "", external_userid: str = "") -> AuthCode:
        # doc 96442: at most 512 bytes; real codes look like ~43 url-safe characters (unconfirmed)
        code = AuthCode(self.ids.make("", 43, CODE_ALPHABET), flow, agent_id, now, scope, userid, openid,
                        external_userid)
        self.codes[code.code] = code
        return code

    def openid_for(self, visitor: str) -> str:
        """A stable openid per visitor (≤64 bytes, unique per corp: doc 96442)."""
        if visitor not in self.openids:
            self.openids[visitor] = self.ids.make("o", 28)
        return self.openids[visitor]

    def issue_user_ticket(self, userid: str, now: float) -> UserTicket:
        ticket = UserTicket(self.ids.make("", 64, CODE_ALPHABET), userid, now)
        self.user_tickets[ticket.ticket] = ticket
        return ticket
