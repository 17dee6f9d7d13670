"""The emulated corp on disk, for `wanzi sandbox`: its books as versioned JSON, so a sandbox restarted on
its kept database meets a WeCom that still knows the earlier customers, chats and kf read cursor.

Plain JSON, never pickle: the file sits in the user's directory and loading it must run no code.
Kept: customers, friends (follow_user), welcome codes and 「联系我」 configs, the tag library, customer
groups, mass sends, the kf desk (sync_msg log, sessions, event codes, callback tokens, cursors, who is
receiving), transcripts, the JS-SDK desk (live tickets, sidebars, what they sent), openids and the
client's signed-in member, live access tokens (the bot keeps its token in its database, and WeCom does
not forget a token because the bot restarted) and the id generator (ids never repeat, app MsgIds keep
growing). Left out, as belonging to one run: recorded API calls and callback deliveries, test switches
(faults, 48002), rate-limit windows, and sign-in codes and user_tickets (they live minutes).
Only the sandbox keeps a corp on disk: the emulators of tests and benchmarks stay in memory.

The functions read and set the books' private fields: this module is the one place that sees a book whole.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any, Iterable, TypeVar

from bot.clock import Clock
from emulator.config import EmulatorConfig
from emulator.contacts import ContactBook, ContactWay, Customer, Follow, WelcomeCode
from emulator.groups import GroupBook, GroupChat, Member
from emulator.jssdk import Bridge, JsSdkDesk, JsTicket, SidebarContext, SidebarMessage
from emulator.kf_desk import KfCode, KfDesk, KfEntry, KfSession, SyncToken
from emulator.mass import GroupWelcomeTemplate, MassBook, MassTask, SendRecord
from emulator.state import CorpState
from emulator.tags import Tag, TagGroup, TagLibrary
from emulator.tokens import AccessToken
from emulator.transcript import Line, Transcripts

FORMAT = "wanzi-emulator-snapshot"
VERSION = 1  # raise it when a book's shape changes: an older file is then ignored, never misread

T = TypeVar("T")


class SnapshotUnusable(Exception):
    """The file cannot restore this corp: unreadable, not a snapshot, another version or another corp."""


def _row(item: Any) -> dict[str, Any]:
    """A record's fields, one level deep (nested records are each book's business); `asdict` copied
    deeply and took most of a save's time."""
    return {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}


def _rows(items: Iterable[Any]) -> list[dict[str, Any]]:
    return [_row(item) for item in items]


def _build(cls: type[T], rows: Iterable[dict[str, Any]]) -> list[T]:
    return [cls(**row) for row in rows]


# --- one pair per book ----------------------------------------------------------------------------

def ids_to_json(corp: CorpState) -> dict[str, Any]:
    ids = corp.ids
    return {"rng": ids.rng.getstate(), "issued": sorted(ids._issued), "msg_id": ids._msg_id}


def ids_from_json(corp: CorpState, data: dict[str, Any]) -> None:
    version, internal, gauss = data["rng"]
    corp.ids.rng.setstate((version, tuple(internal), gauss))
    corp.ids._issued = set(data["issued"])
    corp.ids._msg_id = int(data["msg_id"])


def tokens_to_json(corp: CorpState) -> list[dict[str, Any]]:
    now = corp.clock.time()
    return _rows(t for t in corp.tokens._current.values() if not t.revoked and now < t.expires_at)


def tokens_from_json(corp: CorpState, rows: list[dict[str, Any]]) -> None:
    tokens = _build(AccessToken, rows)
    corp.tokens._by_value = {t.value: t for t in tokens}
    corp.tokens._current = {t.kind: t for t in tokens}


def contacts_to_json(book: ContactBook) -> dict[str, Any]:
    return {"customers": _rows(book.customers.values()), "follows": _rows(book.follows.values()),
            "welcome_codes": _rows(book.welcome_codes.values()), "contact_ways": _rows(book.contact_ways.values()),
            "welcomed": sorted(book.welcomed)}


def contacts_from_json(data: dict[str, Any]) -> ContactBook:
    book = ContactBook()
    book.customers = {c.external_userid: c for c in _build(Customer, data["customers"])}
    book.follows = {(f.external_userid, f.userid): f for f in _build(Follow, data["follows"])}
    book.welcome_codes = {w.code: w for w in _build(WelcomeCode, data["welcome_codes"])}
    book.contact_ways = {w.config_id: w for w in _build(ContactWay, data["contact_ways"])}
    book.welcomed = {(ext, userid) for ext, userid in data["welcomed"]}
    return book


def tags_to_json(library: TagLibrary) -> list[dict[str, Any]]:
    return [{**_row(group), "tags": _rows(group.tags)} for group in library.groups.values()]


def tags_from_json(rows: list[dict[str, Any]]) -> TagLibrary:
    library = TagLibrary()
    for row in rows:
        library.add_group(TagGroup(**{**row, "tags": _build(Tag, row["tags"])}))
    return library


def groups_to_json(book: GroupBook) -> list[dict[str, Any]]:
    return [{**_row(chat), "members": _rows(chat.members.values())} for chat in book.chats.values()]


def groups_from_json(rows: list[dict[str, Any]]) -> GroupBook:
    book = GroupBook()
    for row in rows:
        members = {m.userid: m for m in _build(Member, row["members"])}
        book.chats[row["chat_id"]] = GroupChat(**{**row, "members": members})
    return book


def mass_to_json(book: MassBook) -> dict[str, Any]:
    return {"tasks": [{**_row(task), "records": _rows(task.records)} for task in book.tasks.values()],
            "templates": _rows(book.templates.values()),
            "received": book.received}


def mass_from_json(data: dict[str, Any]) -> MassBook:
    book = MassBook()
    for row in data["tasks"]:
        book.tasks[row["msgid"]] = MassTask(**{**row, "records": _build(SendRecord, row["records"])})
    book.templates = {t.template_id: t for t in _build(GroupWelcomeTemplate, data["templates"])}
    book.received = {key: [int(at) for at in times] for key, times in data["received"].items()}
    return book


def kf_to_json(corp: CorpState) -> dict[str, Any]:
    kf, cfg, now = corp.kf, corp.config, corp.clock.time()
    return {"receiving": {u: [s.receiving, s.stop_type] for u, s in kf.servicers.items()},
            "log": _rows(kf.log), "sessions": _rows(kf.sessions.values()),
            "codes": _rows(c for c in kf.codes.values() if not c.used and now - c.issued_at <= c.ttl),
            "tokens": _rows(t for t in kf.tokens.values() if now - t.issued_at <= cfg.kf_token_ttl),
            "links": kf.links, "cursors": [[pos, cursor] for pos, cursor in kf._cursor_of_pos.items()]}


def kf_from_json(corp: CorpState, data: dict[str, Any]) -> KfDesk:
    """The kf desk of the corp's config (accounts and servicers come from it), with the kept records."""
    old = corp.kf
    kf = KfDesk(old.accounts, {k: tuple(v) for k, v in old.account_servicers.items()}, corp.ids)
    for userid, (receiving, stop_type) in data["receiving"].items():
        if userid in kf.servicers:  # someone no longer a servicer keeps no status
            kf.servicers[userid].receiving, kf.servicers[userid].stop_type = bool(receiving), int(stop_type)
    kf.log = _build(KfEntry, data["log"])
    kf.sessions = {(s.open_kfid, s.external_userid): s for s in _build(KfSession, data["sessions"])}
    kf.codes = {c.code: dataclasses.replace(c, msgtypes=tuple(c.msgtypes)) for c in _build(KfCode, data["codes"])}
    kf.tokens = {t.token: t for t in _build(SyncToken, data["tokens"])}
    kf.links = {url: (open_kfid, scene) for url, (open_kfid, scene) in data["links"].items()}
    kf._cursor_of_pos = {int(pos): cursor for pos, cursor in data["cursors"]}
    kf._pos_of_cursor = {cursor: pos for pos, cursor in kf._cursor_of_pos.items()}
    return kf


def signin_to_json(corp: CorpState) -> dict[str, Any]:
    return {"openids": corp.signin.openids, "client_member": corp.signin.client_member}


def signin_from_json(corp: CorpState, data: dict[str, Any]) -> None:
    corp.signin.openids = {str(k): str(v) for k, v in data["openids"].items()}
    member = data["client_member"]
    corp.signin.client_member = str(member) if member is not None else None


def jssdk_to_json(corp: CorpState) -> dict[str, Any]:
    desk, now = corp.jssdk, corp.clock.time()
    return {"tickets": _rows(t for t in desk._current.values() if now < t.expires_at),
            "bridges": [{**_row(b), "context": _row(b.context) if b.context else None} for b in desk.bridges.values()],
            "context": _row(desk.context) if desk.context else None,
            "sent": _rows(desk.sent)}


def jssdk_from_json(corp: CorpState, data: dict[str, Any]) -> JsSdkDesk:
    desk = JsSdkDesk(corp.ids)
    tickets = _build(JsTicket, data["tickets"])
    desk.tickets = {t.ticket: t for t in tickets}
    desk._current = {(t.kind, t.secret_kind): t for t in tickets}
    for row in data["bridges"]:
        context = SidebarContext(**row["context"]) if row["context"] else None
        desk.bridges[row["id"]] = Bridge(**{**row, "context": context})
    desk.context = SidebarContext(**data["context"]) if data["context"] else None
    desk.sent = _build(SidebarMessage, data["sent"])
    return desk


def transcripts_to_json(book: Transcripts) -> dict[str, Any]:
    return {"seq": book._seq, "webhooks": book.webhooks,
            **{name: {key: _rows(lines) for key, lines in getattr(book, name).items()}
               for name in ("customers", "staff", "groups")}}


def transcripts_from_json(data: dict[str, Any]) -> Transcripts:
    book = Transcripts()
    book._seq = int(data["seq"])
    book.customers = {key: _build(Line, rows) for key, rows in data["customers"].items()}
    book.staff = {key: _build(Line, rows) for key, rows in data["staff"].items()}
    book.groups = {key: _build(Line, rows) for key, rows in data["groups"].items()}
    book.webhooks = {key: list(bodies) for key, bodies in data["webhooks"].items()}
    return book


# --- the whole corp ---------------------------------------------------------------------------------

def corp_to_json(corp: CorpState) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "corp_id": corp.config.corp_id,
            "ids": ids_to_json(corp), "tokens": tokens_to_json(corp), "contacts": contacts_to_json(corp.contacts),
            "tags": tags_to_json(corp.tags), "groups": groups_to_json(corp.groups), "mass": mass_to_json(corp.mass),
            "kf": kf_to_json(corp), "signin": signin_to_json(corp), "jssdk": jssdk_to_json(corp),
            "transcripts": transcripts_to_json(corp.transcripts)}


def restore_corp(config: EmulatorConfig, clock: Clock, data: object) -> CorpState:
    """A corp of this config with the snapshot's books, built afresh so that a damaged snapshot
    leaves nothing half-restored; SnapshotUnusable says why it cannot be used."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotUnusable("not an emulator snapshot")
    if data.get("version") != VERSION:
        raise SnapshotUnusable(f"version {data.get('version')!r}, this emulator reads {VERSION}")
    if data.get("corp_id") != config.corp_id:
        raise SnapshotUnusable(f"of another corp, {data.get('corp_id')!r}")
    corp = CorpState(config, clock)
    try:
        corp.contacts = contacts_from_json(data["contacts"])
        corp.tags = tags_from_json(data["tags"])
        corp.groups = groups_from_json(data["groups"])
        corp.mass = mass_from_json(data["mass"])
        corp.kf = kf_from_json(corp, data["kf"])
        corp.jssdk = jssdk_from_json(corp, data["jssdk"])
        corp.transcripts = transcripts_from_json(data["transcripts"])
        ids_from_json(corp, data["ids"])
        tokens_from_json(corp, data["tokens"])
        signin_from_json(corp, data["signin"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SnapshotUnusable(f"damaged, {type(exc).__name__} {exc}") from exc
    return corp


class SnapshotFile:
    """One corp's snapshot file: loaded once at start, saved when the corp changed (atomically: a
    temporary file renamed over the old one, so a sandbox killed mid-write leaves the last whole copy)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._written = ""

    def load(self, config: EmulatorConfig, clock: Clock) -> CorpState:
        """The corp kept in the file, or SnapshotUnusable (missing, unreadable, foreign, damaged)."""
        try:
            text = self.path.read_text(encoding="utf-8")
            data = json.loads(text)
        except FileNotFoundError as exc:
            raise SnapshotUnusable("missing") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SnapshotUnusable(f"unreadable, {type(exc).__name__}") from exc
        corp = restore_corp(config, clock, data)
        self._written = text
        return corp

    def save(self, corp: CorpState) -> bool:
        """Write the corp when it differs from what the file holds; True when written."""
        text = json.dumps(corp_to_json(corp), ensure_ascii=False, separators=(",", ":"))
        if text == self._written:
            return False
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds access tokens, if fake ones
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
        self._written = text
        return True
