"""Extract: run the pipeline over plan files and give results in the OUTPUT.md shape.

>>> from kg.ingest import document_from_text
>>> result = extract_document(document_from_text("a.txt", "哈尔滨市电子政务发展规划\\n市信息产业局牵头。"))
>>> [e["name"] for e in as_json(result)["entities"]]
['哈尔滨市电子政务发展规划', '哈尔滨市信息产业局']
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .ingest import Document, IngestError, read_document
from .namespace import entity_iri
from .pipeline import load_pipeline, process
from .plan import PlanInfo
from .relate import Relation
from .resolve import Entity


@dataclass(frozen=True)
class Extraction:
    """What one plan states: its entities and relations, offsets into the matching text."""

    document: Document
    plan: PlanInfo
    entities: list[Entity]
    relations: list[Relation]


def extract_document(document: Document) -> Extraction:
    doc = process(load_pipeline(), document)
    return Extraction(document, doc._.plan, doc._.entities, doc._.relations)


def extract_path(path: Path | str) -> Extraction | IngestError:
    """The extraction of one plan file, or the reason it cannot be read."""
    try:
        return extract_document(read_document(path))
    except IngestError as error:
        return error


def extract_paths(paths: Iterable[Path | str], workers: int = 1) -> Iterator[Extraction | IngestError]:
    """Extractions in input order; an unreadable file yields its error and the rest go on.

    With ``workers`` > 1 the plans are extracted in that many processes; the results are
    the same, in the same order."""
    paths = list(paths)
    if workers <= 1 or len(paths) < 2:
        yield from map(extract_path, paths)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=load_pipeline) as pool:
        yield from pool.map(extract_path, paths, chunksize=max(1, len(paths) // (workers * 8)))


def as_json(result: Extraction) -> dict:
    """The OUTPUT.md object for one document: offsets into the text as decoded from the file."""
    doc = result.document
    entities = []
    for entity in result.entities:
        mentions = []
        for m in entity.mentions:
            start, end = doc.to_original(m.start, m.end)
            mentions.append({"start": start, "end": end})
        entities.append({"id": str(entity_iri(entity.key)), "type": entity.type, "name": entity.name,
                         "aliases": list(entity.aliases), "mentions": mentions})
    relations = []
    for relation in result.relations:
        start, end = doc.to_original(*relation.evidence)
        relations.append({"type": relation.type, "head": str(entity_iri(relation.head)),
                          "tail": str(entity_iri(relation.tail)),
                          "evidence": {"start": start, "end": end, "text": doc.text[start:end]}})
    return {"document": doc.name, "entities": entities, "relations": relations}
