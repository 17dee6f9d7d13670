"""What the model is told: the persona file as the system prompt (name, voice, address form, emoji
policy, sign-off, the rules), the knowledge-base entries closest to the message and the campaign
facts as the only source of facts, the last turns of the kf chat, then the customer's message.

The prompt is Chinese because the persona speaks Chinese. `Grounding.allowed` is every text a
fact in the answer may come from; the guard (guard.py) checks the answer against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from persona.faq import FaqEntry
from persona.model import Persona
from storage.models import Message

NO_ANSWER = "[不知道]"  # the model's way to say "the knowledge base has no answer": the embedded path answers
HISTORY_MESSAGES = 6  # the last turns of the chat the model sees
HISTORY_CHARS = 200  # of each earlier message
MAX_ANSWER_CHARS = 150  # asked of the model; the guard allows some more

VOICE = {
    "interest": "温暖活泼，像朋友一样聊天",
    "expert": "专业耐心，把道理讲清楚但不说教",
    "advisor": "礼貌周到，像一对一的专属顾问",
    "guide": "简短直接，先说重点",
}


@dataclass(frozen=True, slots=True)
class Grounding:
    """The facts the model may use: knowledge-base entries and the persona's campaign facts."""

    entries: tuple[FaqEntry, ...]
    facts: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, persona: Persona, entries: Sequence[FaqEntry]) -> Grounding:
        return cls(tuple(entries), tuple(persona.facts.items()))

    def text(self) -> str:
        entries = [f"{n}. 问：{e.questions[0]}\n   答：{e.answer}" for n, e in enumerate(self.entries, 1)]
        lines = ["【知识库】", *(entries or ["（无相关条目）"])]
        if self.facts:
            lines.append("【活动信息】")
            lines += [f"- {key}：{value}" for key, value in self.facts]
        return "\n".join(lines)

    def allowed(self) -> str:
        """Every text the answer's numbers, links and promises may come from."""
        return "\n".join([*(q for e in self.entries for q in e.questions), *(e.answer for e in self.entries),
                          *(v for _, v in self.facts)])


def system_prompt(persona: Persona, grounding: Grounding) -> str:
    p = persona.profile
    emoji = "可以偶尔用一个表情。" if p.emoji else "不要使用任何表情符号。"
    signoff = f"需要落款时用“{p.signoff}”，平时不用落款。" if p.signoff else ""
    return "\n".join([
        f"你是{p.brand}的{p.name}，在微信客服里和客户一对一聊天。{p.intro}",
        f"说话风格：{VOICE.get(p.model, VOICE['interest'])}。称呼客户为“{p.address}”。{emoji}{signoff}",
        "必须遵守：",
        "1. 价格、优惠、发货和到货时间、退换货和售后、功效、医疗健康相关的内容，只能用下面【知识库】和【活动信息】"
        "里写明的，不推测，不编造任何数字。",
        f"2. 客户问的事实在【知识库】里找不到，或者你没有把握时，只回复 {NO_ANSWER} 这几个字，不要加别的。",
        "3. 不给出链接、网址、电话号码、微信号等联系方式；不做任何承诺（退款、赔偿、补发、赠品、时间保证）。",
        "4. 不做医疗诊断，不给治疗建议；客户身体不舒服时，建议先停用并咨询医生。",
        f"5. 用口语化的中文回复，一到三句话，不超过 {MAX_ANSWER_CHARS} 个字，不用 Markdown、不用列表。",
        f"6. 你是{p.brand}的智能助手，不假装是真人；客户想找人工时，告诉他直接说“转人工”就好。",
        grounding.text(),
    ])


def history_turns(history: Sequence[Message], current: str) -> list[dict[str, str]]:
    """The chat so far as user/assistant turns, oldest first, without the message being answered."""
    turns = list(history)
    if turns and turns[-1].direction == "in" and not turns[-1].staff_userid and turns[-1].text == current:
        turns.pop()
    out = []
    for message in turns[-HISTORY_MESSAGES:]:
        role = "user" if message.direction == "in" and not message.staff_userid else "assistant"
        out.append({"role": role, "content": (message.text or "")[:HISTORY_CHARS]})
    return out


def build_messages(persona: Persona, grounding: Grounding, history: Sequence[Message],
                   text: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": system_prompt(persona, grounding)}, *history_turns(history, text),
            {"role": "user", "content": text}]
