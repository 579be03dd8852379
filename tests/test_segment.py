"""Segment: sentences, flattened paragraphs and task-table rows with their header."""
from kg.segment import segment


def test_sentences_end_at_chinese_stops_and_keep_closing_quotes():
    text = "一是完善平台。二是建设“数据库。”三是推进工程！"
    assert [text[s.start:s.end] for s in segment(text)] == ["一是完善平台。", "二是建设“数据库。”", "三是推进工程！"]


def test_runs_of_blanks_separate_paragraphs_of_a_flattened_plan():
    text = "（一）总体目标       完善电子政务网络"
    assert [text[s.start:s.end] for s in segment(text)] == ["（一）总体目标", "完善电子政务网络"]


def test_table_rows_carry_cells_and_the_header_of_their_table():
    text = "序号\t重点任务\t牵头单位\t配合单位\n1\t建设省政务云平台。\t省工信厅\t省财政厅、省发改委\n\n后续段落。"
    segments = segment(text)
    rows = [s for s in segments if s.kind == "row"]
    assert len(rows) == 2
    assert rows[1].header == ("序号", "重点任务", "牵头单位", "配合单位")
    assert [text[a:b] for a, b in rows[1].cells] == ["1", "建设省政务云平台。", "省工信厅", "省财政厅、省发改委"]
    assert segments[-1].kind == "sentence" and segments[-1].header == ()
