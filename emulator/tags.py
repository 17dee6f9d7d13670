"""The corp customer-tag library (企业客户标签, customer-contact.md §6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_CORP_TAGS = 3000


@dataclass(slots=True)
class Tag:
    id: str
    name: str
    group_id: str
    create_time: int
    order: int = 0
    by_app: bool = False  # apps may edit/delete only the tags they created


@dataclass(slots=True)
class TagGroup:
    group_id: str
    group_name: str
    create_time: int
    order: int = 0
    tags: list[Tag] = field(default_factory=list)
    by_app: bool = False


class TagLibrary:
    def __init__(self) -> None:
        self.groups: dict[str, TagGroup] = {}

    def tag(self, tag_id: str) -> Tag | None:
        for group in self.groups.values():
            for tag in group.tags:
                if tag.id == tag_id:
                    return tag
        return None

    def group_by_name(self, name: str) -> TagGroup | None:
        return next((g for g in self.groups.values() if g.group_name == name), None)

    def find(self, id_or_name: str) -> Tag | None:
        """A tag by id, else by unique name; lets scripts say "展会" instead of an et… id."""
        tag = self.tag(id_or_name)
        if tag:
            return tag
        named = [t for g in self.groups.values() for t in g.tags if t.name == id_or_name]
        return named[0] if len(named) == 1 else None

    def count(self) -> int:
        return sum(len(g.tags) for g in self.groups.values())

    def add_group(self, group: TagGroup) -> TagGroup:
        self.groups[group.group_id] = group
        return group

    def delete_tag(self, tag_id: str) -> Tag | None:
        for group in self.groups.values():
            for tag in group.tags:
                if tag.id == tag_id:
                    group.tags.remove(tag)
                    return tag
        return None

    def tag_json(self, tag: Tag, *, with_deleted: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"id": tag.id, "name": tag.name, "create_time": tag.create_time,
                               "order": tag.order}
        if with_deleted:
            out["deleted"] = False
        return out

    def group_json(self, group: TagGroup, tags: list[Tag] | None = None, *,
                   with_deleted: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"group_id": group.group_id, "group_name": group.group_name,
                               "create_time": group.create_time, "order": group.order}
        if with_deleted:
            out["deleted"] = False
        out["tag"] = [self.tag_json(t, with_deleted=with_deleted)
                      for t in (group.tags if tags is None else tags)]
        return out
