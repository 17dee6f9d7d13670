"""Base of the scripting mixins: what a script needs from the Emulator (state + delivery)."""

from __future__ import annotations

from emulator.contacts import Customer, demo_name
from emulator.driver import Delivery
from emulator.state import CorpState


class ScriptBase:
    """Scripts act as people would in the WeChat/WeCom clients: change state, then call back."""

    corp: CorpState

    async def deliver(self, plain_xml: str) -> Delivery:
        raise NotImplementedError

    def _require_staff(self, userid: str) -> str:
        if not self.corp.is_staff(userid):
            raise ValueError(f"unknown staff userid {userid!r}; configured: {sorted(self.corp.config.staff)}")
        return userid

    def _customer(self, external_userid: str | None, name: str = "") -> Customer:
        """The customer with this id, created (with a demo Chinese name) when new."""
        corp = self.corp
        ext = external_userid or corp.ids.make("wm", 32)
        customer = corp.contacts.customers.get(ext)
        if customer is None:
            # unionid only with a bound WeChat Open Platform account, for WeChat users (doc 92114)
            unionid = corp.ids.make("o", 28) if corp.config.open_platform_bound else ""
            customer = Customer(ext, name or demo_name(corp.ids.rng), avatar=f"https://example.invalid/avatar/{ext}.png",
                                gender=corp.ids.rng.choice((1, 2)), unionid=unionid)
            corp.contacts.customers[ext] = customer
        elif name:
            customer.name = name
        return customer

    def _system_line(self, ext: str, text: str, via: str) -> None:
        self.corp.transcripts.to_customer(ext, at=self.corp.clock.time(), who="system", text=text, via=via)
