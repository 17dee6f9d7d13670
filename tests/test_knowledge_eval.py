"""The knowledge base on customers' own words, measured on the held-out split, and `wanzi faq eval`.

tests/knowledge_eval: six made-up shops (skincare, coffee, baby products, fitness, pet food,
bakery), each an 18-entry FAQ file and paraphrases written apart from its phrasings, plus
off-topic lines and small talk asked of every shop. The matcher was tuned on dev.csv only;
final.csv is never tuned on. The figures asserted are the ones the matcher reaches (README,
"Knowledge base (FAQ)"): a change that makes it worse fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.knowledge import EVAL, evaluate_split
from bot.cli import main
from handlers.replies.faq_eval import figures, offered
from persona.faq import DEFAULT_CLARIFY_THRESHOLD, DEFAULT_THRESHOLD


def test_held_out_paraphrases_are_answered_and_off_topic_is_not() -> None:
    outcomes = evaluate_split("final")
    f = figures(outcomes, DEFAULT_THRESHOLD)
    # The bounds leave one or two questions of slack: the 4-bit model's float rounding differs between
    # CPUs and numpy builds (an AMD EPYC with numpy 2.4 ranks one question and offers two differently
    # from the machine the figures were first taken on), a change to the matcher moves far more.
    assert f.questions >= 150 and f.offtopic >= 40 and f.smalltalk >= 15
    assert f.top1 >= 0.875  # the right entry ranks first (88.4-88.9 %)
    assert f.right >= 0.754  # ... and is sure enough to be sent (163 of 216, 75.5 %; goal 90 %: not reached, README)
    assert f.wrong <= 0.028  # a wrong answer sent (6 of 216; goal 3 %)
    assert f.offtopic_answered <= 0.036  # 6 of 168; goal 5 %
    assert f.smalltalk_answered == 0.0
    # 猜你想问: of the 44-47 not answered at once, 31-35 get entries to pick from, the right one among them
    # for 25-29 (31 of 44 since an opened product beside a return is answered at once, 2026-12-03)
    c = offered(outcomes, DEFAULT_CLARIFY_THRESHOLD, DEFAULT_THRESHOLD)
    assert c.band >= 31 and c.right_offered >= 0.8
    assert c.offtopic_offered <= 0.09 and c.smalltalk_offered == 0.0  # 13-14 of 168


def write_questions(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "questions.csv"
    path.write_text("question,expected,kind\n" + rows, encoding="utf-8")
    return path


def test_faq_eval_prints_the_figures_and_the_trade_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = write_questions(tmp_path, "东西拍了啥时候能寄出,多久发货,\n"  # by phrasing
                                          "地址写错了还能改吗,address_change,\n"  # by id
                                          "帮我写一首诗,,\n"
                                          "哈哈哈哈,,smalltalk\n")
    kb = EVAL / "skincare" / "faq.toml"
    assert main(["faq", "eval", str(questions), "--kb", str(kb), "--threshold", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "2 questions with an answer, 1 off-topic, 1 small talk; threshold 0.50" in out
    assert "top-1 accuracy        100.0 %" in out
    assert "answered right        100.0 %" in out and "answered wrong          0.0 %" in out
    assert "off-topic answered      0.0 %" in out
    assert "0.50   100.0 %    0.0 %    0.0 %     0.0 %  <- threshold used above" in out
    assert "offered (clarify 0.25): 0 of the 0 questions below the threshold" in out


def test_faq_eval_uses_the_configured_knowledge_base(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[faq]\npath = "{EVAL / "coffee" / "faq.csv"}"\nthreshold = 0.5\n', encoding="utf-8")
    questions = write_questions(tmp_path, "懒得下楼，可以叫外送吗,能外卖吗,\n")
    assert main(["faq", "eval", str(questions), "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "18 entries" in out and "threshold 0.50" in out and "answered right        100.0 %" in out


def test_faq_eval_names_the_line_of_an_unknown_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = write_questions(tmp_path, "多久发货,shipping,\n几点开门,opening_hours,\n")
    assert main(["faq", "eval", str(questions), "--kb", str(EVAL / "skincare" / "faq.toml")]) == 1
    err = capsys.readouterr().err
    assert str(questions) in err and "line 3" in err and "opening_hours" in err


def test_faq_eval_refuses_a_file_without_the_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "q.csv"
    path.write_text("text\n多久发货\n", encoding="utf-8")
    assert main(["faq", "eval", str(path), "--kb", str(EVAL / "skincare" / "faq.toml")]) == 1
    assert "question,expected" in capsys.readouterr().err


def test_the_fit_reads_every_entry_and_paraphrase_of_the_train_corpus() -> None:
    # bench.knowledge_fit asks tests/knowledge_train (its README: 13 trades, 180 entries, 705 paraphrases)
    from bench.knowledge_fit import TRAIN, parse_corpus

    shops = [parse_corpus(p) for p in sorted(TRAIN.glob("*.txt")) if p.stem != "offtopic"]
    assert len(shops) == 13
    assert sum(len(entries) for entries, _ in shops) == 180
    assert sum(len(paraphrases) for _, paraphrases in shops) == 705
    entries, paraphrases = parse_corpus(TRAIN / "tea.txt")
    assert entries[0].questions == ("多久发货", "什么时候发货") and "48 小时" in entries[0].answer
    assert ("昨晚付的款今天能发走吗", 0) in paraphrases and ("去年买的绿茶今年还能喝吗", 2) in paraphrases
