"""Staff roles: one table for the slash commands and the console. A role may do what every lower
role may: advisor < operator < admin."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADVISOR = "advisor"
    OPERATOR = "operator"
    ADMIN = "admin"


RANK: dict[str, int] = {Role.ADVISOR: 1, Role.OPERATOR: 2, Role.ADMIN: 3}
NAMES: dict[str, str] = {Role.ADVISOR: "顾问", Role.OPERATOR: "运营", Role.ADMIN: "管理员"}


def allows(role: str | None, needed: str) -> bool:
    """May someone with `role` (None: not staff) do what needs `needed`?"""
    return role is not None and RANK.get(role, 0) >= RANK[needed]


def label(role: str) -> str:
    return NAMES.get(role, role)


def member_words(name: str, userid: str) -> str:
    """A member as staff read them everywhere (console, staff replies): 王芳（wang.fang）, or the userid alone
    when no name is on file."""
    return f"{name}（{userid}）" if name else userid
