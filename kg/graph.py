"""Graph: the extractions as one RDF dataset, facts merged across plans, provenance per plan.

The default graph holds the merged facts (what ``exports/kg.ttl`` holds): one node per
entity key however many plans name it, with its canonical name, aliases, jurisdiction and
the relations between entities. Each source document has a named graph (its IRI is the
document's) with what that document alone says - its entities as it names them, its
relations - and where it says it: mentions as web annotations on the text, and one reified
statement per relation with the quoted evidence. Every node has an IRI (kg.namespace), so
building twice from the same plans gives the same dataset.

The default graph is a function of the named graphs alone (:func:`merge_subject`, one
subject at a time), so a store can add or drop one document and recompute just the nodes it
names (kg.store) and still hold exactly what a full build of the same documents holds.

>>> from kg.ingest import document_from_text
>>> from kg.extract import extract_document
>>> dataset = build_dataset([extract_document(document_from_text("a.txt", "哈尔滨市电子政务发展规划\\n市信息产业局牵头。"))])
>>> sorted(str(label) for label in facts_graph(dataset).objects(None, SKOS.prefLabel))
['哈尔滨市', '哈尔滨市信息产业局', '哈尔滨市电子政务发展规划', '黑龙江省']
"""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, AbstractSet, Iterable, Iterator, Mapping

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from . import lexicon, namespace
from .namespace import EXPORT_PREFIXES, RELATION_PROPERTIES, document_iri, jurisdiction_iri, node_iri
from .plan import NATIONAL
from .recognise import ENTITY_TYPES

if TYPE_CHECKING:
    from .extract import Extraction
    from .recognise import Mention
    from .relate import Relation
    from .resolve import Entity

Triple = tuple[URIRef, URIRef, URIRef | Literal]
# What each document's named graph says about one subject: graph IRI -> (predicate, object)s.
Said = Mapping[URIRef, AbstractSet[tuple[URIRef, Node]]]


class _Vocabulary:
    """A namespace whose terms are made once: rdflib makes (and checks) a new URIRef on every
    lookup, which was a good part of the build time."""

    def __init__(self, terms):
        self._terms = terms

    def __getattr__(self, name: str) -> URIRef:
        term = self._terms[name]
        setattr(self, name, term)
        return term


KG, OA, PROV, RDF, SKOS, XSD, DCT = (_Vocabulary(ns) for ns in (namespace.KG, namespace.OA, namespace.PROV,
                                                                  namespace.RDF, namespace.SKOS, namespace.XSD,
                                                                  namespace.DCTERMS))
entity_iri = functools.lru_cache(maxsize=1 << 16)(namespace.entity_iri)

ENTITY_CLASSES = {name: namespace.KG[name] for name in ENTITY_TYPES}
PLAN_TITLE_RULE = "plan-title"
TRUE = Literal(True)


def build_dataset(extractions: list[Extraction]) -> Dataset:
    """The dataset of these extractions: merged facts by default, one named graph per document."""
    dataset = Dataset()
    for prefix, iri in EXPORT_PREFIXES.items():
        dataset.bind(prefix, iri)
    said: dict[URIRef, dict[URIRef, set]] = {}
    for document in sorted((document_graph(x) for x in extractions), key=lambda d: (d.iri, d.file_name)):
        graph = dataset.graph(document.iri)
        graph.addN((*triple, graph) for triple in (*document.facts, *document.provenance))
        for subject, predicate, object_ in document.facts:
            said.setdefault(subject, {}).setdefault(document.iri, set()).add((predicate, object_))
    default = dataset.default_graph
    default.addN((*triple, default) for subject in sorted(said) for triple in merge_subject(subject, said[subject]))
    return dataset


def facts_graph(dataset: Dataset) -> Graph:
    """The merged facts without provenance: the dataset's default graph (a live view, not a copy)."""
    return dataset.default_graph


@dataclass(frozen=True)
class DocumentGraph:
    """One document's named graph: the facts it states, which the default graph merges with
    every other document's, and the provenance (mentions, statements, evidence), which it keeps."""

    iri: URIRef
    file_name: str
    facts: tuple[Triple, ...]
    provenance: tuple[Triple, ...]


def document_graph(extraction: Extraction) -> DocumentGraph:
    """The named graph of one extraction: its IRI (from the digest of its text) and triples."""
    source = _Source.of(extraction)
    return DocumentGraph(source.node, extraction.document.name, tuple(_stated_facts(source)),
                         tuple(_provenance(source)))


# --- merging across documents ----------------------------------------------------------------------

# A plan's own attributes, which the first document describing it (by digest) gives; a document
# that only mentions the plan gives its jurisdiction as an entity, the same in every document.
_PLAN_ATTRIBUTES = frozenset({KG.period, KG.year, KG.jurisdiction})


def merge_subject(subject: URIRef, said: Said) -> Iterator[Triple]:
    """The merged facts about ``subject`` from what each document's graph says about it.

    Everything is kept except: the name (skos:prefLabel) is the one most documents use (ties:
    the smallest) and every other name is an alias; kg:elliptical only if every document says
    so; a plan's period, year and jurisdiction come from the first document describing it.

    >>> x, a, b = URIRef("x"), URIRef("doc/a"), URIRef("doc/b")
    >>> said = {a: {(SKOS.prefLabel, Literal("乙")), (KG.elliptical, TRUE)}, b: {(SKOS.prefLabel, Literal("甲"))}}
    >>> [(p.split("#")[1], str(o)) for _, p, o in sorted(merge_subject(x, said))]
    [('altLabel', '甲'), ('prefLabel', '乙')]
    """
    describing = [graph for graph in sorted(said) if (RDF.type, KG.Plan) in said[graph]]
    votes: Counter = Counter()
    names, kept, elliptical = set(), set(), 0
    for graph in said:
        for predicate, object_ in said[graph]:
            if predicate == SKOS.prefLabel:
                votes[object_] += 1
            elif predicate == SKOS.altLabel:
                names.add(object_)
            elif predicate == KG.elliptical:
                elliptical += 1
            elif predicate not in _PLAN_ATTRIBUTES or graph not in describing[1:]:
                kept.add((predicate, object_))
    if votes:
        name = min(votes, key=lambda n: (-votes[n], str(n)))
        kept.add((SKOS.prefLabel, name))
        kept.update((SKOS.altLabel, alias) for alias in (names | set(votes)) - {name})
    if elliptical and elliptical == len(said):
        kept.add((KG.elliptical, TRUE))
    for predicate, object_ in kept:
        yield subject, predicate, object_


# --- what is said about an entity ----------------------------------------------------------------

@dataclass(frozen=True)
class _Description:
    """What one document, or all of them together, say about the entity with one key."""

    key: str
    type: str
    name: str
    aliases: frozenset[str]
    scope: str
    doc_numbers: frozenset[str]
    elliptical: bool
    documents: frozenset[str]  # sha256 of the documents that name it


def _describe(named: Iterable[tuple[Entity, str]]) -> list[_Description]:
    """One description per key from (entity, document sha256) pairs. The name is the one
    most documents use (ties: the smallest); every other name and alias is an alias.

    >>> from kg.resolve import Entity
    >>> a = Entity("Law|national|x", "Law", "电子签名法", ["签名法"], [], "national")
    >>> b = Entity("Law|national|x", "Law", "中华人民共和国电子签名法", [], [], "national")
    >>> d = _describe([(a, "doc1"), (b, "doc2"), (b, "doc3")])[0]
    >>> d.name, sorted(d.aliases)
    ('中华人民共和国电子签名法', ['电子签名法', '签名法'])
    """
    groups: dict[str, list[tuple[Entity, str]]] = {}
    for entity, sha in named:
        groups.setdefault(entity.key, []).append((entity, sha))
    return [_merge(key, group) for key, group in sorted(groups.items())]


def _merge(key: str, group: list[tuple[Entity, str]]) -> _Description:
    votes = Counter(name for name, _ in {(entity.name, sha) for entity, sha in group})
    name = min(votes, key=lambda n: (-votes[n], n))
    aliases = {a for entity, _ in group for a in (entity.name, *entity.aliases) if a} - {name}
    first = group[0][0]
    return _Description(key, first.type, name, frozenset(aliases), first.scope,
                        frozenset(e.doc_number for e, _ in group if e.doc_number),
                        all(e.elliptical for e, _ in group), frozenset(sha for _, sha in group))


def _entity_triples(description: _Description) -> Iterator[Triple]:
    node = entity_iri(description.key)
    yield node, RDF.type, _entity_class(description)
    yield node, SKOS.prefLabel, Literal(description.name, lang="zh")
    for alias in description.aliases:
        yield node, SKOS.altLabel, Literal(alias, lang="zh")
    for sha in description.documents:
        yield node, KG.mentionedIn, document_iri(sha)
    if description.scope != NATIONAL:
        yield node, KG.jurisdiction, jurisdiction_iri(description.scope)
    for number in description.doc_numbers:
        yield node, KG.documentNumber, Literal(number)
    if description.elliptical:
        yield node, KG.elliptical, TRUE


def _entity_class(description: _Description) -> URIRef:
    try:
        return ENTITY_CLASSES[description.type]
    except KeyError:
        raise ValueError(f"entity {description.key!r} has type {description.type!r}, not one of kg/recognise.py "
                         f"ENTITY_TYPES ({', '.join(ENTITY_CLASSES)}); a new type also needs its class in "
                         "ontology/infokg.ttl") from None


# --- facts ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Source:
    """An extraction with its document's digest and IRI, worked out once."""

    extraction: Extraction
    sha: str
    node: URIRef

    @classmethod
    def of(cls, extraction: Extraction) -> _Source:
        sha = extraction.document.sha256
        return cls(extraction, sha, document_iri(sha))


def _stated_facts(source: _Source) -> Iterator[Triple]:
    """What one document states: its facts, its plan, its entities as it names them."""
    extraction = source.extraction
    yield from _document_facts(source)
    plan = _plan_entity(extraction)
    if plan is not None:
        yield from _plan_triples(source, plan)
    for description in _describe((e, source.sha) for e in extraction.entities):
        yield from _entity_triples(description)


def _provenance(source: _Source) -> Iterator[Triple]:
    """Where the document says it: a web annotation per mention, a statement per relation."""
    extraction = source.extraction
    for entity in extraction.entities:
        for mention in entity.mentions:
            yield from _mention_triples(source, entity, mention)
    for relation in extraction.relations:
        yield from _statement_triples(source, relation)


def _document_facts(source: _Source) -> Iterator[Triple]:
    """The source document, the places its entities belong to and the relations it states."""
    extraction, node = source.extraction, source.node
    document = extraction.document
    yield node, RDF.type, KG.SourceDocument
    yield node, KG.fileName, Literal(document.name)
    yield node, KG.sha256, Literal(source.sha)
    yield node, KG.encoding, Literal(document.encoding)
    if extraction.plan.title:
        yield node, DCT.title, Literal(extraction.plan.title, lang="zh")
    if extraction.plan.jurisdiction.code:  # where the document applies: its plan's jurisdiction
        yield node, DCT.coverage, jurisdiction_iri(extraction.plan.jurisdiction.code)
    codes = {e.scope for e in extraction.entities} | {extraction.plan.jurisdiction.code or NATIONAL}
    yield from _jurisdiction_triples(sorted(codes - {NATIONAL}))
    plan = _plan_entity(extraction)
    if plan is not None:
        yield node, KG.describesPlan, entity_iri(plan.key)
    for relation in extraction.relations:
        yield entity_iri(relation.head), _relation_property(relation), entity_iri(relation.tail)


def _plan_entity(extraction: Extraction) -> Entity | None:
    """The Law entity of the plan itself: the one its title names."""
    return next((e for e in extraction.entities if any(m.rule == PLAN_TITLE_RULE for m in e.mentions)), None)


def _plan_triples(source: _Source, plan: Entity) -> Iterator[Triple]:
    """The plan's own entity as a plan: its period, year and jurisdiction."""
    node = entity_iri(plan.key)
    info = source.extraction.plan
    yield node, RDF.type, KG.Plan
    if info.period:
        yield node, KG.period, Literal(info.period)
    if info.year:
        yield node, KG.year, Literal(str(info.year), datatype=XSD.gYear)
    code = info.jurisdiction.code
    if code and plan.scope in (NATIONAL, code):  # never a second jurisdiction beside the entity's own
        yield node, KG.jurisdiction, jurisdiction_iri(code)


def _jurisdiction_triples(codes: Iterable[str]) -> Iterator[Triple]:
    """Each division with adcode in ``codes`` and the divisions above it."""
    divisions = lexicon.load().divisions
    for code in codes:
        while code:
            if code not in divisions:
                raise ValueError(f"adcode {code} is not in {lexicon.DATA_DIR / 'divisions.tsv'}; "
                                 "add the division there or correct the entity's scope")
            division = divisions[code]
            node = jurisdiction_iri(code)
            yield node, RDF.type, KG.Jurisdiction
            yield node, SKOS.prefLabel, Literal(division.name, lang="zh")
            yield node, KG.adcode, Literal(code)
            yield node, KG.level, Literal(division.level)
            if division.parent:
                yield node, KG.withinJurisdiction, jurisdiction_iri(division.parent)
            code = division.parent


def _relation_property(relation: Relation) -> URIRef:
    try:
        return RELATION_PROPERTIES[relation.type]
    except KeyError:
        raise ValueError(f"relation type {relation.type!r} has no property in kg/namespace.py RELATION_PROPERTIES; "
                         "add it there and to ontology/infokg.ttl") from None


# --- provenance ----------------------------------------------------------------------------------

def _mention_triples(source: _Source, entity: Entity, mention: Mention) -> Iterator[Triple]:
    """A mention as a web annotation: the entity is its body, the stretch of text its target.
    An expanded (elliptical) mention's stretch is its list item (人力资源 of 人力资源、…等数据库)."""
    document, sha = source.extraction.document, source.sha
    start, end = document.to_original(mention.start, mention.end)
    node = node_iri("mention", sha, entity.key, mention.rule, start, end)
    target = node_iri("target", sha, start, end)
    position = node_iri("position", sha, start, end)
    quote = node_iri("quote", sha, start, end)
    yield node, RDF.type, KG.Mention
    yield node, OA.hasBody, entity_iri(entity.key)
    yield node, OA.hasTarget, target
    yield node, OA.motivatedBy, OA.identifying
    yield node, KG.rule, Literal(mention.rule)
    if mention.expanded:
        yield node, KG.elliptical, TRUE
    yield target, RDF.type, OA.SpecificResource
    yield target, OA.hasSource, source.node
    yield target, OA.hasSelector, position
    yield target, OA.hasSelector, quote
    yield position, RDF.type, OA.TextPositionSelector
    yield position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)
    yield position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)
    yield quote, RDF.type, OA.TextQuoteSelector
    yield quote, OA.exact, Literal(document.text[start:end])


def _statement_triples(source: _Source, relation: Relation) -> Iterator[Triple]:
    """The relation as this document states it, with the sentence or row it quotes."""
    document, sha = source.extraction.document, source.sha
    start, end = document.to_original(*relation.evidence)
    node = node_iri("statement", sha, relation.type, relation.head, relation.tail, start, end)
    evidence = node_iri("evidence", sha, start, end)
    yield node, RDF.type, KG.RelationStatement
    yield node, RDF.type, RDF.Statement
    yield node, RDF.subject, entity_iri(relation.head)
    yield node, RDF.predicate, _relation_property(relation)
    yield node, RDF.object, entity_iri(relation.tail)
    yield node, KG.evidence, evidence
    yield node, KG.statedIn, source.node
    yield node, KG.rule, Literal(relation.rule)
    yield evidence, RDF.type, KG.Evidence
    yield evidence, PROV.value, Literal(document.text[start:end])
    yield evidence, KG.startOffset, Literal(start, datatype=XSD.nonNegativeInteger)
    yield evidence, KG.endOffset, Literal(end, datatype=XSD.nonNegativeInteger)
    yield evidence, PROV.wasQuotedFrom, source.node
