"""Outbound to staff: app messages (message/send) and the group-robot webhook (outbound.md)."""

from __future__ import annotations

from typing import Any

from emulator.api import ApiRequest, Endpoint
from emulator.checks import max_bytes, nbytes, obj, string, truncate_bytes
from emulator.envelope import ApiReject
from emulator.state import CorpState
from emulator.transcript import summarize

APP_MSGTYPES = ("text", "image", "voice", "video", "file", "textcard", "news", "mpnews", "markdown",
                "miniprogram_notice", "template_card")
CARD_TYPES = ("text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction")
CARDS_WITH_RESPONSE_CODE = ("button_interaction", "vote_interaction", "multiple_interaction")
WEBHOOK_MSGTYPES = ("text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card")
ROOT_DEPARTMENT = "1"  # we model one department holding every member (unconfirmed simplification)


def endpoints() -> list[Endpoint]:
    return [
        # app messages have their own per-member caps and are not in the per-API minute limit
        Endpoint("message/send", message_send, counted=False),
        Endpoint("webhook/send", webhook_send, auth=False, counted=False),
    ]


def _ids(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def message_send(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST message/send (doc 90236): partial invalid recipients are listed, all invalid → 81013."""
    body, cfg, now = req.body, corp.config, corp.clock.time()
    agentid = body.get("agentid")
    if agentid in (None, ""):
        raise ApiReject(41011)
    if str(agentid) != str(cfg.agent_id):
        raise ApiReject(40056)
    msgtype = string(body, "msgtype")
    if msgtype not in APP_MSGTYPES:
        raise ApiReject(40008)
    touser, toparty, totag = string(body, "touser"), str(body.get("toparty") or ""), str(body.get("totag") or "")
    if not (touser or toparty or totag):
        raise ApiReject(82001)
    content = _app_content(msgtype, obj(body, msgtype))

    staff_by_lower = {u.lower(): u for u in cfg.staff}
    recipients: list[str] = []
    invalid_users: list[str] = []
    invalid_parties: list[str] = []
    if touser == "@all":
        recipients = list(cfg.staff)
    else:
        for user in _ids(touser):
            if user.lower() in staff_by_lower:
                recipients.append(staff_by_lower[user.lower()])
            else:
                invalid_users.append(user.lower())  # returned lower-cased (doc 90236)
        for party in _ids(toparty):
            if party == ROOT_DEPARTMENT:
                recipients.extend(cfg.staff)
            else:
                invalid_parties.append(party)
    invalid_tags = _ids(totag) if touser != "@all" else []  # no member tags are modelled
    recipients = list(dict.fromkeys(recipients))
    if not recipients:
        raise ApiReject(81013)

    text = summarize(msgtype, content)
    for userid in recipients:
        # ≤30 per app per member per minute; the excess is dropped without an error (outbound.md §1)
        if corp.limiter.allow(f"app-message:{userid}", cfg.app_msg_per_member_per_minute):
            corp.transcripts.to_staff(userid, at=now, who="bot", text=text, via="message/send",
                                      msgtype=msgtype, body=content)
    out: dict[str, Any] = {"invaliduser": "|".join(invalid_users), "invalidparty": "|".join(invalid_parties),
                           "invalidtag": "|".join(invalid_tags), "unlicenseduser": "",
                           "msgid": corp.ids.make("", 44)}
    if msgtype == "template_card" and content.get("card_type") in CARDS_WITH_RESPONSE_CODE:
        out["response_code"] = corp.ids.make("", 40)
    return out


def _app_content(msgtype: str, content: dict[str, Any]) -> dict[str, Any]:
    """Validated (and, where the doc says so, truncated) message object."""
    content = dict(content)
    if msgtype == "text":
        text = str(content.get("content", ""))
        if not text:
            raise ApiReject(44004)
        content["content"] = truncate_bytes(text, 2048)  # "超过将截断": longer text is cut, not refused
    elif msgtype == "markdown":
        text = str(content.get("content", ""))
        if not text:
            raise ApiReject(44004)
        max_bytes("markdown.content", text, 2048)  # refused rather than cut (unconfirmed)
    elif msgtype == "textcard":
        for key, code in (("title", 41016), ("description", 41033), ("url", 41010)):
            if not content.get(key):
                raise ApiReject(code)
        max_bytes("textcard.url", str(content["url"]), 2048)
        # title/description/btntxt are cut when too long (doc 90236; byte vs char unit unconfirmed)
        content["title"] = truncate_bytes(str(content["title"]), 128)
        content["description"] = truncate_bytes(str(content["description"]), 512)
        if content.get("btntxt"):
            content["btntxt"] = str(content["btntxt"])[:4]
    elif msgtype in ("news", "mpnews"):
        articles = content.get("articles")
        if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
            raise ApiReject(45008)
    elif msgtype == "template_card":
        if content.get("card_type") not in CARD_TYPES:
            raise ApiReject(40058)
    elif msgtype in ("image", "voice", "video", "file"):
        if not content.get("media_id"):
            raise ApiReject(41006)
    return content


def webhook_send(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST webhook/send?key= (doc 91770): 93000 unknown key, 20 messages/min per robot → 45009."""
    key = req.query.get("key", "")
    if key not in corp.config.webhook_keys:
        raise ApiReject(93000)
    if not corp.limiter.allow(f"webhook:{key}", corp.config.webhook_per_minute):
        raise ApiReject(45009)
    body = req.body
    msgtype = string(body, "msgtype")
    if msgtype not in WEBHOOK_MSGTYPES:
        raise ApiReject(40008)
    content = obj(body, msgtype)
    if msgtype == "text":
        text = str(content.get("content", ""))
        if not text:
            raise ApiReject(44004)
        max_bytes("text.content", text, 2048)
    elif msgtype in ("markdown", "markdown_v2"):
        text = str(content.get("content", ""))
        if not text:
            raise ApiReject(44004)
        max_bytes(f"{msgtype}.content", text, 4096)  # observed: "markdown.content exceed max length 4096."
    elif msgtype == "news":
        articles = content.get("articles")
        if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
            raise ApiReject(40058)
        for article in articles:
            if not isinstance(article, dict) or not article.get("title") or not article.get("url"):
                raise ApiReject(40058)
            if nbytes(str(article["title"])) > 128 or nbytes(str(article.get("description", ""))) > 512:
                raise ApiReject(40058)
    elif msgtype == "image":
        if not content.get("base64") or not content.get("md5"):
            raise ApiReject(40058)
    elif msgtype in ("file", "voice"):
        if not content.get("media_id"):
            raise ApiReject(40058)
    elif msgtype == "template_card":
        if content.get("card_type") not in ("text_notice", "news_notice") or not content.get("card_action"):
            raise ApiReject(40058)
    corp.transcripts.webhooks.setdefault(key, []).append(dict(body))
    return {}
