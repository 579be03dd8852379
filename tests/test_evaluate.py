"""The scorer follows ANNOTATION.md: one-to-one matching, neutral items, core and strict."""
from kg.evaluate import score


def entity(id_, type_, name, aliases=(), optional=False, elliptical=False):
    return {"id": id_, "type": type_, "name": name, "aliases": list(aliases),
            "optional": optional, "elliptical": elliptical}


GOLD = {"document": "d.txt", "entities": [
    entity("g1", "Agency", "长春市工信局", ["市工信局"]),
    entity("g2", "Platform", "政务云平台"),
    entity("g3", "Database", "交通数据库", elliptical=True),
    entity("g4", "Project", "“一把手”工程", optional=True),
], "relations": [
    {"type": "leads", "head": "g1", "tail": "g2"},
    {"type": "depends-on", "head": "g3", "tail": "g2"},
]}


def test_names_match_through_aliases_after_normalisation():
    predicted = {"document": "d.txt", "entities": [entity("p1", "Agency", "市 工信局"), entity("p2", "Platform", "《政务云平台》")],
                 "relations": [{"type": "leads", "head": "p1", "tail": "p2"}]}
    result = score([GOLD], [predicted])
    assert result.entities["all"].hits == 2 and result.entities["all"].false_positives == 0
    assert result.relations["leads"].hits == 1
    assert result.names_right == 1  # 市工信局 is not the canonical 长春市工信局


def test_two_predictions_of_one_entity_are_one_hit_and_one_false_positive():
    predicted = {"document": "d.txt", "entities": [entity("p1", "Agency", "长春市工信局"), entity("p2", "Agency", "市工信局")],
                 "relations": []}
    counts = score([GOLD], [predicted]).entities["Agency"]
    assert (counts.hits, counts.false_positives) == (1, 1)


def test_optional_items_are_neutral_and_elliptical_ones_only_in_core():
    predicted = {"document": "d.txt", "entities": [entity("p4", "Project", "一把手工程"), entity("p3", "Database", "交通数据库")],
                 "relations": []}
    core, strict = score([GOLD], [predicted]), score([GOLD], [predicted], strict=True)
    assert core.entities["all"].false_positives == 0 and core.entities["all"].hits == 0
    assert strict.entities["Database"].hits == 1


def test_types_must_agree_and_misses_are_counted():
    predicted = {"document": "d.txt", "entities": [entity("p1", "Platform", "长春市工信局")], "relations": []}
    result = score([GOLD], [predicted])
    assert result.entities["Platform"].false_positives == 1
    assert result.entities["Agency"].misses == 1 and result.entities["Platform"].misses == 1
    assert result.relations["leads"].misses == 1
    assert result.relations["depends-on"].misses == 0  # an elliptical end is neutral in core
