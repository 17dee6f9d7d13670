"""Customers, their relations with staff (follow_user), welcome codes and 「联系我」 configs."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲建林晨宇浩然"
         "欣怡梓涵子轩雨桐思雨佳琪一诺晓琳婷慧颖雪梅")


def demo_name(rng: random.Random) -> str:
    """A plausible Chinese name (surname + one or two given characters) for a generated customer."""
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


@dataclass(slots=True)
class Customer:
    """A WeChat user as the corp sees them; one external_userid across contacts and kf."""

    external_userid: str
    name: str
    avatar: str = ""
    type: int = 1  # 1 WeChat user, 2 WeCom user
    gender: int = 0
    unionid: str = ""

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"external_userid": self.external_userid, "name": self.name,
                                  "avatar": self.avatar, "type": self.type, "gender": self.gender}
        if self.unionid:
            out["unionid"] = self.unionid
        return out


@dataclass(slots=True)
class Follow:
    """One staff member's relation with a customer (externalcontact/get follow_user item)."""

    userid: str
    external_userid: str
    createtime: int
    state: str = ""
    remark: str = ""
    description: str = ""
    tag_ids: list[str] = field(default_factory=list)
    add_way: int = 1
    oper_userid: str = ""
    half: bool = False  # add_half_external_contact: the member has not added back yet
    remark_mobiles: list[str] = field(default_factory=list)


@dataclass(slots=True)
class WelcomeCode:
    code: str
    userid: str
    external_userid: str
    issued_at: float
    used_at: float | None = None


@dataclass(slots=True)
class ContactWay:
    config_id: str
    type: int
    scene: int
    state: str
    users: list[str]
    remark: str = ""
    skip_verify: bool = True
    qr_code: str = ""
    created_at: int = 0


class ContactBook:
    """Who is whose customer; the API reads it and the scripting side changes it."""

    def __init__(self) -> None:
        self.customers: dict[str, Customer] = {}
        self.follows: dict[tuple[str, str], Follow] = {}  # (external_userid, userid)
        self.welcome_codes: dict[str, WelcomeCode] = {}
        self.contact_ways: dict[str, ContactWay] = {}
        self.welcomed: set[tuple[str, str]] = set()  # (external_userid, userid) that got a welcome

    def follow(self, external_userid: str, userid: str) -> Follow | None:
        return self.follows.get((external_userid, userid))

    def follows_of(self, external_userid: str) -> list[Follow]:
        found = [f for (ext, _), f in self.follows.items() if ext == external_userid]
        return sorted(found, key=lambda f: f.createtime)

    def customers_of(self, userid: str) -> list[str]:
        return [ext for (ext, uid) in self.follows if uid == userid]

    def add_follow(self, follow: Follow) -> Follow:
        self.follows[(follow.external_userid, follow.userid)] = follow
        return follow

    def remove_follow(self, external_userid: str, userid: str) -> Follow | None:
        return self.follows.pop((external_userid, userid), None)

    def remove_tag_everywhere(self, tag_id: str) -> None:
        for f in self.follows.values():
            if tag_id in f.tag_ids:
                f.tag_ids.remove(tag_id)

    def contact_way_by_state(self, state: str) -> ContactWay | None:
        return next((w for w in self.contact_ways.values() if w.state == state), None)
