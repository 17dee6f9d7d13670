"""The LLM backend's checks that need no server: `[llm]` values `wanzi config check` refuses, the
key from the environment, and the guard that stands between the model and a customer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.app import config_from
from bot.cli import main
from bot.llm import LlmConfig
from handlers.replies.llm.guard import check

GROUNDING = ("现货订单 48 小时内从杭州仓发出，默认顺丰，江浙沪一般隔天到，其他地区 2-4 天。\n满199减30\n"
             "官网 https://youjian.example.cn\n售后电话 400-820-1234")


@pytest.fixture
def no_wanzi_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in [v for v in os.environ if v.startswith("WANZI_")]:
        monkeypatch.delenv(var)


CALLBACK_KEYS = ('[wecom]\ncorp_id = "ww1"\ntoken = "T"\n'
                 'encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"\n')


@pytest.mark.parametrize(("llm", "key"), [
    ("enabled = true\nmodel = \"deepseek-chat\"", "llm.base_url"),
    ("enabled = true\nbase_url = \"https://api.deepseek.com\"", "llm.model"),
    ("base_url = \"api.deepseek.com\"", "llm.base_url"),
    ("timeout_s = 0", "llm.timeout_s"),
    ("timeout_s = 600", "llm.timeout_s"),
    ("max_tokens = 100000", "llm.max_tokens"),
    ("temperature = 5", "llm.temperature"),
    ("daily_budget_tokens = -1", "llm.daily_budget_tokens"),
    ("daily_budget_tokens = \"lots\"", "llm.daily_budget_tokens"),
    ("api_key = \"sk-1 sk-2\"", "llm.api_key"),
    ("enabeld = true", "llm.enabeld"),
])
def test_config_check_names_the_bad_llm_key(tmp_path: Path, no_wanzi_env: None, capsys: pytest.CaptureFixture[str],
                                            llm: str, key: str) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f"{CALLBACK_KEYS}\n[llm]\n{llm}\n")
    assert main(["config", "check", "--config", str(cfg)]) == 1
    assert f"error: {key}:" in capsys.readouterr().err


def test_a_complete_llm_section_passes_config_check(tmp_path: Path, no_wanzi_env: None,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'{CALLBACK_KEYS}\n[llm]\nenabled = true\nbase_url = "http://localhost:11434/v1"\n'
                   'model = "qwen2.5:7b"\n')
    assert main(["config", "check", "--config", str(cfg)]) == 0
    assert "config ok" in capsys.readouterr().out


def test_the_api_key_comes_from_the_environment() -> None:
    config = config_from({"llm": {"enabled": True, "base_url": "https://api.deepseek.com", "model": "deepseek-chat"}},
                         {"WANZI_LLM__API_KEY": "sk-from-env", "WANZI_LLM__TIMEOUT_S": "5"})
    assert (config.of(LlmConfig).api_key, config.of(LlmConfig).timeout_s) == ("sk-from-env", 5.0)


@pytest.mark.parametrize("answer", [
    "现货订单 48 小时内就会发出，默认顺丰哦～",
    "江浙沪一般隔天到，放心～",
    "现在有满199减30的活动，可以看看～",
    "可以去官网 https://youjian.example.cn 看看哦",
    "其他地区一般 2 到 4 天能到～",
    "售后可以打 400 820 1234 哦",
    "这个问题我帮你留意一下，有消息告诉你～",
])
def test_answers_made_of_the_grounding_pass(answer: str) -> None:
    assert check(answer, allowed=GROUNDING).text == answer


@pytest.mark.parametrize(("answer", "reason"), [
    ("现货订单 24 小时内就会发出～", "number"),
    ("现在下单立减50哦", "number"),
    ("其他地区一般 24 天能到", "number"),
    ("一般两天就到啦", "number"),
    ("去 www.taobao.com 搜一下", "link"),
    ("加我微信聊吧", "link"),
    ("打 0571-8888 6666 咨询", "phone"),
    ("不满意包退，放心买！", "promise"),
    ("这款能根治痘痘", "medical"),
    ("<think>客户问发货</think>", "empty"),
    ("[不知道]", "no_answer"),
    ("【知识库】1. 问：下单后多久发货", "garbage"),
    ("\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b", "garbage"),
])
def test_answers_with_facts_from_elsewhere_are_refused(answer: str, reason: str) -> None:
    assert check(answer, allowed=GROUNDING).reason == reason


def test_a_reasoning_models_thinking_is_dropped_and_a_cut_answer_ends_at_a_full_sentence() -> None:
    verdict = check("<think>想一想</think>默认顺丰发货哦。江浙沪一般隔天", allowed=GROUNDING, truncated=True)
    assert verdict.text == "默认顺丰发货哦。"
    assert check("默" * 500, allowed=GROUNDING).reason == "too_long"
    long = "默认顺丰发货哦。" * 60
    assert len(check(long, allowed=GROUNDING).text) <= 300
