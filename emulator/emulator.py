"""One fake WeCom corp for tests, the sandbox and benchmarks: API host + callback pusher + scripts.

    emu = Emulator(EmulatorConfig(), clock=clock)
    await emu.start()                       # API at emu.base_url, console at emu.base_url + "/console"
    emu.connect("http://127.0.0.1:8080/wecom/callback")
    delivery = await emu.add_friend("zhang.wei", "wmDemo01", state="expo")
    ...
    assert emu.calls("externalcontact/send_welcome_msg")
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from aiohttp import web

from bot.clock import Clock, SystemClock
from emulator import callback_xml as cx
from emulator.api import create_api_app
from emulator.calls import CallLog, RecordedCall
from emulator.config import EmulatorConfig
from emulator.driver import CallbackDriver, Delivery
from emulator.faults import Faults
from emulator.groups import GroupChat
from emulator.kf_desk import KfSession
from emulator.scripts_contacts import ContactScripts
from emulator.scripts_groups import GroupScripts
from emulator.scripts_kf import KfScripts
from emulator.scripts_staff_web import StaffWebScripts
from emulator.state import CorpState
from emulator.transcript import Line


class Emulator(ContactScripts, GroupScripts, KfScripts, StaffWebScripts):
    """The corp's state, the recorded API calls and the callback driver, behind one scripting API."""

    def __init__(self, config: EmulatorConfig | None = None, *, clock: Clock | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.clock = clock or SystemClock()
        self.corp = CorpState(self.config, self.clock)
        self.call_log = CallLog()
        self.faults = Faults()
        self.driver: CallbackDriver | None = None
        self._retired_drivers: list[CallbackDriver] = []
        self.deliveries: list[Delivery] = []
        self.changes = 0  # served requests that may have changed the corp (api.count_changes)
        self._runner: web.AppRunner | None = None
        self._base_url = ""

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve the API (and console) on a real socket; returns the base URL."""
        self._runner = web.AppRunner(create_api_app(self), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self._base_url = f"http://{bound_host}:{bound_port}"
        return self._base_url

    async def stop(self) -> None:
        for driver in [*self._retired_drivers, self.driver]:
            if driver is not None:
                await driver.close()
        self._retired_drivers.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """e.g. http://127.0.0.1:54321 — the bot's `api_base`; the API lives under /cgi-bin/."""
        if not self._base_url:
            raise RuntimeError("Emulator.start() has not been awaited")
        return self._base_url

    def connect(self, callback_url: str, *, agent_id: int | None = None) -> CallbackDriver:
        """Where callbacks go from now on (the URL the admin saved in the console)."""
        cfg = self.config
        if self.driver is not None:
            self._retired_drivers.append(self.driver)  # its HTTP session is closed by stop()
        self.driver = CallbackDriver(callback_url, cfg.crypto(), cfg.corp_id,
                                     cfg.agent_id if agent_id is None else agent_id, clock=self.clock,
                                     timeout=cfg.callback_timeout, retries=cfg.callback_retries,
                                     retry_delay=cfg.callback_retry_delay)
        return self.driver

    async def deliver(self, plain_xml: str) -> Delivery:
        """Push one plaintext callback; unconnected emulators keep it, unsent (Delivery.sent is False)."""
        delivery = await self.driver.send(plain_xml) if self.driver else Delivery(plain_xml)
        self.deliveries.append(delivery)
        return delivery

    async def verify_url(self) -> tuple[int | str, str, str]:
        """The GET echostr check; (status, body, expected plaintext)."""
        if self.driver is None:
            raise RuntimeError("connect() a callback URL first")
        return await self.driver.verify_url()

    # --- switches on the API host ----------------------------------------------------------------

    def invalidate_tokens(self) -> None:
        """Drop every access_token early: later use answers 40014 (expiry by clock answers 42001)."""
        self.corp.tokens.invalidate_all()

    def forbid(self, secret_kind: str, api: str) -> None:
        """Tokens of this secret get 48002 on `api` (e.g. "externalcontact/add_corp_tag")."""
        self.corp.forbidden.setdefault(secret_kind, set()).add(api)

    # --- staff and the self-built app --------------------------------------------------------------

    async def staff_sends(self, userid: str, text: str) -> Delivery:
        """A member texts the self-built app; a passive reply, if any, lands in their transcript."""
        corp, now = self.corp, self.clock.time()
        self._require_staff(userid)
        corp.transcripts.to_staff(userid, at=now, who="staff", text=text, via="staff_sends")
        delivery = await self.deliver(cx.app_text(corp.config.corp_id, userid, int(now), text,
                                                  corp.ids.app_msg_id(), corp.config.agent_id))
        if delivery.reply_fields:
            reply_type = str(delivery.reply_fields.get("MsgType", ""))
            text_out = str(delivery.reply_fields.get("Content", "")) if reply_type == "text" else f"[{reply_type}]"
            corp.transcripts.to_staff(userid, at=self.clock.time(), who="bot", text=text_out,
                                      via="passive_reply", msgtype=reply_type)
        return delivery

    async def staff_enters_app(self, userid: str) -> Delivery:
        """enter_agent: the member opened the app's chat."""
        self._require_staff(userid)
        return await self.deliver(cx.app_event(self.config.corp_id, userid, self.corp.now(), "enter_agent",
                                                self.config.agent_id))

    # --- views for assertions --------------------------------------------------------------------

    def calls(self, path_suffix: str = "") -> list[RecordedCall]:
        """Recorded API calls whose path ends with the suffix, e.g. calls("kf/send_msg")."""
        return self.call_log.find(path_suffix)

    def customer_inbox(self, external_userid: str) -> list[str]:
        """Texts the customer received from the bot's API calls (welcome, kf send_msg/on_event, mass)."""
        return [line.text for line in self.customer_transcript(external_userid) if line.who == "bot"]

    def customer_transcript(self, external_userid: str) -> list[Line]:
        """The customer's whole conversation in order: their messages, bot, servicer and system lines."""
        return list(self.corp.transcripts.customers.get(external_userid, []))

    def staff_inbox(self, userid: str) -> list[str]:
        """Texts the member received from the app (message/send and passive replies)."""
        return [line.text for line in self.staff_transcript(userid) if line.who == "bot"]

    def staff_transcript(self, userid: str) -> list[Line]:
        return list(self.corp.transcripts.staff.get(userid, []))

    def group_inbox(self, chat_id: str) -> list[str]:
        return [line.text for line in self.corp.transcripts.groups.get(chat_id, [])]

    def webhook_messages(self, key: str | None = None) -> list[dict[str, Any]]:
        """Bodies accepted by webhook/send for a robot key (default: the first configured key)."""
        return list(self.corp.transcripts.webhooks.get(key or self.config.webhook_keys[0], []))

    def corp_tags(self) -> dict[str, dict[str, str]]:
        """{group_name: {tag_name: tag_id}} of the live tag library."""
        return {g.group_name: {t.name: t.id for t in g.tags} for g in self.corp.tags.groups.values()}

    def tag_id(self, name: str) -> str:
        tag = self.corp.tags.find(name)
        if tag is None:
            raise KeyError(name)
        return tag.id

    def customer_tags(self, staff: str, external_userid: str) -> list[str]:
        """Names of the corp tags `staff` has on this customer, in the order they were added."""
        follow = self.corp.contacts.follow(external_userid, staff)
        if follow is None:
            return []
        return [t.name for t in map(self.corp.tags.tag, follow.tag_ids) if t is not None]

    def kf_session(self, external_userid: str, open_kfid: str | None = None) -> KfSession | None:
        """The customer's kf session (state, servicer, window counters), None if they never came."""
        return self.corp.kf.sessions.get((self._kf(open_kfid), external_userid))

    def group(self, chat_id: str) -> GroupChat:
        return self.corp.groups.chats[chat_id]
