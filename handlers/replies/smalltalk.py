"""Small talk, feelings and media: what a customer says that is not a question for the knowledge
base. Each gets a fitting reply from the persona's `chat.*` and `media.*` templates, never "I'll ask
a colleague". Rules over the whole (short) message, so "你好，多久发货" is a question, not a greeting.

A message made only of small talk ("好的，谢谢小柚", "嗯嗯好的谢谢", "你好，今天好累") is answered for its
most meaningful clause, whatever its place (PRIORITY): a question about us (robot) first, then
feelings (upset, sad, tired, glad: "你好，今天好累" is comforted, not greeted), then closings
(goodnight, bye: "谢谢，晚安" wishes a good night), thanks ("好的，谢谢" is thanked, not acknowledged),
praise, presence, a greeting, laughter, and last the bare acknowledgement or a sticker. Leading
acknowledgements and laughter run together with the rest ("好的晚安", "哈哈谢谢你") count as a clause
of their own.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from enum import StrEnum

from handlers.escalation.rules import asks_if_true, is_question


class Intent(StrEnum):
    GREETING = "greeting"
    PRESENCE = "presence"  # 在吗 / 有人吗
    THANKS = "thanks"
    PRAISE = "praise"
    LAUGH = "laugh"
    BYE = "bye"
    GOODNIGHT = "goodnight"
    HAPPY = "happy"  # 好开心 / 太高兴了: shared joy (不开心 / 没高兴 stay sad)
    WEATHER = "weather"  # 今天好冷啊 / 下雪了: the weather told, nothing asked
    TIRED = "tired"
    SAD = "sad"
    ANGRY = "angry"  # upset: the persona offers a person
    ROBOT = "robot"  # "are you a robot?": an honest answer
    MEMORY = "memory"  # "你还记得我吗", "那你能记住我上次说的吗": what the persona remembers, honestly
    STAFF_HOURS = "staff_hours"  # 你们客服几点上班 / 周末有人吗: when people answer, and how to reach one now
    DOUBT = "doubt"  # 你们是不是骗子 / 这家店靠谱吗: the authenticity answer, who we are, a person on offer
    COMPARE = "compare"  # 你们跟珀莱雅比怎么样: a warm line, never a claim about the other brand
    ACK = "ack"  # 好的 / 嗯嗯 / 收到 / 那我等你们消息
    FIRST_VISIT = "first_visit"  # 第一次来 / 刚关注 (with or without a greeting): a welcome and what we do
    EMOJI = "emoji"  # stickers as text ([微笑]) or emoji only
    # never classified here: another brand's product told to have hurt the customer's skin (reading.py)
    REACTED_ELSEWHERE = "reacted_elsewhere"
    RUNNING_OUT = "running_out"  # never classified here: "买的保湿霜快用完了", welcomed back (reading.py)


MEDIA = {"image": "media.image", "voice": "media.voice", "video": "media.video", "file": "media.file",
         "location": "media.other", "link": "media.other", "business_card": "media.other",
         "miniprogram": "media.other", "channels": "media.other", "channels_shop_product": "media.other",
         "merged_msg": "media.other", "note": "media.other"}

# Around a clause, saying nothing of what it means: spaces, punctuation and particles ("好的呀～", "保湿霜呢？").
TRIM = " \t\r\n。.!！~～,，、?？…呀啊呢哦噢喔吖嘛吧啦咯昂"
_STICKER = re.compile(r"^(\[[^\[\]]{1,6}\])+$")  # WeChat's text stickers: [微笑][强]
_STICKERS = re.compile(r"\[[^\[\]]{1,6}\]")  # ... beside words: "谢谢[抱拳]", "拜拜[再见]"
# How customers address the persona: "姐妹在不在", "在吗亲", "美女你好".
_ADDRESS = (r"(亲爱的|亲亲|亲|小柚|客服|姐妹们|姐妹|集美|宝子|宝宝|宝|美女|小姐姐|小哥哥|小姑娘|姑娘|小妹|老板|"
            r"老师|掌柜的|掌柜)")
# Us, as a doubting or comparing customer names us ("你们", "这家店"), and how two brands compare.
_WE = r"(你们家|你们|你家|这家店|这家|这个店|这个号|这个账号)"
_VERSUS = (r"(比|相比|对比)?(起来)?(怎么样|如何|咋样|哪个好|哪个更好|哪家好|谁好|谁更好|有什么区别|有啥区别|"
           r"好在哪|强在哪|差在哪|差多少)")
# Feeling better after talking: "跟你聊完好多了", "跟你说说心里舒服多了", "说出来好多了".
_TALKED = r"(听你说完|听你这么说|(跟|和)你(聊|说)(完|了|说|聊)?(之后|以后)?|聊完|说出来)"
_BETTER = r"(我)?(心情|感觉|心里)?(好|舒服|好受|开心|轻松)(多|点|一点|些)了"
# A low mood after 心情: "心情好差" is 心情 + 好差 (very bad), not 心情好 (a good mood).
_LOW = r"(差|糟|烂|低落|低沉|不美丽|down|emo|沉重|压抑)"
# Whose thing a praised word is about ("这个味道", "你们家面霜的包装", "你们客服态度"): ours, not the persona's.
_THIS = (r"(这个|这款|这瓶|这支|这罐|这套|这次的?|你们家|你们|你家)?(的)?"
         r"(面霜|精华|乳液|水乳|洗面奶|面膜|产品|东西|礼盒|客服|售后)?(的)?")
# A plan to ask someone, look or think first, and come back ("回头问问她喜欢啥", "我问问我老公要哪个", "等我问问他再说",
# "我回去看看她平时用的啥 再来找你", "那我再想想"): an ok that waits for them (chat.ack's "later" phrasings). What the
# customer will ask someone else may hold a question word; what they will look at for themselves may not ("我先看看有
# 没有优惠" asks).
_OTHER = (r"(他|她|他们|她们|ta|我妈|妈妈|老妈|我爸|爸爸|老爸|我老公|老公|我老婆|老婆|我男朋友|男朋友|我女朋友|女朋友|"
          r"对象|闺蜜|朋友|家里人|我姐|我妹|姐姐|妹妹|婆婆|同事|室友)")
_NOT_ASKED = r"(?<![吗嘛])(?<![^什怎]么)"  # what they will ask may end in 什么, not in a question's 吗 or 么
_LATER = (r"^(那|那我|我|我们)?(就)?(回头|晚点|等下|待会儿?|先|回去|回家|改天|到时候?|等我)?(再)?(去)?"
          rf"(问问|问一下|问下|问一问|问)(看)?{_OTHER}[^，,。？?吗嘛]{{0,10}}?{_NOT_ASKED}(再说|再来|再找你|再来找你)?(吧|哈)?$|"
          rf"^(那|那我|我)?(就)?(再)?(去)?(问问|问一下|问下|问)(看)?{_OTHER}(吧|看|看看)?(再说)?$|"
          r"^(那|那我|我|等我)?(回头|晚点|等下|待会儿?|先|回去|回家|改天)(再)?(去)?(看看|瞅瞅|翻翻|查查|找找|量量|研究研究|研究一下)"
          rf"({_OTHER}[^，,。？?吗嘛]{{0,10}}?{_NOT_ASKED}|(?![^，,。]*(有没有|是不是|能不能|可不可以|会不会|要不要|行不行|好不好))"
          r"[^，,。？?吗么嘛啥什么哪怎多]{0,8})?(再说|再来|再找你|再来找你)?(吧|哈)?$|"
          r"^(那|那我|我)?(就)?(之后|到时候?|回头|晚点|改天|等我)?再(来)?(找你|问你|来问|联系你|跟你说|告诉你)(吧|哈|啦)?$|"
          # thinking it over: "那我再想想", "我考虑一下"
          r"^(那|那我|我)?(再|先|还是|回头)?(想想|想一想|考虑考虑|考虑一下|琢磨琢磨|琢磨一下|商量商量|商量一下)(吧|再说)?$")
_LATER_RE = re.compile(_LATER)
_MACHINE = r"(a |an )?(real )?(bot|robot|ai|human|person|machine)"  # "are you a bot?", "is this a real person"
_RULES: tuple[tuple[Intent, re.Pattern[str]], ...] = tuple((intent, re.compile(pattern)) for intent, pattern in (
    (Intent.ROBOT, r"(你|您)?(是|是不是)(个|一个)?(机器人|真人|人工智能|ai|AI|bot|自动回复)|机器人吗|真人吗|是人吗|"
                   r"(你|您)(是|是不是)(人工|活人|客服本人)|"
                   # what the persona can do: "那你能干嘛", "你会什么"
                   r"(你|您)(都|还)?(能|会|可以)(干嘛|干啥|干什么|做什么|做啥|干点啥|做点啥|帮(我|上)?(做|干)?(点)?(什么|啥|嘛)(忙)?)|"
                   r"^(那)?(你|您)(都|还)?会(些)?(什么|啥)[?？]*$|"
                   r"(你|您)是谁|你叫(啥|什么)|"
                   # about the persona herself: "你几岁了", "你是男的还是女的", "你多大了"
                   r"^(你|您)(今年)?(几岁|多大|多少岁|年纪多大)(了|啦)?$|"
                   r"^(你|您)(是)?(男的|女的|男生|女生|男孩|女孩|男是女|男的女的)(还是(男的|女的|男生|女生|男孩|女孩))?(吗|么)?$|"
                   r"^(你|您)(结婚了|有男朋友|有对象|住(在)?哪|在哪(里|儿)?(上班|工作))$|"
                   # her work and life: "你一天要回多少人消息啊 不累吗", "你老板给你发工资不", "那你平时喜欢吃啥"
                   r"(你|您)(?!们)[^，,。？?]{0,6}(工资|薪水|底薪|年终奖)|(你|您)(?!们)[^？?]{0,16}(不累吗|累不累|辛苦吗)|"
                   r"(你|您)(?!们)(平时|每天|一般|周末|下班后?)?(都)?(最)?(喜欢|爱)(吃|喝|玩|干|做|看|听)|"
                   # teasing her about being a program: "你也不用吃饭吧哈哈", "你是不是都不用睡觉"
                   r"(你|您)(?!们)(也|都|就|应该|肯定|是不是|难道)?(都)?(不用|不需要|用不着|不会)(吃饭|睡觉|休息|下班|放假|"
                   r"喝水|吃东西|上厕所)|"
                   # what she is doing: "小柚你在干嘛呀", "那你平时都干嘛呀" (not "你们在干嘛", the shop)
                   rf"^(那)?{_ADDRESS}?(你|您)(?!们)(现在|这会儿|正在|在|平时|一般|每天|周末)?(都)?(在)?(干嘛|干啥|干什么|做什么|做啥|忙什么|忙啥)[呢呀啊哦]*$|"
                   # testing the persona: "1+1等于几", "3乘5是多少"
                   r"^((那)?(你)?(说说?|算算|算一下|考考你|问你)[，,:：\s]*)?"
                   r"\d+\s*([+\-*/×÷xX]|加|减|乘|乘以|除以)\s*\d+\s*(=|等于|是)?\s*(几|多少)|"
                   # doubting the persona's replies or wits: "你是不是复制粘贴的回复", "你怎么什么都不知道"
                   r"复制粘贴|(你|您|你们)(是不是|是)?(在)?(复制|粘贴|套模板|用模板)|(回复|回答)(都)?(是)?(模板|套话|固定的)|"
                   r"(你|您)(怎么|咋)?(什么|啥)都不(知道|懂|会)|"
                   # who we are: "这里是柚见官方吗", "你们是官方客服吗"
                   r"^(请问)?(这里|这儿|这边|你们|你|您)(是|是不是)[^，,。？?]{0,8}(官方|官网|旗舰店|客服|本人|品牌方)"
                   r"(的)?(账号|号|客服)?(吗|么|嘛|不|没)?$|"
                   # in English: "are you a bot?", "r u a real person", "is this a robot", "am i talking to a human"
                   rf"^(so |wait |hi |hello |hey )?(are|r) (you|u) {_MACHINE}( or {_MACHINE})?\W*$|"
                   rf"^(are|r) (you|u) real\W*$|^is (this|that) {_MACHINE}\W*$|"
                   rf"^(am i|i'?m) (talking|chatting|speaking) (to|with) {_MACHINE}\W*$|"
                   r"^is (this|that) (an )?automated( reply| message| response)?\W*$"),
    # what the persona remembers: "你还记得我吗", "那你能记住我上次说的吗", "你会记住我跟你说的话吗" (not "记住了没",
    # an ok asked after telling her something)
    (Intent.MEMORY, r"(你|您|小柚)(还|能|会|可以|能不能|会不会|到底)?(记得|记住|记着|记)(住|得住)?"
                    r"(我|咱|我们|上次|之前|以前)(?![^，,。？?]*(快递|订单|单号|地址|电话|密码))"),
    # doubting us: "你们是不是骗子啊", "这家店靠谱吗", "会不会被骗" (a scam report names money: reading.py)
    (Intent.DOUBT, rf"{_WE}(的)?(东西|货|产品)?(该不会|会不会|是不是|不会|是|(有点|有些|好)?像)(是)?"
                   r"(骗子|骗人|骗钱|诈骗|假的|假冒|山寨|冒牌)|"
                   rf"{_WE}(靠谱|正规|可信|可靠)(吗|么|嘛|不)|靠不靠谱|正不正规|可不可信|可不可靠|"
                   # not to be fooled: "真的假的 别忽悠我", "不会是骗我的吧"
                   r"(别|不要|不会是|是不是|该不会)(在)?(忽悠|骗|蒙|坑)(我|人)|忽悠人|忽悠我|"
                   r"(会不会|怕|担心)(被骗|上当)|"
                   # far cheaper elsewhere, is it genuine: "在拼夕夕上看到便宜一半 是真的假的啊"
                   r"(便宜|低价|半价|打折|特价)[^。？?]{0,12}(真的假的|是真是假|是不是假(的|货)?|假的吧|是正品吗|正品吗|真货吗|是不是真货|是真货不)"),
    # another brand beside us: "你们跟珀莱雅比怎么样", "珀莱雅和你们家哪个好", "比大牌差在哪"
    (Intent.COMPARE, rf"{_WE}(的东西|的产品|的)?(跟|和|与|同|比|比起|相比|对比)[^，,。？?]{{1,8}}?{_VERSUS}|"
                     rf"[^，,。？?]{{1,8}}(跟|和|与|同)(你们家|你们|你家){_VERSUS}|"
                     # a product of ours named first: "你们家面霜跟兰蔻的比哪个好" (比 said: not two of ours)
                     rf"{_WE}(的)?[^，,。？?\s跟和与同比]{{1,5}}(跟|和|与|同)[^，,。？?]{{1,8}}?(比|相比|对比)(起来|一下)?[，,\s]*"
                     r"(哪个|哪款|谁|怎么样|如何|咋样)|"
                     r"(跟|和|与|比|比起|相比|对比)(那些|一些)?(大牌|大品牌|国际大牌|别家|别的牌子|别的品牌|其他牌子|其他品牌|"
                     r"其他家|专柜货)|"
                     # us unsaid or said after: "跟兰蔻比哪个好用", "和雅诗兰黛比起来怎么样", "跟兰蔻比你们家哪个好用"
                     r"^(那)?(跟|和|与|同)(?!上次|之前|以前|原来|老|旧|这|那)[^，,。？?\s]{1,8}?(比|相比|对比)(起来|一下)?[，,\s]*"
                     rf"({_WE}(的)?)?(哪个|哪款|谁|怎么样|如何|咋样)(更)?(好|好用|强|厉害|值)?"),
    # when the people work: "客服几点上班", "周末有人吗", "晚上几点之前能找到人工" (not "几点发货")
    (Intent.STAFF_HOURS, r"(客服|人工|真人|同事|你们|顾问|工作人员|有人).{0,3}(几点|什么时候|啥时候|哪天|几号)"
                         r"(上班|下班|在线|有人|在|开始|结束|上线|回来|能找到|可以找到)|"
                         r"(?<![我她他])(几点|什么时候|啥时候)(上班|下班|开工|收工)|工作时间|上班时间|营业时间|在线时间|"
                         r"^(请问|问一下|想问下)?(你们)?(?=国庆|春节|过年|五一|十一|元旦|端午|中秋|周末|周六|周日|星期|节假日|假期|放假|晚上|半夜|中午)"
                         r"(国庆|春节|过年|五一|十一|元旦|端午|中秋)?"
                         r"(周末|周六|周日|星期天|星期六|节假日|假期|放假|过年|晚上|半夜|中午|期间)?(也|还)?"
                         r"(有人|有客服|有人工|上班|在线|有人在|能找到人|营业|有人回(?:消息|复|信)?|回(?:消息|复|信))(吗|么|嘛|不|没)?$|"
                         r"(几点|什么时候|啥时候)(之前|以前|前)?(能|可以|才能|才可以)?(找到|找|联系|联系到)(人工|真人|客服|人)|"
                         # in English: "what time are your staff online?", "when is customer service available"
                         r"^(what time|when|what hours)( are| is| do| does)?( your| the)?( customer)? ?"
                         r"(staff|service|agents?|support|people|humans?|colleagues|advisors?|team|someone|anyone)"
                         r"( online| available| working| around| on| in| there| work| start)?\W*$|"
                         r"^(what are )?(your|the) (working|office|service|business) hours\W*$"),
    (Intent.GOODNIGHT, rf"^(晚安|晚安安|good ?night|gn|nite|night night|nighty night|sweet dreams)"
                       rf"{_ADDRESS}?$|"  # "晚安小柚"
                       r"^(那|那我|我)?(先|要)?(去)?睡(觉)?(了|啦|咯|去了|觉去了)?$|"
                       # wishing the persona (or themselves) an early night: "早点睡哦", "你也早点休息"
                       rf"^(那)?(你|我|{_ADDRESS})?(也)?(要)?(早点|早些|早)(睡|睡觉|休息)(吧|哦|哈|呀|啊|噢|喔|呢)?[~～！!]*$"),
    (Intent.BYE, r"^(那|那我|这回|这次|那这回)?(就|真|真的|是真的)?"  # "这回真拜拜啦"
                 r"(拜拜|拜|再见|回头见|下次见|改天见|明天见|回头聊|下次聊|先这样|我先下了|先走了|溜了溜了|溜了|bye|88|886|回见|明天再聊|明天聊|改天聊|"
                 r"回头再聊|下次再聊|有空再聊|不聊了|不说了|"
                 r"bye ?bye|bye-bye|good ?bye|see (you|ya|u)( later| soon| tomorrow| next time| then| there|"
                 r"( on| this| next)? (monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|the weekend))?|"
                 r"cya|take care|talk (to you )?later|ttyl|have a (nice|good|great) (day|one|evening|weekend)|"
                 r"(那|那我)?(就)?不打扰(你|你们|您)?(了|啦)?|不耽误(你|你们|您)(了|啦)?)"
                 rf"(了您嘞|了您呐|了您内|了您|您嘞)?{_ADDRESS}?$|"  # Beijing: "拜拜了您嘞"; "拜拜小柚"
                 # leaving now: "宝宝醒了我先去了", "我先撤了"
                 r"先(去|走|撤|下|忙)(了|啦|咯)?$|"
                 # coming back later to ask: "好吧 那我明天再来问", "那我改天再来"
                 r"^(那|那我|我)?(就)?(明天|改天|回头|下次|晚点|晚些|过两天|有空)再(来|问|来问|来问问|来问你|问问|问你|"
                 r"来找你|找你|来咨询|咨询|来看看|看看|来买)(吧|哈)?$|"
                 # off to do something else now: "等下 我先去开个会", "我先去洗澡了"
                 r"^(那|那我|我)?先去[^吗么嘛呢?？]{1,6}?(了|啦|咯)?$"),
    (Intent.THANKS, r"^(好的|好|嗯嗯|嗯|ok|收到|知道了)?(非常|十分|特别|真的|真是|太|万分)?"
                    r"(谢谢|多谢|谢了|谢|感谢|感谢感谢|谢谢你|谢谢您|谢谢啦|非常感谢|"
                    r"多谢多谢|谢谢谢谢|感恩|感恩感恩|谢啦|thank u|thank you|ty|"
                    r"3q|栓q|thx|thnx|thanx|tks|tysm|thanks|thanks a lot|thank you so much|thanks so much|many thanks|"
                    r"thank you very much|thanks very much|thank u so much|thanks again|thank you again|"
                    r"appreciate it|much appreciated|thanks for (your|the) help|thank you for (your|the) help|"
                    r"辛苦了|辛苦啦|辛苦你了|辛苦你们了|辛苦你们|辛苦|麻烦了|麻烦你了|麻烦您了|麻烦你们了|麻烦你们|麻烦你|麻烦您|麻烦|"
                    # Cantonese: "唔该晒", "多谢晒"
                    r"唔该|唔该晒|唔该你|多谢晒|多谢你)(了|啦)?"
                    # and who is thanked: "谢谢你啊闺女", "谢谢小姑娘"
                    r"(你|您|你们|侬|亲|小柚)?(啊|呀|哈|哦)?(闺女|姑娘|小姑娘|妹妹|小妹|美女|宝|宝宝|亲爱的|小柚|"
                    r"老妹|老妹儿|妹子|老铁|兄弟|哥们|兄弟们|姐妹|姐姐|哥哥|小姐姐|小哥哥|老师)?$|"
                    r"^(非常|十分|特别|真的|真是|太|万分)?(谢谢|多谢|感谢)(你|您|你们|亲|小柚)?(这么|真|好|的|这样)?(耐心的|细心的)?"
                    r"(贴心|耐心|用心|细心|帮忙|解答|回复|照顾|安慰|陪我|开导|"
                    r"提醒|告诉我|分享|推荐|建议|听我|的回答|的建议|关心|夸奖|理解)"),
    (Intent.FIRST_VISIT, r"^(哈喽|你好|您好|嗨|hi|hello)?"
                         r"(我是|我)?(第一次|头一次|初次)(来|用|买|光顾|光临|关注|咨询|了解|进来|来这|接触|见面)?"
                         r"(你们家|这里|这儿)?(哦|哈|呢)?$|"
                         r"^(我是|我)?(刚|刚刚)(来|关注|关注你们|加上|进来|注册|知道你们|发现你们)(的)?$|^(我是)?(新来的|新人|新朋友|新粉|新顾客|新客户)$|"
                         r"^(我是|我)?(我的?)?(一个)?(朋友|闺蜜|同事|家人|姐妹|好友|室友|同学|我妈|我姐|老婆|老公)(推荐|介绍|安利)(我)?(来|过来)?(的)?$"),
    (Intent.GREETING, rf"^{_ADDRESS}?"
                      r"(你好|您好|hi|hello|哈喽|哈啰|嗨|hey|早|早上好|早安|上午好|中午好|下午好|晚上好|"
                      r"你好呀|您好呀|hi there|hello there|hey there|good morning|good afternoon|good evening|"
                      r"小柚|在的|我回来了|我回来|回来了|回来啦|我又回来了|我来了|我来啦|我又来了|好久不见|打扰了|打扰一下)"
                      # a particle between greeting and name: "早啊小柚", "你好呀小柚"
                      r"([啊呀哦吖]?(你好|您好|哈喽|嗨|早|早上好|早安|晚上好|小柚))*$|"
                      rf"^{_ADDRESS}?(你)?吃(饭|早饭|午饭|晚饭)?了(吗|没|嘛|么)$"),
    (Intent.PRESENCE, rf"^(请问|{_ADDRESS})?(在吗|在嘛|在么|在不在|在不|在忙吗|忙吗|"
                      rf"有人吗|有人在吗|在线吗|人呢|人|还在吗|还在不|客服在吗|您好在吗|你好在吗|hello在吗|在|"
                      rf"在马|在码|在咩|在伐|在麽|"  # "在马" in a hurry, "在不在呀亲"
                      rf"喺度吗|喺度嘛|喺唔喺度|喺度未|有冇人喺度|有冇人)+[呀啊吖哇]?{_ADDRESS}?[?？]*$|"  # 粤语
                      r"^(亲|亲亲|客服)$|"
                      # in English: "anyone there?", "is anybody there", "are you there", "you there?"
                      r"^(hello|hi|hey)?\W*(is )?(any ?one|any ?body|some ?one|some ?body) (there|here|around|online)$|"
                      r"^(hello|hi|hey)?\W*(are )?(you|u) (there|still there|around|online)$|"
                      # still there at this hour: "这么晚了还有人在吗", "这么晚还有人吗"
                      r"^(这么晚了?|这么早|这会儿|现在|周末|晚上)(你|还有人|有人)?(还)?(在|有人)(吗|不|嘛|么)$|"
                      # surprised we are there already or still: "这么早就在啦", "这么晚你还在呀"
                      r"^(这么早|大早上|一大早|这么晚了?|大半夜)(的)?(你|小柚)?(就|都|还)(在|上班|在线)(了)?$|"
                      # about to ask: "请问一下" alone wants a "go ahead", it is not the question
                      r"^(我)?(想)?(请问|请问一下|问一下|问下|问个事|问个问题|咨询一下|问问|打听一下)(哈)?$"),
    # a lone 好 ("好吧", "好啊" once trimmed) agrees, it does not praise
    # in English ("you're so helpful", "great service"); a lone "great" agrees (chat.ack)
    (Intent.PRAISE, r"^(?!great$)(you are|you're|youre|ur|u r)? ?(so |very |really |such |the )*"
                    r"(great|awesome|amazing|helpful|the best|best|sweet|kind|smart|a star|a great help|a big help|"
                    r"lovely|wonderful|fantastic|brilliant|a lifesaver)$|"
                    r"^(great|awesome|amazing|excellent|nice|wonderful) (service|job|help|work)$|"
                    r"^(love it|love you|love u)$|"
                    r"^(?!好$)(你|您)?(真|好|太|超|很)?(棒|厉害|贴心|可爱|好|nice|赞|优秀|专业|靠谱|"
                    r"耐心|有耐心|细心|用心)(了|呀|哦)?$|"
                    r"^赞+$|^点赞$|^好评$|^(爱你|爱你们|爱了|么么哒|比心|笔芯)+$|"
                    # the answer praised: "讲得很清楚", "解释得好详细呀", "说得挺明白的"
                    r"^(你)?(讲|说|解释|介绍|回答|答|回)得(很|好|真|挺|蛮|超|太|非常|特别|这么|好)?"
                    r"(清楚|详细|明白|仔细|到位|专业|清晰|全面|好)(的)?(了|啦|呀|啊|哦)?$|"
                    # approval, of speed too: "不错不错", "还挺快的", "这么快" (after the shipping answer)
                    r"^(还|挺|蛮|真|很|非常|相当)?(不错)+(的)?$|"
                    r"^(哇|哇塞|嚯)?(这么|那么|还挺|还蛮|挺|真|好|蛮|也太|太|超)(快|给力|迅速|神速)(的)?(了)?$|"
                    r"^(那|哇|嘿)?(你)?(还|真|好|太|超|很|挺)+(聪明|机灵|厉害|逗|有趣|幽默|可爱)(的)?$|"
                    # the product praised: "真的绝了", "太好用了"
                    r"(真的|真|太|超|巨|贼)?(绝了|好用到哭|太好用了|超好用|真香)|yyds|永远的神|绝绝子|"
                    r"(真的|真|很|太|超|巨|贼|特别|非常|挺)+(很)?好用(?![吗么嘛不没吧]|的吗)|^(你们|你家)?(服务|态度)(真|太|很|挺|超)?好(的)?$|"
                    # told how it is to use: "上个月买的保湿霜用着挺好的", "用起来还蛮舒服"
                    r"用(着|起来|下来)(感觉)?(真的|真|很|太|超|挺|特别|非常|蛮|还|确实)+(好|不错|舒服|喜欢|清爽|水润)"
                    r"(?!.*[吗么嘛不没?？])|"
                    r"^(你)?(回|回复|回消息)(得|的)(还)?(好|真|挺|超|太|很)?(快|及时)(了|呀|啊)?$|"
                    r"^(你|您)(人)?(还|真|好|太|超|很|挺)+(好|暖|暖心|贴心|会安慰人|会说话|会说|会讲|会哄人|会夸人|嘴甜|会聊天|懂我)(的|呢|嘛)?$|"
                    # what we sell or how we serve: "包装好精致", "这个味道好好闻啊", "你们客服态度真好"
                    rf"^{_THIS}(包装|颜色|味道|东西|质量|效果|香味|质地|瓶子|盒子|外观|设计|肤感|手感|服务|态度)(也)?"
                    r"(真的|好|真|超|太|很|挺|特别|非常)+"
                    r"(好看|漂亮|好闻|不错|好用|棒|赞|好|精致|高级|有质感|大气|可爱|舒服|清爽|水润|细腻|周到|热情|贴心|耐心|"
                    r"专业)(了|呀|啊|的)?$|"
                    # the product praised by its effect: "用了一个礼拜 脸真的嫩了好多", "痘印淡了不少"
                    r"(脸|皮肤|肤色|气色|肤质|痘痘|痘印|斑|毛孔|细纹|皱纹)(真的|真|都|也|明显|确实)?(变)?"
                    r"(嫩|滑|亮|白|细腻|水润|光滑|好|淡|小|少|平)(了(好多|很多|不少|一些|一点)|多了)(?!.*[吗么嘛?？])|"
                    # or compared: "现在脸比我还嫩" (a boyfriend who borrowed it)
                    r"(脸|皮肤|肤色|气色)(都|现在)?比(我|以前|之前|原来)(的)?(还|都|更)?(嫩|滑|好|白|亮|细腻|水润)(?!.*[吗么嘛?？])|"
                    # or by the trouble gone: "用了一个礼拜 真的不起皮了！！"
                    r"(真的|终于|都|已经|再也|完全|明显|一点都|一点也|总算)(不|没)(再)?(起皮|脱皮|干|紧绷|痒|泛红|长痘|爆痘|"
                    r"冒痘|闷痘|出油|卡粉)(了|啦)(?!.*[吗么嘛?？])|"
                    # a loyal customer's word: "已经回购三瓶了", "回购好几次了", "保湿霜回购第三瓶了"
                    r"^(我)?(的|家的|你们家的|你们的)?(面霜|保湿霜|精华|乳液|水乳|洗面奶|面膜|防晒|这个|这款)?"
                    r"(都|又|还)?(已经)?(无限)?回购(了)?(第)?(好几|几|[0-9一二两三四五六七八九十]+)?(次|瓶|罐|支|套)?(了|啦)?"
                    r"[！!～~]*$"),
    (Intent.LAUGH, r"^(哈|嘿|嘻|呵|h|笑死|笑死我了|xswl|hhh+|233+|haha+|lol)+$|"
                   # in English: "haha that's so funny", "lol you're funny", "lmao"
                   r"^((haha+|hehe+|lol|lmao|rofl)\W*)+((that'?s|that is|it'?s|you'?re|you are|ur) )?"
                   r"((so|very|really|too) )*(funny|hilarious)?\W*$|^(lmao|rofl|lmfao)$|"
                   r"^(that'?s|that is|it'?s|you'?re|you are|ur) ((so|very|really|too) )*(funny|hilarious)\W*$"),
    # the weather told (the sandbox: "哈喽 今天好冷啊" got "收到～还有什么想跟小柚说的吗？")
    (Intent.WEATHER, r"^(今天|今儿|最近|这两天|这几天|外面|我这边|我们这|我这|这边|早上|晚上)?(的)?(天气|天)?(也)?"
                     r"(好|太|真|超|特别|有点|挺|也太|贼|巨|突然)?(冷|热|晒|闷|闷热|湿|潮)(了|啊|呀|死了|死|哦|啦)?$|"
                     r"^(又|终于|外面)?(下雪|下雨|下大雨|下暴雨|降温|大降温|升温|回南天|刮大风)(了|啦|啊|呀)?$|"
                     r"^(冻死|热死|冷死|晒死)(我)?(了|啦)?$"),
    (Intent.HAPPY, rf"(?<![不没])(开心|高兴)|开森|"
                   # relief: "扫出来是真的 放心了"
                   r"(?<![不没])(放心|安心)(了|啦)|松了(一)?口气|"
                   r"被(你)?(安慰|治愈|暖|感动|鼓励)(到)?了|"
                   rf"好幸福|太幸福|美滋滋|乐开花|心情(超|真|特别|很)?(好|美丽)(?!{_LOW})|"
                   # feeling better after talking, said alone: "跟你聊完好多了", "跟你说说好多了"
                   rf"^{_TALKED}{_BETTER}$|"
                   # cheering themselves on: "冲鸭💪", "加油加油", "奥利给"
                   r"^(冲+鸭*|冲冲冲+|冲啊|加油+鸭*|加油加油|奥利给|干就完了|搞起来?|我可以的|我能行)$"),
    (Intent.ANGRY, r"气死|烦死|急死|烦人|太烦|垃圾|恶心|什么破|投诉你|差劲|无语|生气|火大|受不了|滚|sb|傻逼|骗子|坑人|"
                   # indignation, and giving up on being heard: "凭什么啊", "跟你说也没用"
                   r"凭什么|(跟|和|同)(你|你们)(说|讲)(了)?(也|都)(没用|白说|没有用)|说了也白说|"
                   r"(回复|回消息|回得|回的)(这么|太|好|也太|真)慢|是睡着了吗|半天不回|半天没人|"
                   # impatience: "快点啊 急用"; sarcasm: "你们真行", "你们发货可真快啊"
                   r"^(快点|快点儿|快快|赶紧|急用|急着用|着急用|能不能快点|麻烦快点)$|(你们|你)(可)?真(行|有你的|有你们的)|"
                   r"服了(你们|你)|可真(快|行|厉害)(啊|呀)|"
                   # waited for days with nothing: "一个礼拜了还没动静"
                   r"(天|周|星期|礼拜|个月)了?(都)?还(没|不)(有)?(动静|发货|到|发|回复|回我|消息|人理)|"
                   # a delay remembered: "上次也是拖了一个礼拜"
                   r"拖了(整整|快|差不多|将近)?(一|两|二|三|几|好几|半)?个?(天|周|星期|礼拜|月)"),
    (Intent.SAD, rf"心情(好|很|超|特别|太|有点|真|真的)?{_LOW}|"  # "心情好差"
                 r"难过|伤心|想哭|哭了|心情不好|不开心|好丧|emo|郁闷|失恋|委屈|心累|崩溃|有点烦|好烦|很烦|心烦|烦躁|"
                 r"挨骂|被.{0,6}(骂|批评|说了一顿)|好丑|丑死|丑哭|太丑了|丑到哭|"
                 # the weather on a hard-working face, told: "天天在外面晒 脸都晒脱皮了" (asked: a question)
                 r"(脸|皮肤|嘴唇|手)(都|全)?(被)?(晒|冻|吹|风吹|干)(得|的)?(脱皮|起皮|爆皮|裂|干裂|通红|发红|黑|伤|疼)(了|啦)"
                 r"(?![^，,。]*[吗么嘛?？])|"
                 # in English: "I'm so sad", "feeling down today"
                 r"^(i'?m|i am|im|i feel|feeling|i'?m feeling)( so| really| very| a bit| kinda| pretty)? "
                 r"(sad|down|depressed|blue|upset|miserable|heartbroken)\b(?!.*\?)"),
    (Intent.TIRED, r"好累|太累|累死|累了|累瘫|累趴|累惨|累成狗|折腾了一天|好困|困死|困了|加班|熬夜|没睡好|疲惫|"
                   r"睡不着|失眠|心好累|好无聊|无聊死|"
                   # a long day: "开了一天会 脑袋都要炸了", "忙了一整天 头都大了"
                   r"(忙|开会|开了)(了)?一(整)?天|(脑袋|头)(都)?(要)?(炸了|大了)|"
                   # legs worn out: "带娃出去玩了一天 腿都走断了哈哈", "逛了一天 脚都走疼了"
                   r"(腿|脚)(都)?(要)?(走|跑|站|逛)?(断|废|麻|疼|酸)了|走了一(整)?天|逛了一(整)?天|"
                   # in English: "I'm so tired today", "exhausted after work", "long day"
                   r"^(i'?m|i am|im|i feel|feeling|so|soo+)( so| really| very| super| pretty| totally| soo+)? "
                   r"(tired|exhausted|sleepy|worn out|drained)\b(?!.*\?)|^(so |soo+ )?(tired|exhausted)\W*$|"
                   r"^(what a |such a )?long day\W*$"),
    (Intent.ACK, r"^(好|好的|好滴|好哒|好嘞|行|行吧|行的|可以|可以的|ok+|okay|嗯|嗯嗯|嗯呢|收到|知道了|知道啦|"
                 r"明白|明白了|了解|懂了|没问题|没事|没关系|不客气|哦哦|噢噢|对|是的|好吧|对对|对对对|"
                 # regional agreement: 中 (Henan), 要得 / 巴适 / 安逸 (Sichuan), 得嘞 / 妥了 / 成 (north)
                 r"中|要得|巴适|安逸|得嘞|妥|妥了|成|没毛病|晓得|晓得了|晓得啦|好额|了解了|"
                 # fine by them: "哦哦 那挺好", "那就好"
                 r"那挺好|那蛮好|那很好|那就好|挺好|蛮好|"
                 # the customer's own slip: "刚才发错了 不好意思"
                 r"不好意思|抱歉|sorry|(刚才|刚刚|我)?(发错|打错|说错|点错|按错)(了|人了)?)+$|"
                 # taking the advice or going to try: "那就听你的", "我去试试", "那就它了"
                 r"^(那|那我|我)?(就)?(听你的|听你|就它了|就这个了|就这个吧|就这么办|就这样吧|这样|这么办|这么着)(吧|了|啦)?$|"
                 r"^(那|那我|我)?(就|先)?(去)(小程序|天猫|京东|淘宝|官网|店里|门店|网上)?(里|上)?"
                 r"(试试|试一下|试一试|看看|瞧瞧|领|领一下|领券|找找|下单|买)(看|吧|了|去)?$|"
                 r"^(那|那我|我)?(就|这就|马上)?(下单|买|领券|付款|拍)去(了|啦|咯)?$|"  # "好 下单去了"
                 # going to try: "好的我试试看", "那我先试试吧"
                 r"^(那|那我|我)?(就|先)?(再)?(试试|试一下|试一试|试试看)(看|吧|呗)?$|"
                 # a word asked for when there is news: "有结果告诉我哈", "有消息了跟我说一声"
                 r"^(那)?(有|等)(结果|消息|回复|回音|进展|答复|信儿?|好消息)(了)?(记得)?(就)?(跟|和|给)?(我)?"
                 r"(说|讲|通知|告诉|回|回复|发)(我)?(一声|一下)?(哈|哦|吧|呀)?$|"
                 # waiting to see what the shop does: "那我再等等 看你们后面上不上新吧"
                 r"^(那|那我|我|我们)?(就|还是)?(先)?(再)?等等(吧|看|再说|呗)?$|"
                 r"^(那|那我|我)?(再|先|就)?看(看)?(你们|你家|后面|之后|以后|到时候?|下次)[^，,。？?吗么呢嘛]{0,8}?"
                 r"(?P<see>[\u4e00-\u9fff])不(?P=see)[^，,。？?吗么呢嘛]{0,3}?(吧|再说|呗)?$|"
                 # a word asked for later: "到货了记得跟我说一声哦", "卡的事记得帮我问问哈"
                 r"^[^，,。？?吗么]{0,8}记得(跟|和|给)?(我)?(说|讲|通知|告诉|提醒)(我)?(一声|一下)?(哈|哦)?$|"
                 r"^[^，,。？?吗么]{0,8}记得(帮我|帮忙)(问问|问一下|问|查查|查一下|看看)(哈|哦)?$|"
                 # a choice made: "那就送保湿霜吧", "那就买这个吧"
                 r"^(那|那我)就(送|买|要|选|拿|入)[^，,。？?\s吗么呢退换问]{1,6}?(吧)?$|"
                 # where to buy chosen: "那我就网上买吧", "那我还是天猫下单吧" (a decision, not "网上能买吗")
                 r"^(那|那我|我)?(就|还是)(在|去|上)?(网上|线上|天猫|京东|淘宝|小程序|官网|店里|门店|线下|实体店)(上|里)?"
                 r"(买|下单|入|拍)?(了|吧|啦)?$|"
                 # passing the answer on: "好 我截图给她", "我转告她"
                 r"^(那|那我|我)?(就)?(去)?(截图|截个图|转发|转告|告诉|发)(给)?(她|他|她们|他们|我妈|我爸|我老公|我老婆|"
                 r"朋友|闺蜜|家里人)(一下|看看|吧|了)?$|"
                 # trust, even asked back: "那我信你一次", "难道我还能不信你吗"
                 r"^(那|那我|我|难道我|难道)?(就|还能|还会|怎么会|哪能)?(不)?(信|相信)(你|你们)(一次|一回|了)?(吗|么)?$|"
                 # "you did note it?" after telling the persona something: "记住了没"
                 r"^(你)?(都)?(记住|记下|记好|记上)(了)?(没|没有|吗|么|嘛)?$|"
                 # waiting for us: "那我等你们消息", "等你回复", "我等着"
                 r"^(那|那我|我)?(就|先|再)?(等|等着|等等)(一下|一会|一会儿|会儿|下)?(你|你们|您|你家)?(的)?(消息|回复|通知|答复|回音|回信儿?|回话|信儿|好消息|联系|报价|电话)?"
                 r"(了|哈|吧)?$|"
                 # off to do it now, an ok beside thanks ("好 那我去领了 谢了" is thanked): "我去写作业了",
                 # "那我直接去小程序下单了", "那我去凑单了"
                 r"^(那|那我|我)(就|直接|这就|马上|现在|赶紧)?去[^吗么嘛呢?？\s]{1,6}?(了|啦|咯)$|"
                 # asking someone in their life first, looking or thinking it over, to come back (_LATER)
                 rf"{_LATER}|"
                 # using what they have for now: "我自己先用着"
                 r"^(那|那我|我)?(自己)?(就)?先[^吗么嘛呢?？\s]{1,3}着(吧|了|再说)?$|"
                 # a polite hurry, beside an ok: "好的 麻烦尽快" (not "快点啊 急用": impatience)
                 r"^(麻烦|辛苦|请)?(你们|你|您)?(尽快|尽早|抓紧)(处理|回复|安排|一下)?(哈|吧|了)?$|"
                 # no hurry: "不着急 你们慢慢来"
                 r"^(不着急|不急|没事不急|不用急|慢慢来|你们慢慢来|你慢慢来|慢慢查|不赶时间)$|"
                 r"^((ok|okay|oki|okie|sure|fine|got it|no problem|i see|noted|alright|all right|understood|"
                 r"sounds good|cool|great|perfect|ok cool|will do)[\s,]*){0,3}(i'?ll|i will|i can)?\s*"
                 r"(wait|be waiting|waiting)?$|"
                 # buying now, in English: "ok I'll order one", "great, I'll take it"
                 r"^((ok|okay|sure|great|perfect|cool|alright|then)[\s,]*){0,2}(i'?ll|i will|i'?m going to|gonna)\s+"
                 r"(order|buy|get|take|grab|try)\s+(one|it|them|two|some|a (bottle|jar|box|set))( now| then| today)?$"),
))


# A statement told laughing ("1000分才换10块 也太抠了吧😂"): a light line back (reading.py), neither a product
# idea to thank for nor a complaint.
_LAUGHING = re.compile(r"(😂|🤣|😆|😹|哈哈+|嘿嘿|hhh+|233+|笑死|xswl)[\s\W]*$", re.I)
# ... or begins with one, a space or a comma after it ("哈哈哈 差得有点远", after a reward short of points; "xswl 我妈
# 把我面霜当护手霜用了", 笑死我了 in its letters)
_LAUGHING_FIRST = re.compile(r"^(😂|🤣|😆|😹|哈哈+|嘿嘿|hhh+|233+|笑死(我了)?|xswl)+[\s，,!！~～]+\S", re.I)


def laughing(text: str) -> bool:
    """A statement (no question, no anger) that ends in a laugh, or begins with one."""
    said = text.strip()
    return ((_LAUGHING.search(said) is not None or _LAUGHING_FIRST.search(said) is not None)
            and not is_question(said) and not _angry(said))


# Putting a choice off anywhere in the message: "晚点商量一下", "改天再打听打听", "等她回我".
_PUTS_OFF = re.compile(r"(回头|晚点|等会|等下|改天|先|我)(再)?(去)?(问问|问一下|问下|商量|打听)|"
                       r"再(想想|考虑|看看|琢磨)|等(她|他|TA|ta|我妈|我爸)(回|说)")


def defers(text: str) -> bool:
    """A plan to ask someone, look or think first and come back ("回头问问她喜欢啥", "那我再想想", "等她回我"): some
    clause of the message says so (_LATER), or the message puts the choice off (_PUTS_OFF). One test for both the
    reply's "later" phrasing (routes.py) and a wish's details not told (reading.py `awaited_wish`)."""
    return (any(_LATER_RE.search(_core(c)) for c in re.split(r"[，,。.!！~～\s]+", text.lower()) if c)
            or _PUTS_OFF.search(text) is not None)


# Praise of what we sell or how we serve ("包装好精致", "你们家面霜真好用", "已经回购三瓶了", "脸真的嫩了好多"),
# thanked on the brand's behalf (chat.praise's "ours" phrasings); praise of the persona ("你真棒", "那你挺聪明的",
# "你回得好快") keeps its own reply.
_OURS = re.compile(r"你们|你家|包装|颜色|味道|东西|质量|效果|香味|质地|瓶子|盒子|外观|设计|肤感|手感|服务|态度|客服|"
                   r"售后|面霜|精华|乳液|洗面奶|面膜|产品|好用|绝了|真香|yyds|永远的神|绝绝子|回购|好评|"
                   r"脸|皮肤|肤色|气色|痘|斑|毛孔|纹|起皮|脱皮|紧绷|出油|卡粉")
_PERSONA = re.compile(r"(?<![们])(你|您)(?![们家])|小柚")


def praises_ours(text: str) -> bool:
    """Praise (classify gives PRAISE) of our products or service, not of the persona herself."""
    said = text.lower()
    return _OURS.search(said) is not None and _PERSONA.search(said) is None


# Not to be fooled, naming neither us nor what we sell ("别忽悠我", "你可别骗我啊", "真的假的 别坑我"): the doubt
# itself is answered, not with the knowledge base's authenticity answer nobody asked for.
_FOOLED = re.compile(r"(别|不要|不会是|是不是|该不会|可别|千万别)(在)?(忽悠|骗|蒙|坑)(我|人)|忽悠人|忽悠我")
_GOODS = re.compile(rf"{_WE}|店|牌子|品牌|东西|货|产品|正品|假|真伪|防伪|官方|授权|便宜|骗子|诈骗|靠谱|正规|可信|可靠")


def only_not_fooled(text: str) -> bool:
    """A doubt that only asks not to be fooled (_FOOLED), whatever it is about ("真的假的" asks if it is true)."""
    said = text.lower().replace("真的假的", " ")
    return _FOOLED.search(said) is not None and _GOODS.search(_FOOLED.sub(" ", said)) is None


# A clause that only comes along with small talk ("哈喽，第一次来，随便看看"): it does not make the
# message a question or a statement, nor is it small talk on its own.
_ALONG = re.compile(r"^(我)?(就|先)?(随便|随意)?(看看|逛逛|瞧瞧|转转|了解一下|来看看|来逛逛)$|"
                    r"^(急|很急|挺急|挺急的|比较急|有点急|急急急|着急)$|"  # "在不在 急": whether we are there
                    r"^(亲|亲亲|亲爱的|小柚|客服|老板|小姐姐|美女|宝|宝宝|宝子|妹子|妹妹|小妹|老妹|老妹儿|姑娘|小姑娘|掌柜的?|店家|"
                    r"姐妹|集美|靓女|小姐)$|"  # how they address us
                    r"^(我)?(想)?(请问|请问一下|问一下|问下|问个事|咨询一下|问问)(哈)?$|"
                    r"^(我们|咱们)?(刚才|刚刚|刚)?(说|聊|讲)到哪(了|儿了|里了|儿|里)?$|"  # "回来了 刚说到哪了"
                    # feeling better, beside thanks: "谢谢你 听你说完好多了"
                    rf"^{_TALKED}?{_BETTER}$|"
                    r"^(哈+|嘿嘿|唉|那)?(算了|算啦)$|"  # "哈哈算了 跟你说说好多了": the trouble let go
                    # the hour remarked on beside a greeting: "晚上好呀 还没睡呢", "早呀 起这么早"
                    r"^(你|您|小柚)?(也|都)?还没(睡|休息)(呢|呀|啊|吗|嘛)?$|^(你|您)?(也)?起(得|的)?(这么|好|真)早(啊|呀|呢)?$|"
                    r"^(都)?(这么|好)晚(了)?(还在)?(啊|呀|呢)?$|"
                    # a good wish or a promise beside thanks: "谢谢 希望她能消气", "…到时候给你发喜糖" (not an idea:
                    # "希望你们出个小瓶装")
                    r"^(希望|祝|但愿|到时候|到时)(?![^吗么嘛呢?？]*(你们|出|改|做|加|换))[^吗么嘛呢?？]{1,12}$|"
                    # the skin of whom a gift is for, beside the choice: "那就送保湿霜吧 她是干皮"
                    r"^(她|他|ta)(的)?(皮肤|肤质)?(是|偏|属于)(干皮|油皮|混合皮|混油皮|混干皮|敏感肌|中性皮|干性|油性|混油|混干)$")
_FIRST = next(n for n, (intent, _) in enumerate(_RULES) if intent is Intent.FIRST_VISIT)
_ANGRY = next(n for n, (intent, _) in enumerate(_RULES) if intent is Intent.ANGRY)
# The clause of an all-small-talk message that is answered: the first of these it has (docstring).
PRIORITY: tuple[Intent, ...] = (
    Intent.STAFF_HOURS, Intent.ROBOT, Intent.MEMORY, Intent.DOUBT, Intent.COMPARE, Intent.ANGRY, Intent.SAD,
    Intent.TIRED, Intent.HAPPY, Intent.GOODNIGHT, Intent.BYE,
    Intent.THANKS, Intent.PRAISE, Intent.PRESENCE, Intent.WEATHER, Intent.GREETING, Intent.LAUGH, Intent.ACK,
    Intent.EMOJI)
# "hello?" asks whether anyone is there (the "?" is trimmed off with the particles, so said before).
_HELLO_ASKED = re.compile(r"^(hello|hi|hey|hallo|helo)\s*[?？]+$", re.IGNORECASE)
_CLOSERS = (Intent.THANKS, Intent.BYE, Intent.GOODNIGHT)
_NO_HURRY = re.compile(r"^(不着急|不急|没事不急|不用急|慢慢来|你们慢慢来|你慢慢来|不赶时间)$")
_ASKS = re.compile(r"[?？]|吗|(?<![这那])么|呢|嘛|怎么|什么|啥|哪|多少|多久|能不能|可不可以|是不是|有没有")
# An acknowledgement or laughter leading a clause without a comma: "好的晚安", "嗯嗯好的谢谢", "哈哈谢谢你".
_LEAD = re.compile(r"^((?:好的|好滴|好哒|好嘞|好吧|嗯嗯|嗯呢|嗯|哦哦|噢噢|ok|收到|知道了|明白了|了解|行|"
                   r"哈+|嘿嘿|嘻嘻)+)(.+)$")
# A goodbye run on after other small talk: "谢谢啊拜拜", "好的再见".
_TAIL = re.compile(r"^(.+?)(拜拜|再见|回头见|下次见|回见|886|88|bye|晚安)$")

# The time of day a customer's own greeting names, and the local hours in which it fits (leniently:
# 早 at 11:30 is still fine). A fitting one is echoed; one the clock contradicts (早上好 at 15:00)
# gets the persona's time-neutral greeting, never a correction.
_SAID_SLOTS: tuple[tuple[str, re.Pattern[str], frozenset[int]], ...] = (
    ("noon", re.compile(r"中午好"), frozenset(range(10, 15))),
    ("afternoon", re.compile(r"下午好"), frozenset(range(12, 19))),
    ("evening", re.compile(r"晚上好|晚好"), frozenset((*range(17, 24), 0, 1))),
    ("morning", re.compile(r"早上好|早安|上午好|早晨好|^早"), frozenset(range(4, 12))),
)


def names_time_of_day(text: str) -> bool:
    """The customer's greeting names a time of day ("晚上好", "早安")."""
    said = text.strip().lower()
    return any(pattern.search(said) for _, pattern, _ in _SAID_SLOTS)


def greeting_slot(text: str, hour: int) -> str | None:
    """Which greeting answers the customer's: the time of day their own 早上好 / 晚上好 names when it
    fits the local `hour`, "" (time-neutral) when the clock contradicts it, None (the clock's own
    slot) when they named no time of day."""
    said = text.strip().lower()
    for slot, pattern, hours in _SAID_SLOTS:
        if pattern.search(said):
            return slot if hour in hours else ""
    return None


def _core(text: str) -> str:
    """The clause without particles, punctuation and emoji around it ("👌谢谢", "没点福利吗🙄")."""
    text = _STICKERS.sub("", text).strip().lower()
    while text and (text[0] in TRIM or _decoration(text[0]) or text[-1] in TRIM or _decoration(text[-1])):
        text = text.strip(TRIM)
        text = text[1:] if text and _decoration(text[0]) else text
        text = text[:-1] if text and _decoration(text[-1]) else text
    return text


# English clauses are words between spaces: "great, thank you so much" is cut at its comma only (between spaces,
# "thank" and "you" are no clause of their own).
_EN_CLAUSES = re.compile(r"[,.!?;~，。！？；～]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _english_chunks(raw: str) -> Intent | None:
    """Small talk of several English clauses ("great, thank you so much", "perfect, see you on Saturday"): the
    intent of its most meaningful clause (PRIORITY) when every clause is small talk; None otherwise (the whole
    message is read as any other)."""
    if _HAN.search(raw):
        return None
    chunks = [c for c in _EN_CLAUSES.split(raw) if _core(c)]
    if len(chunks) < 2:
        return None
    found = [_classify(c) for c in chunks]
    if any(f is None or f not in PRIORITY for f in found):
        return None
    return min(found, key=lambda f: PRIORITY.index(f) if f is not None else len(PRIORITY))


def _decoration(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk", "Cf", "Mn")


def _emoji_only(text: str) -> bool:
    chars = [c for c in text if not c.isspace()]
    return bool(chars) and all(unicodedata.category(c) in ("So", "Sk", "Cf", "Mn") for c in chars)


# The customer's own next step, told after an ok ("行吧 那我先寄到深圳我妹那", "那算了 我去超市随便给他拿一瓶"), or an
# ok after a short statement ("1000分才抵10块 好吧"): settled, an ok; not "我是干皮" (told about themselves), nor
# a question.
_PLAN = re.compile(r"^(那|那我|我|我们|下次|回头|先|改天|等|还是)(?!是|的|有|皮肤|家|们家)|"
                   # a day to come and what they will do then: "好 周末过去", "好嘞 周末去喝"
                   r"^(周末|明天|后天|今晚|晚上|下午|下周|过两天|有空|到时候?)(再|就)?(去|过去|过来|来|到店|回来|买|下单)")
_OKS = frozenset({"好", "好的", "好吧", "行", "行吧", "ok", "好嘞", "好滴", "嗯", "嗯嗯", "那好吧", "那行", "那算了",
                  "算了"})


def _settled(parts: list[str], raw: str) -> bool:
    if len(parts) < 2 or len(raw) > 30 or is_question(raw) or _angry(raw):
        return False
    if parts[0] in _OKS:
        return all(_PLAN.match(p) or _rule(p) is not None or _ALONG.match(p) for p in parts[1:])
    return parts[-1] in _OKS and len(parts) == 2


def _angry(text: str) -> bool:
    return _RULES[_ANGRY][1].search(text.lower()) is not None


def _rule(clause: str) -> Intent | None:
    """The first rule a clause matches."""
    return next((intent for intent, pattern in _RULES if pattern.search(clause)), None)


def _clauses(part: str) -> list[str]:
    """A clause, or its leading acknowledgement and the rest when only the rest is small talk
    ("好的晚安" → "好的", "晚安"), or small talk and the goodbye run on after it without a comma, as
    voice input types them ("谢谢啊拜拜" → "谢谢", "拜拜")."""
    if _rule(part) is not None:
        return [part]
    lead = _LEAD.match(part)
    rest = _clauses(_core(lead[2])) if lead is not None else []
    if lead is not None and all(_rule(c) is not None for c in rest):
        return [lead[1], *rest]
    tail = _TAIL.match(part)
    if tail is not None and _rule(_core(tail[1])) is not None:
        return [_core(tail[1]), tail[2]]
    return [part]


# Upset with someone in the customer's life, not with us ("男朋友不记得我生日 我该生气吗"): comfort, never
# "sorry we upset you, want a person?". Words that name us keep it anger at us, and so does the one a gift
# is for ("急死了 那是给我妈的生日礼物": the parcel is the matter).
_SOMEONE_ELSE = re.compile(r"(?<![给送])(?:男朋友|男友|老公|对象|女朋友|老婆|前任|老板|领导|上司|同事|室友|闺蜜|朋友|"
                           r"同学|我妈|我爸|老妈|老爸|婆婆|公公|孩子|儿子|女儿|家里人|邻居)")
_US = re.compile(r"你们|你家|客服|店家|商家|快递|发货|东西|产品|面霜|订单|退|投诉")
# Asking what to use or buy ("熬夜脸特别干 用啥补救一下"): a question for the knowledge base, even told
# beside a feeling word found anywhere in the message.
_ASKS_WHAT_TO_USE = re.compile(r"(用|擦|搽|涂|抹|买|选|挑)(啥|什么|哪个|哪款|哪种)|推荐|哪款|补救")


# A trouble of the customer's skin in the words it is said back with: "老是爆痘" → 爆痘, "额头一直冒闭口" → 闭口,
# "T区出油特别厉害" → 出油, "晒完太阳脸就刺痛" → 刺痛 ("敏感肌" is a skin type, not a trouble).
_TROUBLE_SAID = re.compile(r"(?:爆|长|冒|起)痘(?:痘)?|痘痘|闭口|粉刺|黑头|出油|油光|泛红|红血丝|干燥起皮|起皮|脱皮|"
                           r"干燥|刺痛|发痒|瘙痒|暗沉|发黄|(?:长)?斑|细纹|皱纹|毛孔粗大|毛孔大|敏感(?!肌)|过敏")


def trouble_said(text: str) -> str:
    """The skin trouble a message tells, as the persona says it back ("换季爆痘" for "我最近脸上老是爆痘 是不是跟换季
    有关": the season named with it when the message names it; "换季敏感" for sensitive skin in the change of season),
    "" when it tells none."""
    found = _TROUBLE_SAID.search(text)
    if found is None:
        # "我是敏感肌 换季的时候用什么好": sensitive skin is a trouble in the change of season
        return "换季敏感" if "换季" in text and "敏感" in text else ""
    return f"换季{found[0]}" if "换季" in text else found[0]

# Memoised: one kf text is classified by several readers (reading.py, feelings.py, unnamed.py: three
# to five times per message), and the same short texts recur across customers ("好的", "多久发货").
@functools.lru_cache(maxsize=1024)
def classify(text: str) -> Intent | None:
    """The small-talk intent of a message, or None when it may be a question or a statement. A
    message of several small-talk clauses gets the intent of its most meaningful one (PRIORITY);
    praise asked about ("…挺好用的 真的假的") is a question (asks_if_true); anger at someone in the
    customer's life is sadness (_SOMEONE_ELSE)."""
    intent = _classify(text)
    if intent is Intent.PRAISE and asks_if_true(text):
        return None
    if intent is Intent.ANGRY and _SOMEONE_ELSE.search(text) and not _US.search(text):
        return Intent.SAD
    return intent


def _classify(text: str) -> Intent | None:
    raw = text.strip()
    if not raw or len(raw) > 40:
        return None  # long messages carry content: the knowledge base or a person decides
    if _STICKER.match(raw) or _emoji_only(raw):
        return Intent.EMOJI
    if _HELLO_ASKED.match(raw):
        return Intent.PRESENCE  # "hello?", "hi??": anyone there, not a greeting
    if (english := _english_chunks(raw)) is not None:
        return english
    core = _core(raw)
    parts = [c for p in re.split(r"[，,。.!！?？~～\s]+", raw.lower()) if (q := _core(p)) for c in _clauses(q)]
    if not core and raw.strip("?？.。…~～ "):  # "？", "。。。": did not get it, or waiting: present
        return None
    if not core:
        return Intent.PRESENCE
    for part in parts:
        if not _ALONG.match(part) and _rule(part) is None:
            # some clause is not small talk ("你好，多久发货"): not small talk as a whole, unless a short
            # statement ends in thanks or a goodbye ("好 那我去领了 谢了", "不说了 睡了 晚安")
            last = _rule(parts[-1]) if parts else None
            if last in _CLOSERS and len(raw) <= 24 and not _ASKS.search(raw):
                return last
            if last is Intent.PRAISE and len(raw) <= 20 and not is_question(raw) and not _angry(raw):
                return last  # "隔天就到 还挺快的嘛": what was told, then praise of it
            if any(_NO_HURRY.match(p) for p in parts) and not is_question(raw) and not _angry(raw):
                return Intent.ACK  # "还没用完呢 不着急 先问问": no hurry is no anger, whatever is told beside it
            if _settled(parts, raw):
                return Intent.ACK
            break
    else:
        if any(_RULES[_FIRST][1].search(part) for part in parts):
            return Intent.FIRST_VISIT  # "哈喽，第一次来": one warm welcome, not a greeting and a chat line
        found = {intent for part in parts if not _ALONG.match(part) and (intent := _rule(part)) is not None}
        if {Intent.GREETING, Intent.PRESENCE} <= found and names_time_of_day(raw.lower()):
            found.discard(Intent.PRESENCE)  # "晚上好 在吗": greeted back for the evening (which says we are here)
        if found <= {Intent.ACK} and any(_ALONG.match(p) and _rule(p) is Intent.HAPPY for p in parts):
            found = {Intent.HAPPY}  # "嗯嗯 跟你聊聊好多了": feeling better, beside an ok (beside thanks: thanked)
        if found:
            return min(found, key=PRIORITY.index)
        core = parts[-1] if parts else core  # all along ("亲，请问一下"): the last clause says what they want
    for intent, pattern in _RULES:
        whole = intent in (Intent.ANGRY, Intent.SAD, Intent.TIRED, Intent.ROBOT, Intent.MEMORY, Intent.STAFF_HOURS,
                           Intent.DOUBT, Intent.COMPARE)
        if whole and intent in (Intent.SAD, Intent.TIRED) and (_ASKS_WHAT_TO_USE.search(raw) or (
                is_question(raw) and trouble_said(raw))):
            continue  # "熬夜脸特别干 用啥补救一下", "额头一直冒闭口 是不是熬夜导致的": the question is the point
        if pattern.search(raw.lower() if whole else core):
            return intent
    return None
