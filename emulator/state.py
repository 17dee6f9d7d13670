"""In-memory state of one fake corp: the books every API handler and script works on."""

from __future__ import annotations

from bot.clock import Clock
from emulator.config import EmulatorConfig
from emulator.contacts import ContactBook
from emulator.groups import GroupBook
from emulator.ids import IdMaker
from emulator.jssdk import JsSdkDesk
from emulator.kf_desk import KfDesk
from emulator.limits import RateLimiter
from emulator.mass import MassBook
from emulator.oauth import SignInDesk
from emulator.tags import Tag, TagGroup, TagLibrary
from emulator.tokens import TokenStore
from emulator.transcript import Transcripts


class CorpState:
    """Composition root of the corp's books; it holds data and small lookups, not protocol rules."""

    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.ids = IdMaker(config.seed)
        self.tokens = TokenStore(clock, self.ids, config.token_ttl)
        self.limiter = RateLimiter(clock)
        self.contacts = ContactBook()
        self.tags = TagLibrary()
        self.groups = GroupBook()
        self.mass = MassBook()
        self.kf = KfDesk(dict(config.kf_accounts), {k: tuple(config.kf_account_servicers.get(k, config.kf_servicers))
                                                    for k in config.kf_accounts}, self.ids)
        self.signin = SignInDesk(self.ids)
        self.jssdk = JsSdkDesk(self.ids)
        self.transcripts = Transcripts()
        self.forbidden: dict[str, set[str]] = {}  # secret kind -> APIs answering 48002
        self._seed_tags()

    def now(self) -> int:
        return int(self.clock.time())

    def is_staff(self, userid: str) -> bool:
        return userid in self.config.staff

    def staff_name(self, userid: str) -> str:
        return self.config.staff.get(userid, userid)

    def display_name(self, userid: str) -> str:
        """Staff name for a userid, customer name for an external_userid."""
        if userid in self.config.staff:
            return self.config.staff[userid]
        customer = self.contacts.customers.get(userid)
        return customer.name if customer else userid

    def _seed_tags(self) -> None:
        now = self.now()
        for g_order, (group_name, names) in enumerate(self.config.corp_tags.items()):
            group = self.tags.add_group(TagGroup(self.ids.make("et", 30), group_name, now,
                                                 order=len(self.config.corp_tags) - g_order))
            for t_order, name in enumerate(names):
                group.tags.append(Tag(self.ids.make("et", 30), name, group.group_id, now,
                                      order=len(names) - t_order))
