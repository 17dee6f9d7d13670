"""[orders]: the shared secret shops sign with, the accepted clock skew and body size, the channels,
a small mapping of shop buyer ids to customers, and the shipping promise the chat quotes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.checks import pairs
from bot.errors import ConfigError

DEFAULT_CHANNELS = ("小程序", "天猫", "京东", "门店", "有赞", "抖音", "拼多多", "其他")


@dataclass(frozen=True, slots=True)
class OrdersConfig:
    secret: str = ""  # HMAC-SHA256 key; "" = POST /api/orders answers 503 (WANZI_ORDERS__SECRET)
    timestamp_window_s: int = 300  # X-Wanzi-Timestamp may differ from our clock by this much
    max_body_bytes: int = 65536
    channels: tuple[str, ...] = DEFAULT_CHANNELS
    buyers: tuple[str, ...] = ()  # "buyer_id=external_userid": shop accounts known to be a customer
    # The shop's promise to customers asking about their order in the chat: a paid order ships within
    # this many hours; an older one a customer asks about goes to a person. 0 = no promise is made.
    ship_within_hours: int = 48

    def check(self, where: str) -> None:
        if self.secret and len(self.secret) < 16:
            raise ConfigError(f"{where}.secret", "must be at least 16 characters (or empty: the API is off)")
        if self.timestamp_window_s < 1:
            raise ConfigError(f"{where}.timestamp_window_s", "must be a number of seconds ≥ 1")
        if not 1024 <= self.max_body_bytes <= 10 * 1024 * 1024:
            raise ConfigError(f"{where}.max_body_bytes", "must be between 1024 and 10485760")
        if not self.channels or any(not c.strip() or len(c) > 16 for c in self.channels):
            raise ConfigError(f"{where}.channels", "must list channel names of 1 to 16 characters")
        if not 0 <= self.ship_within_hours <= 24 * 90:
            raise ConfigError(f"{where}.ship_within_hours", "must be a number of hours from 0 (no promise) to 2160")
        self.buyer_map(where)

    def buyer_map(self, where: str = "orders") -> dict[str, str]:
        return pairs(f"{where}.buyers", self.buyers)
