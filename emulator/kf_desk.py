"""WeChat Customer Service (微信客服) back office: the sync_msg log, sessions, codes, servicers.

Model (kf.md): one append-only log of entries the bot can pull with kf/sync_msg; what the bot
sends itself is never logged. Sessions follow the state machine of kf.md §6; event codes
(welcome_code, msg_code) are single-use with the lifetimes of kf.md §5.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.ids import IdMaker

# kf.md §6 (summarised from the doc's prose; the precise matrix is unconfirmed)
TRANSITIONS: dict[int, frozenset[int]] = {
    0: frozenset({1, 2, 3}),
    1: frozenset({2, 3}),
    2: frozenset({3}),
    3: frozenset({3, 4}),
    4: frozenset(),
}
STATE_NAMES = {0: "未处理", 1: "智能助手接待", 2: "排队中", 3: "人工接待", 4: "已结束/未开始"}


@dataclass(slots=True)
class KfEntry:
    seq: int
    open_kfid: str
    external_userid: str
    send_time: int
    item: dict[str, Any]  # the msg_list item exactly as sync_msg returns it


@dataclass(slots=True)
class KfSession:
    open_kfid: str
    external_userid: str
    state: int = 4  # "ended / not started" until the first customer message (kf.md §6)
    servicer_userid: str = ""
    last_customer_msg_at: float | None = None
    sent_since_customer: int = 0
    last_welcome_at: float | None = None
    enter_context: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class KfCode:
    """welcome_code or msg_code for send_msg_on_event (kf.md §5)."""

    code: str
    kind: str  # "welcome", "wait", "pickup", "end"
    open_kfid: str
    external_userid: str
    issued_at: float
    ttl: int
    msgtypes: tuple[str, ...]
    state: int | None = None  # the session state that produced it; None for welcome codes
    used: bool = False


@dataclass(slots=True)
class Servicer:
    userid: str
    receiving: bool = True
    stop_type: int = 0  # 0 stopped, 1 temporarily suspended (meaningful when not receiving)


@dataclass(slots=True)
class SyncToken:
    token: str
    open_kfid: str
    issued_at: float


class KfDesk:
    def __init__(self, accounts: dict[str, str], servicers: dict[str, tuple[str, ...]], ids: IdMaker) -> None:
        self.accounts = accounts  # open_kfid -> name
        self.account_servicers = {k: list(v) for k, v in servicers.items()}  # open_kfid -> receptionists
        # one reception status per person, whichever account (servicer_status_change carries the account)
        self.servicers = {u: Servicer(u) for users in servicers.values() for u in users}
        self.log: list[KfEntry] = []
        self.sessions: dict[tuple[str, str], KfSession] = {}
        self.codes: dict[str, KfCode] = {}
        self.tokens: dict[str, SyncToken] = {}
        self.links: dict[str, tuple[str, str]] = {}  # url -> (open_kfid, scene)
        self._ids = ids
        self._cursor_of_pos: dict[int, str] = {}
        self._pos_of_cursor: dict[str, int] = {}

    def servicers_of(self, open_kfid: str) -> list[Servicer]:
        return [self.servicers[u] for u in self.account_servicers.get(open_kfid, [])]

    def serves(self, open_kfid: str, userid: str) -> bool:
        return userid in self.account_servicers.get(open_kfid, [])

    def pool(self) -> list[KfSession]:
        """Sessions queued in the reception pool (state 2, 待接入池), oldest customer message first."""
        queued = [s for s in self.sessions.values() if s.state == 2]
        return sorted(queued, key=lambda s: s.last_customer_msg_at or 0)

    # --- sessions and codes -------------------------------------------------------------

    def session(self, open_kfid: str, external_userid: str) -> KfSession:
        key = (open_kfid, external_userid)
        if key not in self.sessions:
            self.sessions[key] = KfSession(open_kfid, external_userid)
        return self.sessions[key]

    def issue_code(self, kind: str, session: KfSession, *, now: float, ttl: int,
                   msgtypes: tuple[str, ...], state: int | None) -> KfCode:
        code = KfCode(self._ids.make("", 43), kind, session.open_kfid, session.external_userid,
                      now, ttl, msgtypes, state)
        self.codes[code.code] = code
        return code

    def issue_token(self, open_kfid: str, now: float) -> str:
        token = SyncToken(self._ids.make("ENC", 40), open_kfid, now)
        self.tokens[token.token] = token
        return token.token

    def token_valid(self, token: str, open_kfid: str | None, now: float, ttl: int) -> bool:
        """Every callback Token lives `ttl` seconds for its own account (10 min, kf.md §1)."""
        found = self.tokens.get(token)
        if found is None or now - found.issued_at > ttl:
            return False
        return open_kfid is None or found.open_kfid == open_kfid

    # --- the sync_msg log ---------------------------------------------------------------

    def append(self, open_kfid: str, external_userid: str, send_time: int,
               item: dict[str, Any]) -> KfEntry:
        entry = KfEntry(len(self.log), open_kfid, external_userid, send_time, item)
        self.log.append(entry)
        return entry

    def cursor_for(self, pos: int) -> str:
        """An opaque next_cursor for a log position; the same position gives the same cursor."""
        if pos not in self._cursor_of_pos:
            cursor = self._ids.make("", 24)
            self._cursor_of_pos[pos] = cursor
            self._pos_of_cursor[cursor] = pos
        return self._cursor_of_pos[pos]

    def position(self, cursor: str) -> int | None:
        return self._pos_of_cursor.get(cursor)

    def page(self, open_kfid: str | None, start: int, limit: int,
             oldest: float) -> tuple[list[KfEntry], int, bool]:
        """Entries after `start` for the account (all accounts when None) no older than `oldest`.

        Returns (entries, next position, has_more)."""
        picked: list[KfEntry] = []
        pos = start
        while pos < len(self.log) and len(picked) < limit:
            entry = self.log[pos]
            pos += 1
            if self._visible(entry, open_kfid, oldest):
                picked.append(entry)
        has_more = any(self._visible(e, open_kfid, oldest) for e in self.log[pos:])
        return picked, pos, has_more

    @staticmethod
    def _visible(entry: KfEntry, open_kfid: str | None, oldest: float) -> bool:
        return (open_kfid is None or entry.open_kfid == open_kfid) and entry.send_time >= oldest
