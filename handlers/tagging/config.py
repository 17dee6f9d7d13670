"""[tagging]: mirroring local tags to WeCom and extra tagging rules."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TaggingConfig:
    mirror: bool = True  # mirror local tags to WeCom corp tags (add_corp_tag + mark_tag)
    rules_path: str = ""  # extra [[rules]] on top of the persona's
