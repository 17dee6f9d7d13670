"""[channels.<state>]: what each acquisition channel (a contact way's State, or a kf scene) means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import ConfigError

if TYPE_CHECKING:
    from bot.config import Config

NAME_TAG_GROUP = "渠道"  # a channel's tag in this group ("渠道:春日焕新") names it when `name` is not set


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    """One acquisition channel, keyed by the contact way's State (or a kf scene)."""

    name: str = ""  # what managers read in the digest, the console, /whois and the sidebar; default: its 渠道 tag
    welcome: str = ""  # persona overlay [channels.<welcome>] for this channel's texts; default: the state
    tags: tuple[str, ...] = ()  # "group:name" tags every customer of this channel gets
    advisor: str = ""  # staff userid assigned as the customer's advisor
    stage: str = ""  # lifecycle stage the customer starts in (a persona [stages.<name>])
    link_title: str = ""  # optional link card after the welcome text (customer-contact.md §7)
    link_url: str = ""
    link_desc: str = ""
    link_picurl: str = ""
    miniprogram_title: str = ""  # optional mini-program card; needs all four miniprogram_* keys
    miniprogram_appid: str = ""
    miniprogram_page: str = ""
    miniprogram_pic_media_id: str = ""

    def check(self, where: str) -> None:
        if len(where.partition(".")[2]) > 30:
            raise ConfigError(where, "a contact way's state is at most 30 characters")
        if len(self.name) > 30:
            raise ConfigError(f"{where}.name", "at most 30 characters")
        for tag in self.tags:
            group, sep, name = tag.partition(":")
            if not sep or not group.strip() or not name.strip():
                raise ConfigError(f"{where}.tags", f'tag {tag!r} must look like "group:name"')
        if bool(self.link_title) != bool(self.link_url):
            raise ConfigError(f"{where}.link_url", "a link needs both link_title and link_url")
        for key, limit in (("link_title", 128), ("link_desc", 512), ("miniprogram_title", 64)):
            if len(getattr(self, key).encode("utf-8")) > limit:
                raise ConfigError(f"{where}.{key}", f"at most {limit} bytes (customer-contact.md §7)")
        mp = [self.miniprogram_title, self.miniprogram_appid, self.miniprogram_page, self.miniprogram_pic_media_id]
        if any(mp) and not all(mp):
            raise ConfigError(f"{where}.miniprogram_appid", "a mini-program card needs title, appid, page and "
                                                            "pic_media_id")

    @property
    def label(self) -> str:
        """The channel's name for managers: `name`, else the name of its 渠道 tag, else ""."""
        named = (tag.partition(":")[2].strip() for tag in self.tags if tag.partition(":")[0].strip() == NAME_TAG_GROUP)
        return self.name.strip() or next(named, "")


def channel_names(config: Config) -> dict[str, str]:
    """Each configured state's name, for those that have one (the digest's vocabulary "channel")."""
    return {state: channel.label for state, channel in config.tables(ChannelConfig).items() if channel.label}


def channel_name(config: Config, state: str) -> str:
    """How managers read a customer's channel: its name, the state as stored when it has none (or is unknown)."""
    return channel_names(config).get(state, state) if state else ""
