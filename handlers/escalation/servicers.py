"""Are the people Wanzi hands kf chats to servicers of the kf account? Asked before anyone needs it.

WeCom refuses a transfer to a member who is not a receptionist (接待人员) of the account with
95014 (kf.md §6, §8). Advisors, leads and channel advisors are configured in Wanzi, servicers in
WeCom's 微信客服 admin, so the two lists drift apart; `kf/servicer/list` (kf.md §7) tells which
configured people are missing. Run at start-up (logged) and by `wanzi config check` (printed).
"""

from __future__ import annotations

from bot.config import Config
from bot.errors import ApiError, TransportError
from bot.preflight import Finding
from bot.wecom.client import WeComClient
from handlers.escalation.config import EscalationConfig
from handlers.greeting.config import ChannelConfig

API = "kf/servicer/list"


def transfer_targets(config: Config) -> list[str]:
    """Everyone Wanzi may name in a kf transfer: advisors, the leads (else the admins, who are the
    leads then) and the advisors channels assign."""
    leads = config.of(EscalationConfig).leads or config.staff.admins
    channel_advisors = [c.advisor for c in config.tables(ChannelConfig).values() if c.advisor]
    return list(dict.fromkeys([*config.staff.advisors, *leads, *channel_advisors]))


async def check_servicers(config: Config, client: WeComClient) -> list[Finding]:
    open_kfid = config.wecom.open_kfid
    people = transfer_targets(config)
    if not open_kfid or not people or not config.of(EscalationConfig).enabled:
        return []
    facts: dict[str, object] = {"open_kfid": open_kfid, "api": API}
    try:
        data = await client.call(API, {"open_kfid": open_kfid})
    except TransportError as exc:
        return [Finding("kf servicers not checked", f"could not check the servicers of kf account {open_kfid}: "
                        f"WeCom did not answer {API} ({exc.errmsg})", facts)]
    except ApiError as exc:
        return [Finding("kf servicers not checked", f"could not check the servicers of kf account {open_kfid}: "
                        f"{API} answered {exc.errcode} {exc.errmsg}", {**facts, "errcode": exc.errcode})]
    entries = [e for e in data.get("servicer_list") or [] if isinstance(e, dict)]
    listed = {str(e["userid"]) for e in entries if e.get("userid")}
    departments = [str(e["department_id"]) for e in entries if e.get("department_id")]
    unless = (f" (unless they belong to one of its servicer departments {', '.join(departments)})"
              if departments else "")
    return [Finding("advisor is not a servicer of the kf account",
                    f"{userid} is not a servicer of kf account {open_kfid}{unless}: WeCom refuses to hand them a "
                    f"chat (95014), so their tickets go to the reception pool or the queue instead; add them as "
                    f"接待人员 in WeCom's 微信客服 admin", {"userid": userid, "open_kfid": open_kfid})
            for userid in people if userid not in listed]
