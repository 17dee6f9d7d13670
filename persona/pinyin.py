"""Toneless pinyin customers type when their input method is off or they are in a hurry: "fahuo duojiu a",
"baozhiqi ne", "xiexie", "zai ma". `hanzi` writes the words of PINYIN (shop and chat words, always two
syllables or more, so no English word is taken for one) in characters; syllables typed apart are joined
when together they make such a word ("fa huo" → 发货). A message made only of such words, sentence
particles and a few one-syllable words (SYLLABLES: a, ne, ma, yong …) is written whole, without the
spaces ("发货多久啊"); otherwise only a run of Latin words that are all PINYIN is, in place
("请问zhengpin吗" → "请问正品吗"), and English ("ok thx", "is it safe", "thank you") is left alone.
"""

from __future__ import annotations

import re

PINYIN: dict[str, str] = {
    # chat
    "nihao": "你好", "ninhao": "您好", "zaima": "在吗", "zaime": "在么", "zaibuzai": "在不在", "youren": "有人",
    "xiexie": "谢谢", "xiexieni": "谢谢你", "duoxie": "多谢", "ganxie": "感谢", "haode": "好的", "haoba": "好吧",
    "zhidao": "知道", "zhidaole": "知道了", "mingbai": "明白", "mingbaile": "明白了", "shoudao": "收到",
    "baibai": "拜拜", "zaijian": "再见", "wanan": "晚安", "rengong": "人工", "zhenren": "真人",
    "jiqiren": "机器人", "kefu": "客服", "qingwen": "请问",
    # asking
    "duojiu": "多久", "shenme": "什么", "shihou": "时候", "shenmeshihou": "什么时候", "zenme": "怎么",
    "zenmeyang": "怎么样", "keyi": "可以", "nengyong": "能用", "keyiyong": "可以用", "duoshao": "多少",
    "duoshaoqian": "多少钱", "jitian": "几天", "nali": "哪里", "youmeiyou": "有没有", "nengbuneng": "能不能",
    "tuijian": "推荐",
    # the shop
    "fahuo": "发货", "kuaidi": "快递", "shunfeng": "顺丰", "dingdan": "订单", "wuliu": "物流", "daole": "到了",
    "baozhiqi": "保质期", "guoqi": "过期", "kaifeng": "开封", "chaifeng": "拆封", "shengchanriqi": "生产日期",
    "tuihuo": "退货", "tuikuan": "退款", "huanhuo": "换货", "youhuiquan": "优惠券", "youhui": "优惠",
    "lingquan": "领券", "huodong": "活动", "zhengpin": "正品", "fangweima": "防伪码", "jiahuo": "假货",
    "jifen": "积分", "huiyuan": "会员", "jiage": "价格", "pianyi": "便宜", "duihuan": "兑换",
    # skin
    "mianshuang": "面霜", "ganpi": "干皮", "youpi": "油皮", "minganji": "敏感肌", "baoshi": "保湿",
    "meibai": "美白", "yunfu": "孕妇", "huaiyun": "怀孕", "buruqi": "哺乳期", "guomin": "过敏",
}
# Sentence particles and one-syllable words: written only in a message that is pinyin throughout ("you",
# "hi" and the like are English too, so they are not here).
SYLLABLES: dict[str, str] = {"a": "啊", "ya": "呀", "ne": "呢", "ma": "吗", "ba": "吧", "la": "啦", "o": "哦",
                             "le": "了", "de": "的", "yong": "用", "mai": "买", "neng": "能", "hao": "好",
                             "wo": "我", "ni": "你", "shi": "是", "dao": "到", "yao": "要", "qian": "钱",
                             "tian": "天", "hai": "还", "bu": "不", "mei": "没", "zai": "在", "zhe": "这",
                             "kuai": "快", "huan": "换", "sha": "啥"}  # "fa huo kuai ma", "jifen neng huan sha"
_LONGEST = 4  # syllables typed apart that may make one word ("sheng chan ri qi")
_LATIN = re.compile(r"[A-Za-z]+(?:\s+[A-Za-z]+)*")
_WORD = re.compile(r"[A-Za-z]+")
_ENDS = " \t?？!！.。~～,，"


def _words(tokens: list[str], table: dict[str, str]) -> list[str | None]:
    """`tokens` as words in characters, syllables typed apart joined; None for a token that is none."""
    out: list[str | None] = []
    n = 0
    while n < len(tokens):
        for size in range(min(_LONGEST, len(tokens) - n), 0, -1):
            joined = "".join(tokens[n:n + size]).lower()
            if joined in PINYIN or (size == 1 and joined in table):
                out.append(PINYIN.get(joined) or table[joined])
                n += size
                break
        else:
            out.append(None)
            n += 1
    return out


def hanzi(text: str) -> str:
    """`text` with the pinyin words it types in characters (module docstring); unchanged without any."""
    body = text.strip().rstrip(_ENDS)
    if not _WORD.search(body):
        return text
    whole = _words(_WORD.findall(body), SYLLABLES)
    if _LATIN.fullmatch(body) and all(whole) and any(w in PINYIN.values() for w in whole):
        return "".join(w for w in whole if w) + text.strip()[len(body):]

    def run(m: re.Match[str]) -> str:
        found = _words(_WORD.findall(m.group()), {})
        return "".join(w for w in found if w) if all(found) else m.group()

    return _LATIN.sub(run, text)
