"""Segment: sentences, flattened paragraphs and task-table rows with their header."""
from kg.segment import segment


def test_sentences_end_at_chinese_stops_and_keep_closing_quotes():
    text = "一是完善平台。二是建设“数据库。”三是推进工程！"
    assert [text[s.start:s.end] for s in segment(text)] == ["一是完善平台。", "二是建设“数据库。”", "三是推进工程！"]


def test_runs_of_blanks_separate_paragraphs_of_a_flattened_plan():
    text = "（一）总体目标       完善电子政务网络"
    assert [text[s.start:s.end] for s in segment(text)] == ["（一）总体目标", "完善电子政务网络"]
    text = "建设 政务云  平台   推进 数据共享"  # one or two blanks stay inside a paragraph
    assert [text[s.start:s.end] for s in segment(text)] == ["建设 政务云  平台", "推进 数据共享"]


def test_table_rows_carry_cells_and_the_header_of_their_table():
    text = "序号\t重点任务\t牵头单位\t配合单位\n1\t建设省政务云平台。\t省工信厅\t省财政厅、省发改委\n\n后续段落。"
    segments = segment(text)
    rows = [s for s in segments if s.kind == "row"]
    assert len(rows) == 2
    assert rows[1].header == ("序号", "重点任务", "牵头单位", "配合单位")
    assert [text[a:b] for a, b in rows[1].cells] == ["1", "建设省政务云平台。", "省工信厅", "省财政厅、省发改委"]
    assert segments[-1].kind == "sentence" and segments[-1].header == ()


def test_pipe_tables_and_space_aligned_tables_after_a_header():
    text = ("| 序号 | 任务 | 牵头单位 |\n|---|---|---|\n| 1 | 建设政务云 | 省工信厅 |\n"
            "序号  重点任务  责任单位\n2  建设人口库  省公安厅\n\n正文  之后的段落。")
    rows = [s for s in segment(text) if s.kind == "row"]
    assert [[text[a:b] for a, b in r.cells] for r in rows] == [
        ["序号", "任务", "牵头单位"], ["1", "建设政务云", "省工信厅"],
        ["序号", "重点任务", "责任单位"], ["2", "建设人口库", "省公安厅"]]
    assert rows[1].header == ("序号", "任务", "牵头单位")
    assert segment(text)[-1].kind == "sentence"


def test_flattened_paragraphs_are_not_taken_for_tables():
    text = "一、发展基础       “十五”期间，哈尔滨市电子政务发展较快。       二、指导思想"
    assert {s.kind for s in segment(text)} == {"sentence"}
