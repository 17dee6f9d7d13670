"""[tagging]: mirroring local tags to WeCom and extra tagging rules."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import ConfigError


@dataclass(frozen=True, slots=True)
class TaggingConfig:
    mirror: bool = True  # mirror local tags to WeCom corp tags (add_corp_tag + mark_tag)
    rules_path: str = ""  # extra [[rules]] on top of the persona's
    # a stage entered mid-chat pushes its content once the chat (in and out) has been quiet this long;
    # 0 = at once, right after the answer
    stage_push_quiet_min: int = 10

    def check(self, where: str) -> None:
        if self.stage_push_quiet_min < 0:
            raise ConfigError(f"{where}.stage_push_quiet_min", "must be ≥ 0")
