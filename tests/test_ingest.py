"""Ingest: encodings, normalisation for matching, offsets back into the original text."""
import codecs

import pytest

from kg.ingest import IngestError, decode, document_from_text, read_document

PLAN = "黑龙江省电子政务发展规划\n建设全省统一的电子政务外网，整合各部门业务专网。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_every_supported_encoding_decodes_to_the_same_text(tmp_path, encoding):
    path = tmp_path / f"plan-{encoding}.txt"
    data = PLAN.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    path.write_bytes(data)
    assert read_document(path).text == PLAN


def test_big5_plan_in_traditional_characters_is_decoded_and_folded(tmp_path):
    traditional = "哈爾濱市電子政務發展規劃\n加快建設市電子政務網絡平台，完善政府門戶網站。"
    path = tmp_path / "big5.txt"
    path.write_bytes(traditional.encode("big5"))
    document = read_document(path)
    assert document.text == traditional
    assert "哈尔滨市电子政务发展规划" in document.norm


def test_missing_file_names_the_file_and_the_fix(tmp_path):
    with pytest.raises(IngestError) as error:
        read_document(tmp_path / "nope.txt")
    assert "nope.txt" in str(error.value) and "no such file" in str(error.value)


def test_undecodable_bytes_give_an_error_not_garbage(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(IngestError) as error:
        read_document(path)
    assert "binary.txt" in str(error.value) and "UTF-8" in str(error.value)


def test_empty_file_is_reported():
    with pytest.raises(IngestError):
        decode(b"   \n", "empty.txt")


def test_full_width_and_ascii_punctuation_fold_to_one_spelling():
    document = document_from_text("a.txt", '建设"金盾"工程(一期),实施１２３４５热线；')
    assert document.norm == "建设“金盾”工程（一期），实施12345热线；"
    assert len(document.norm) == len(document.text)


def test_stray_spaces_inside_words_are_removed_and_offsets_still_point_into_the_original():
    text = "完善电子 政务 外网和政务　　信息资源网。    二、主要任务"
    document = document_from_text("a.txt", text)
    assert "电子政务外网" in document.norm and "政务信息资源网" in document.norm
    assert "    二" in document.norm  # a long run of blanks separates paragraphs and stays
    start = document.norm.index("电子政务外网")
    s, e = document.to_original(start, start + len("电子政务外网"))
    assert text[s:e] == "电子 政务 外网"
    start = document.norm.index("二、主要任务")
    s, e = document.to_original(start, start + 6)
    assert text[s:e] == "二、主要任务"


def test_a_plan_over_a_million_characters_is_extracted():
    from kg.extract import extract_document

    text = "哈尔滨市电子政务发展规划\n" + "。" * 1_000_000 + "\n市信息产业局负责建设市电子政务网络平台。\n"
    result = extract_document(document_from_text("long.txt", text))
    assert "哈尔滨市电子政务网络平台" in {e.name for e in result.entities}
