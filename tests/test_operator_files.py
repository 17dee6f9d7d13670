"""A new shop's own files, as an operator writes them (a bubble-tea shop, 茶小满, set up from the README): a
FAQ saved by Excel on Chinese Windows (GBK) or with a BOM, blank lines, a cell with a line break, the usual
slips (a full-width comma, an answer column left out, an unquoted comma, a question twice, an answer too long
for a WeChat message), and the config that names them. Every problem is told with the file and the line the
operator sees in their editor, and the exit code is 1; nothing ends in a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from persona.faq import load_faq_file

ROWS = [
    "question,answer",
    "营业时间|几点开门,门店每天10:00-22:00营业，节假日照常营业。",
    "外卖怎么点,在美团、饿了么搜索“茶小满”下单。",
    "",
    "可以少糖吗|有没有无糖的,所有饮品都可以选无糖、三分糖、五分糖和全糖。",
    "能开发票吗,可以开电子发票，在小程序订单页点“开发票”。",
]


@pytest.fixture
def no_wanzi_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in [v for v in os.environ if v.startswith("WANZI_")]:
        monkeypatch.delenv(var)


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def faq_eval_says(tmp_path: Path, kb: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    questions = write(tmp_path / "questions.csv", ["question,expected", "几点开门呀,营业时间"])
    code = main(["faq", "eval", str(questions), "--kb", str(kb)])
    return code, capsys.readouterr().err


def test_a_faq_excel_saved_as_gbk_reads_as_the_same_entries_as_utf8(tmp_path: Path) -> None:
    gbk = load_faq_file(write(tmp_path / "gbk.csv", ROWS, "gbk"))
    bom = load_faq_file(write(tmp_path / "bom.csv", ROWS, "utf-8-sig"))
    assert [(e.questions, e.answer) for e in gbk] == [(e.questions, e.answer) for e in bom]
    assert gbk[2].questions == ("可以少糖吗", "有没有无糖的") and gbk[3].answer.startswith("可以开电子发票，")


def test_a_file_that_is_neither_utf8_nor_gbk_is_named_with_its_line(
        tmp_path: Path, no_wanzi_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    data = "\r\n".join(ROWS).encode()
    at = data.index("外卖".encode())
    kb = tmp_path / "kb.csv"
    kb.write_bytes(data[:at] + b"\xff" + data[at + 1:])  # one damaged byte in a UTF-8 file: not read as GBK
    code, err = faq_eval_says(tmp_path, kb, capsys)
    assert code == 1 and "Traceback" not in err
    assert f"error: {kb}: line 3: is neither UTF-8 nor GBK text: save the file as UTF-8" in err


def test_excels_unicode_text_is_read_and_its_tabs_named(
        tmp_path: Path, no_wanzi_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    kb = write(tmp_path / "kb.csv", [row.replace(",", "\t", 1) for row in ROWS], "utf-16")  # "Unicode 文本"
    code, err = faq_eval_says(tmp_path, kb, capsys)
    assert code == 1 and "Traceback" not in err
    assert (f"error: {kb}: line 1: the first line must name the columns question,answer; the header "
            "'question\\tanswer' is not split by ASCII commas") in err


def test_a_workbook_or_a_csv_by_another_name_is_told_what_to_save(
        tmp_path: Path, no_wanzi_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "faq.xlsx", "w") as book:  # named in faq.path as Excel saved it
        book.writestr("xl/sharedStrings.xml", "<sst><si><t>营业时间</t></si></sst>")
    code, err = faq_eval_says(tmp_path, tmp_path / "faq.xlsx", capsys)
    assert code == 1 and "faq.xlsx: file: a workbook is not read: save it as CSV" in err
    code, err = faq_eval_says(tmp_path, write(tmp_path / "faq.txt", ROWS), capsys)
    assert code == 1 and "its first line names question and answer: a CSV file must end in .csv" in err


@pytest.mark.parametrize(("edit", "said"), [
    (lambda rows: rows + ["退款怎么弄"],
     "line 7: no answer: the line has 1 of the header's 2 columns"),
    (lambda rows: rows + ["退款怎么弄，做错了可以重做"],
     "line 7: no answer: the line has 1 of the header's 2 columns; a full-width comma '，' does not separate "
     "columns: use ','"),
    (lambda rows: rows + ["周末开门吗|营业时间,周末也营业。"],
     "line 7: the question '营业时间' is also at line 2"),
    (lambda rows: rows + ["可以自带杯子吗,可以自带杯子,还能立减2元。"],
     "line 7: 3 columns where the header has 2: an answer with a comma ',' in it must be in double quotes"),
    (lambda rows: rows + ["有什么推荐的," + "招牌满满杨枝甘露，芒果西柚椰奶。" * 50],
     "line 7: the answer is 2,400 bytes; a WeChat message holds 2,048 with the persona's words around it, so at "
     "most 1,800"),
    (lambda rows: rows + [",只有答案没有问题"],
     "line 7: no question: the question column is empty"),
    (lambda rows: ["question，answer"] + rows[1:],
     "line 1: the first line must name the columns question,answer; the header 'question，answer' is not split "
     "by ASCII commas"),
    (lambda rows: rows[:3] + ['奶是什么奶,"只用鲜牛奶，', '不用植脂末。"'] + rows[3:] + ["营业时间,x"],
     "line 9: the question '营业时间' is also at line 2"),  # a quoted cell's line break counts as a line
], ids=["no answer column", "full-width comma", "question twice", "unquoted comma", "answer too long",
        "no question", "full-width header", "line break in a cell"])
def test_a_csv_mistake_is_named_by_the_line_the_operator_sees(
        tmp_path: Path, no_wanzi_env: None, capsys: pytest.CaptureFixture[str], edit, said: str) -> None:
    kb = write(tmp_path / "kb.csv", edit(list(ROWS)), "utf-8-sig")
    code, err = faq_eval_says(tmp_path, kb, capsys)
    assert code == 1 and "Traceback" not in err
    assert f"error: {kb}: {said}" in err


def test_a_toml_faq_mistake_names_the_line_of_its_entry(
        tmp_path: Path, no_wanzi_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    kb = tmp_path / "kb.toml"
    kb.write_text('# 茶小满\n[[faq]]\nq = ["营业时间"]\na = "10:00-22:00"\n\n[[faq]]\nq = ["外卖"]\na = ""\n',
                  encoding="utf-8")
    code, err = faq_eval_says(tmp_path, kb, capsys)
    assert code == 1 and f"error: {kb}: line 6: needs an answer text" in err


def test_faq_reload_names_the_line_and_reloads_nothing(
        tmp_path: Path, no_wanzi_env: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "faq.csv", ROWS + ["退款怎么弄"], "gbk")
    cfg = tmp_path / "config.toml"
    cfg.write_text('[database]\nurl = "sqlite+aiosqlite:///./shop.db"\n[faq]\npath = "faq.csv"\n', encoding="utf-8")
    assert main(["faq", "reload", "--config", str(cfg)]) == 1  # no database yet: none is made
    assert "no database at" in capsys.readouterr().err and not (tmp_path / "shop.db").exists()
    assert main(["db", "upgrade", "--config", str(cfg)]) == 0
    assert main(["faq", "reload", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert "error: faq.csv: line 7: no answer" in err and "nothing reloaded" in err
    write(tmp_path / "faq.csv", ROWS, "gbk")
    assert main(["faq", "reload", "--config", str(cfg)]) == 0
    assert "faq.csv：4 条" in capsys.readouterr().out


def ready_config(tmp_path: Path, extra: str) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[wecom]\ncorp_id = "ww1"\ntoken = "T"\n'
                   'encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"\n'
                   'agent_id = 1000002\napp_secret = "S"\n' + extra, encoding="utf-8")
    return cfg


def test_config_check_reads_the_faq_file_as_start_up_does(
        tmp_path: Path, no_wanzi_env: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "faq.csv", ROWS + ["周末开门吗|营业时间,周末也营业。"], "utf-8-sig")
    cfg = ready_config(tmp_path, '[faq]\npath = "faq.csv"\n')
    assert main(["config", "check", "--config", str(cfg)]) == 1
    assert "error: faq.csv: line 7: the question '营业时间' is also at line 2" in capsys.readouterr().err


def test_config_check_names_the_key_of_a_missing_file_and_where_it_looked(
        tmp_path: Path, no_wanzi_env: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "shop").mkdir()
    cfg = ready_config(tmp_path / "shop", '[persona]\npath = "persona.toml"\n')
    monkeypatch.chdir(tmp_path)  # the operator runs it from the folder above
    assert main(["config", "check", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert (f"error: persona.path: no file at {tmp_path / 'persona.toml'} ('persona.toml'; a relative path is read "
            f"from the working directory, {tmp_path})") in err
    cfg = ready_config(tmp_path / "shop", '[faq]\npath = "shop/faq.csv"\n')
    assert main(["config", "check", "--config", str(cfg)]) == 1
    assert f"error: faq.path: no file at {tmp_path / 'shop' / 'faq.csv'}" in capsys.readouterr().err


def test_config_check_warns_when_customers_would_meet_the_demo_shop_or_no_answers(
        tmp_path: Path, no_wanzi_env: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["config", "check", "--config", str(ready_config(tmp_path, ""))]) == 0
    err = capsys.readouterr().err
    assert "warning: persona.path is empty: customers meet 小柚 of 柚见, the demo persona of the interest preset" in err
    assert "warning: faq.path is empty: customers are answered from the demo knowledge base, persona/faq.toml" in err
    (tmp_path / "persona.toml").write_text(
        (Path(__file__).parent.parent / "persona" / "presets" / "interest.toml").read_text(encoding="utf-8")
        .replace('brand = "柚见"', 'brand = "茶小满"'), encoding="utf-8")
    assert main(["config", "check", "--config", str(ready_config(tmp_path, '[persona]\npath = "persona.toml"\n'))]) == 0
    err = capsys.readouterr().err
    assert ("warning: the knowledge base is empty: persona.toml has no [[faq]] and faq.path is empty, so every "
            "question goes to a colleague") in err and "demo" not in err
    write(tmp_path / "faq.csv", ROWS, "gbk")
    cfg = ready_config(tmp_path, '[persona]\npath = "persona.toml"\n[faq]\npath = "faq.csv"\n')
    assert main(["config", "check", "--config", str(cfg)]) == 0
    assert "knowledge base" not in capsys.readouterr().err


def test_a_config_saved_as_gbk_by_notepad_is_read(
        tmp_path: Path, no_wanzi_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_bytes('[wecom]\ncorp_id = "ww1"  # 企业ID\n[staff]\nnames = ["li.na=李娜"]\n'.encode("gbk"))
    from bot.app import load_config

    assert load_config(cfg).staff.names == ("li.na=李娜",)


def test_persona_check_names_the_texts_of_a_copied_preset_that_still_name_the_demo_shop(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    preset = (Path(__file__).parent.parent / "persona" / "presets" / "interest.toml").read_text(encoding="utf-8")
    mine = preset.replace('name = "小柚"', 'name = "小满"').replace('brand = "柚见"', 'brand = "茶小满"')
    mine = mine.replace('signoff = "—— 小柚"', 'signoff = "—— 小满"')
    persona = tmp_path / "persona.toml"
    persona.write_text(mine, encoding="utf-8")
    assert main(["persona", "check", str(persona)]) == 1
    err = capsys.readouterr().err
    assert f"{persona}: 2 text(s) still name the demo persona or brand, not 小满 of 茶小满" in err
    assert "  profile.intro: 小柚\n  facts.community: 柚见\n" in err  # every template says {persona} and {brand}
    mine = mine.replace('community = "柚见护肤同好群"', 'community = "茶小满福利群"')
    persona.write_text(mine.replace("我是柚见的小柚", "我是茶小满的小满"), encoding="utf-8")
    assert main(["persona", "check", str(persona)]) == 0
    assert "persona ok: 小满" in capsys.readouterr().out


def test_the_sandbox_runs_the_shops_persona_and_faq_inside_its_own_emulated_corp(
        tmp_path: Path, no_wanzi_env: None) -> None:
    from bot.cli import build_parser
    from bot.config.loading import read_file
    from bot.sandbox import sandbox_config, shop_note
    from emulator import EmulatorConfig
    from handlers.escalation.config import EscalationConfig
    from handlers.wiring import faq_file

    cfg = tmp_path / "config.toml"
    cfg.write_text('[wecom]\ncorp_id = "wwREAL"\n[staff]\nadmins = ["boss"]\n[persona]\npath = "persona.toml"\n'
                   '[faq]\npath = "faq.csv"\nthreshold = 0.6\n[escalation]\nworking_hours = "10:00-22:00"\n',
                   encoding="utf-8")
    for argv in (["sandbox", "--config", str(cfg)], ["--config", str(cfg), "sandbox"]):
        assert build_parser().parse_args(argv).config == str(cfg)
    config = sandbox_config(EmulatorConfig(), api_base="http://127.0.0.1:9", host="127.0.0.1", port=8080,
                            db_path=str(tmp_path / "sandbox.db"), shop=read_file(cfg))
    assert config.persona.path == "persona.toml" and faq_file(config) == Path("faq.csv")
    assert config.of(EscalationConfig).working_hours == "10:00-22:00"
    assert config.wecom.api_base == "http://127.0.0.1:9" and config.wecom.corp_id != "wwREAL"
    assert "boss" not in config.staff.admins and "zhang.wei" in config.staff.admins  # the emulated staff sign in
    assert shop_note(str(cfg), config).startswith(f"  Shop: {cfg} (persona persona.toml, knowledge base faq.csv;")


def test_config_check_warns_of_the_example_channels_link_that_opens_nothing(
        tmp_path: Path, no_wanzi_env: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    example = (Path(__file__).parent.parent / "config.example.toml").read_text(encoding="utf-8")
    channel = example[example.index("[channels.spring_sale]"):example.index("[log]")]
    assert main(["config", "check", "--config", str(ready_config(tmp_path, channel))]) == 0
    assert ("warning: channels.spring_sale.link_url is https://example.invalid/spring: a .invalid address opens "
            "nothing") in capsys.readouterr().err
    mine = channel.replace("https://example.invalid/spring", "https://chaxiaoman.example.com/summer")
    assert main(["config", "check", "--config", str(ready_config(tmp_path, mine))]) == 0
    assert "channels.spring_sale" not in capsys.readouterr().err


MINIMAL_PERSONA = '''[profile]
name = "小满"
brand = "茶小满"
intro = "我是茶小满的小满，每天陪你喝一杯好茶～"
address = "亲"

[facts]
campaign = "夏日冰饮季"
coupon = "第二杯半价"
community = "茶小满福利群"
'''


def test_config_check_of_a_minimal_persona_says_what_stands_in_and_what_a_channel_lacks(
        tmp_path: Path, no_wanzi_env: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "persona.toml").write_text(MINIMAL_PERSONA, encoding="utf-8")
    write(tmp_path / "faq.csv", ROWS)
    files = '[persona]\npath = "persona.toml"\n[faq]\npath = "faq.csv"\n'
    assert main(["config", "check", "--config", str(ready_config(tmp_path, files))]) == 0
    err = capsys.readouterr().err
    assert "warning: persona.toml: " in err and " templates missing, the interest preset's texts stand in" in err
    assert "`wanzi persona check persona.toml` lists them" in err
    channel = '[channels.summer]\nstage = "new"\n'
    assert main(["config", "check", "--config", str(ready_config(tmp_path, files + channel))]) == 1
    assert ("error: channels.summer.stage: the persona (persona.toml) has no stage 'new'; known: none: the file has "
            "no [stages.<name>] (a preset shows them)") in capsys.readouterr().err


def test_a_persona_saved_as_gbk_by_notepad_passes_persona_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    preset = (Path(__file__).parent.parent / "persona" / "presets" / "advisor.toml").read_text(encoding="utf-8")
    persona = tmp_path / "persona.toml"
    persona.write_bytes(preset.encode("gbk", errors="replace"))  # Notepad's ANSI: an emoji it cannot keep is "?"
    assert main(["persona", "check", str(persona)]) == 0
    assert "persona ok: 安然" in capsys.readouterr().out
