"""Scripts for customer contacts and the tag library: adds, deletes, edits, admin tag changes.

Each one changes the corp the way the client/admin UI would and then sends the callback that
UI action produces (customer-contact.md §1, §3).
"""

from __future__ import annotations

from collections.abc import Sequence

from emulator import callback_xml as cx
from emulator.contacts import Follow, WelcomeCode
from emulator.driver import Delivery
from emulator.scripting import ScriptBase
from emulator.tags import Tag, TagGroup


class ContactScripts(ScriptBase):
    async def add_friend(self, staff: str, external_userid: str | None = None, *, state: str = "",
                         name: str = "", welcome: bool = True, half: bool = False,
                         add_way: int = 1) -> Delivery:
        """A customer adds `staff` (QR scan by default): add_external_contact, or add_half_… when `half`.

        A WelcomeCode is issued unless `welcome` is False (the member has a console welcome) or this
        customer was already welcomed by this member (e.g. from the half-add's code)."""
        corp = self.corp
        self._require_staff(staff)
        customer = self._customer(external_userid, name)
        ext, now = customer.external_userid, corp.now()
        follow = corp.contacts.follow(ext, staff)
        if follow is None:
            follow = corp.contacts.add_follow(Follow(staff, ext, now, state=state, add_way=add_way,
                                                     oper_userid=ext, half=half))
        else:
            follow.half = half and follow.half
            follow.state = state or follow.state
        code = None
        if welcome and (ext, staff) not in corp.contacts.welcomed:
            code = WelcomeCode(corp.ids.make("", 43), staff, ext, corp.clock.time())
            corp.contacts.welcome_codes[code.code] = code
        change = "add_half_external_contact" if half else "add_external_contact"
        self._system_line(ext, f"添加了{corp.staff_name(staff)}为好友（渠道：{state or '无'}）", change)
        return await self.deliver(cx.contact_event(corp.config.corp_id, now, change, staff, ext, state=state,
                                                   welcome_code=code.code if code else None))

    async def customer_scans(self, config_id: str, external_userid: str | None = None, *,
                             name: str = "", staff: str | None = None) -> Delivery:
        """A customer scans a 「联系我」 QR code made with add_contact_way: its `state` travels along."""
        way = self.corp.contacts.contact_ways.get(config_id)
        if way is None:
            raise ValueError(f"no contact way {config_id!r}")
        member = staff or way.users[0]
        return await self.add_friend(member, external_userid, state=way.state, name=name)

    async def customer_deletes_staff(self, staff: str, external_userid: str) -> Delivery:
        """del_follow_user: the customer removed the member (we drop the relation; unconfirmed)."""
        self._drop_follow(staff, external_userid)
        self._system_line(external_userid, f"删除了{self.corp.staff_name(staff)}", "del_follow_user")
        return await self.deliver(cx.contact_event(self.corp.config.corp_id, self.corp.now(), "del_follow_user",
                                                   staff, external_userid))

    async def staff_deletes_customer(self, staff: str, external_userid: str, *,
                                     by_transfer: bool = False) -> Delivery:
        """del_external_contact; Source=DELETE_BY_TRANSFER when it happened through 在职继承."""
        self._drop_follow(staff, external_userid)
        self._system_line(external_userid, f"被{self.corp.staff_name(staff)}删除", "del_external_contact")
        return await self.deliver(cx.contact_event(
            self.corp.config.corp_id, self.corp.now(), "del_external_contact", staff, external_userid,
            source="DELETE_BY_TRANSFER" if by_transfer else None))

    async def staff_edits_customer(self, staff: str, external_userid: str, *, remark: str | None = None,
                                   description: str | None = None, add_tags: Sequence[str] = (),
                                   remove_tags: Sequence[str] = ()) -> Delivery:
        """The member edits remark/description/corp tags in the client → edit_external_contact.

        Tags may be given by id or by (unique) name."""
        follow = self._follow(staff, external_userid)
        if remark is not None:
            follow.remark = remark
        if description is not None:
            follow.description = description
        for tag in map(self._tag, add_tags):
            if tag.id not in follow.tag_ids:
                follow.tag_ids.append(tag.id)
        for tag in map(self._tag, remove_tags):
            if tag.id in follow.tag_ids:
                follow.tag_ids.remove(tag.id)
        return await self.deliver(cx.contact_event(self.corp.config.corp_id, self.corp.now(),
                                                   "edit_external_contact", staff, external_userid))

    async def transfer_fails(self, staff: str, external_userid: str,
                             reason: str = "customer_refused") -> Delivery:
        """transfer_fail: `staff` is the take-over member; reason customer_refused / customer_limit_exceed."""
        self._require_staff(staff)
        return await self.deliver(cx.contact_event(self.corp.config.corp_id, self.corp.now(), "transfer_fail",
                                                   staff, external_userid, fail_reason=reason))

    # --- the admin console's tag library (change_external_tag) ---------------------------------

    async def admin_adds_tag(self, group_name: str, tag_name: str, *, order: int = 0) -> Delivery:
        """A new tag; a new group too when `group_name` is new (then one tag_group event, unconfirmed)."""
        corp, now = self.corp, self.corp.now()
        group = corp.tags.group_by_name(group_name)
        new_group = group is None
        if group is None:
            group = corp.tags.add_group(TagGroup(corp.ids.make("et", 30), group_name, now))
        if any(t.name == tag_name for t in group.tags):
            raise ValueError(f"tag {tag_name!r} already exists in {group_name!r}")
        tag = Tag(corp.ids.make("et", 30), tag_name, group.group_id, now, order=order)
        group.tags.append(tag)
        ident, tag_type = (group.group_id, "tag_group") if new_group else (tag.id, "tag")
        return await self.deliver(cx.tag_event(corp.config.corp_id, now, "create", ident, tag_type))

    async def admin_renames_tag(self, id_or_name: str, new_name: str) -> Delivery:
        corp = self.corp
        group = corp.tags.groups.get(id_or_name) or corp.tags.group_by_name(id_or_name)
        if group is not None:
            group.group_name = new_name
            return await self.deliver(cx.tag_event(corp.config.corp_id, corp.now(), "update", group.group_id,
                                                   "tag_group"))
        tag = self._tag(id_or_name)
        tag.name = new_name
        return await self.deliver(cx.tag_event(corp.config.corp_id, corp.now(), "update", tag.id, "tag"))

    async def admin_deletes_tag(self, id_or_name: str) -> Delivery:
        """Deleting a group removes its tags with ONE event, not one per tag (customer-contact.md §3)."""
        corp = self.corp
        group = corp.tags.groups.get(id_or_name) or corp.tags.group_by_name(id_or_name)
        if group is not None:
            for tag in group.tags:
                corp.contacts.remove_tag_everywhere(tag.id)
            del corp.tags.groups[group.group_id]
            return await self.deliver(cx.tag_event(corp.config.corp_id, corp.now(), "delete", group.group_id,
                                                   "tag_group"))
        tag = self._tag(id_or_name)
        corp.tags.delete_tag(tag.id)
        corp.contacts.remove_tag_everywhere(tag.id)
        return await self.deliver(cx.tag_event(corp.config.corp_id, corp.now(), "delete", tag.id, "tag"))

    async def admin_reorders_tags(self, group_id: str = "") -> Delivery:
        """shuffle: Id = the group whose tags moved, empty = the order of all groups changed."""
        corp = self.corp
        if group_id:
            group = corp.tags.groups[group_id]
            group.tags.reverse()
            for i, tag in enumerate(group.tags):
                tag.order = len(group.tags) - i
        return await self.deliver(cx.tag_event(corp.config.corp_id, corp.now(), "shuffle", group_id))

    # --- helpers ---------------------------------------------------------------------------------

    def _follow(self, staff: str, external_userid: str) -> Follow:
        follow = self.corp.contacts.follow(external_userid, self._require_staff(staff))
        if follow is None:
            raise ValueError(f"{external_userid!r} is not a customer of {staff!r}")
        return follow

    def _drop_follow(self, staff: str, external_userid: str) -> None:
        self._follow(staff, external_userid)
        self.corp.contacts.remove_follow(external_userid, staff)

    def _tag(self, id_or_name: str) -> Tag:
        tag = self.corp.tags.find(id_or_name)
        if tag is None:
            raise ValueError(f"no corp tag with id or unique name {id_or_name!r}")
        return tag
