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
names (kg.store) and still hold exactly what a full build of the same documents holds, and a
build can stream documents through, keeping only what each says about each subject
(:class:`MergedFacts`).

Terms are N-Triples text (kg.ntriples): made, hashed and sorted as plain strings, written to
the exports as they are and handed to Oxigraph as N-Quads. :func:`build_dataset` gives the
same graph as an rdflib ``Dataset`` for code that wants one.

>>> from kg.ingest import document_from_text
>>> from kg.extract import extract_document
>>> from rdflib.namespace import SKOS as skos
>>> dataset = build_dataset([extract_document(document_from_text("a.txt", "哈尔滨市电子政务发展规划\\n市信息产业局牵头。"))])
>>> sorted(str(label) for label in facts_graph(dataset).objects(None, skos.prefLabel))
['哈尔滨市', '哈尔滨市信息产业局', '哈尔滨市电子政务发展规划', '黑龙江省']
"""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, AbstractSet, Collection, Iterable, Iterator, Mapping

from rdflib import Dataset, Graph, URIRef

from . import lexicon, namespace
from .namespace import EXPORT_PREFIXES
from .ntriples import iri, lines, literal, quads, value
from .plan import NATIONAL
from .recognise import ENTITY_TYPES
from .store import from_ox

if TYPE_CHECKING:
    from .extract import Extraction
    from .recognise import Mention
    from .relate import Relation
    from .resolve import Entity

Triple = tuple[str, str, str]  # subject, predicate, object in N-Triples syntax
# What each document's named graph says about one subject: graph IRI -> (predicate, object)s.
Said = Mapping[str, Collection[tuple[str, str]]]


class _Vocabulary:
    """A namespace's terms, each made once."""

    def __init__(self, terms):
        self._terms = terms

    def __getattr__(self, name: str) -> str:
        term = iri(self._terms[name])
        setattr(self, name, term)
        return term


KG, OA, PROV, RDF, SKOS, XSD, DCT = (_Vocabulary(ns) for ns in (namespace.KG, namespace.OA, namespace.PROV,
                                                                  namespace.RDF, namespace.SKOS, namespace.XSD,
                                                                  namespace.DCTERMS))
_ID = str(namespace.ID)
_XSD = str(namespace.XSD)


@functools.lru_cache(maxsize=1 << 16)
def entity_iri(key: str) -> str:
    return iri(namespace.entity_iri(key))


@functools.lru_cache(maxsize=1 << 12)
def document_iri(sha256: str) -> str:
    return iri(namespace.document_iri(sha256))


@functools.lru_cache(maxsize=1 << 12)
def jurisdiction_iri(code: str) -> str:
    return iri(namespace.jurisdiction_iri(code))


def node_iri(kind: str, *parts: object) -> str:
    return f"<{_ID}{namespace.node_name(kind, *parts)}>"


def node_iris(kinds: tuple[str, ...], *parts: object) -> tuple[str, ...]:
    """``node_iri(kind, *parts)`` for each of ``kinds``, from one digest (a third of the
    provenance's cost was hashing the same stretch of text again for each kind)."""
    digest = namespace.node_digest(*parts)
    return tuple(f"<{_ID}{kind}/{digest}>" for kind in kinds)


def _offset(n: int) -> str:
    return f'"{n}"^^<{_XSD}nonNegativeInteger>'


ENTITY_CLASSES = {name: iri(namespace.KG[name]) for name in ENTITY_TYPES}
RELATION_PROPERTIES = {name: iri(term) for name, term in namespace.RELATION_PROPERTIES.items()}
PLAN_TITLE_RULE = "plan-title"
TRUE = literal("true", datatype=f"{_XSD}boolean")


def build_dataset(extractions: list[Extraction]) -> Dataset:
    """The dataset of these extractions as rdflib's: merged facts by default, one named graph
    per document (what `kg build` writes into the store, for code written against rdflib)."""
    dataset = Dataset()
    for prefix, namespace_iri in EXPORT_PREFIXES.items():
        dataset.bind(prefix, namespace_iri)
    merged = MergedFacts()
    for document in map(document_graph, extractions):
        graph = dataset.graph(URIRef(value(document.iri)))
        graph.addN((*map(from_ox, quad.triple), graph) for quad in quads(document.nquads()))
        merged.add(document.iri, document.facts)
    default = dataset.default_graph
    merged_lines = lines(triple for triples in merged.subjects() for triple in triples)
    default.addN((*map(from_ox, quad.triple), default) for quad in quads(merged_lines))
    return dataset


def facts_graph(dataset: Dataset) -> Graph:
    """The merged facts without provenance: the dataset's default graph (a live view, not a copy)."""
    return dataset.default_graph


@dataclass(frozen=True)
class DocumentGraph:
    """One document's named graph: the facts it states, which the default graph merges with
    every other document's, and the provenance (mentions, statements, evidence), which it keeps.
    A triple can come twice (a division above two places it names); the graph holds it once."""

    iri: str
    file_name: str
    facts: tuple[Triple, ...]
    provenance: tuple[Triple, ...]

    def nquads(self) -> str:
        """The graph as N-Quads (in the order made, repeats included)."""
        return lines((*self.facts, *self.provenance), self.iri)


def document_graph(extraction: Extraction) -> DocumentGraph:
    """The named graph of one extraction: its IRI (from the digest of its text) and triples."""
    source = _Source.of(extraction)
    return DocumentGraph(source.node, extraction.document.name, tuple(_stated_facts(source)),
                         tuple(_provenance(source)))


# --- merging across documents ----------------------------------------------------------------------

# A plan's own attributes, which the first document describing it (by digest) gives; a document
# that only mentions the plan gives its jurisdiction as an entity, the same in every document.
_PLAN_ATTRIBUTES = frozenset({KG.period, KG.year, KG.jurisdiction})


def merge_subject(subject: str, said: Said) -> Iterator[Triple]:
    """The merged facts about ``subject`` from what each document's graph says about it.

    Everything is kept except: the name (skos:prefLabel) is the one most documents use (ties:
    the smallest) and every other name is an alias; kg:elliptical only if every document says
    so; a plan's period, year and jurisdiction come from the first document describing it.

    >>> x, a, b = "<https://example.org/x>", "<https://example.org/doc/a>", "<https://example.org/doc/b>"
    >>> said = {a: {(SKOS.prefLabel, '"乙"'), (KG.elliptical, TRUE)}, b: {(SKOS.prefLabel, '"甲"')}}
    >>> sorted((p.split("#")[1], o) for _, p, o in merge_subject(x, said))
    [('altLabel>', '"甲"'), ('prefLabel>', '"乙"')]
    """
    describing = [graph for graph in sorted(said, key=value) if (RDF.type, KG.Plan) in said[graph]]
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
        name = min(votes, key=lambda n: (-votes[n], value(n)))
        kept.add((SKOS.prefLabel, name))
        kept.update((SKOS.altLabel, alias) for alias in (names | set(votes)) - {name})
    if elliptical and elliptical == len(said):
        kept.add((KG.elliptical, TRUE))
    for predicate, object_ in kept:
        yield subject, predicate, object_


class MergedFacts:
    """What each document's graph says about each subject: all a streaming build keeps of a
    document once its graph is stored, and all the default graph is made from. Kept compact,
    as it grows with the corpus: per subject a list of (graph, pairs), each distinct term once.

    >>> merged, x, a = MergedFacts(), "<https://example.org/x>", "<https://example.org/a>"
    >>> merged.add(a, [(x, SKOS.prefLabel, '"甲"'), (x, KG.leads, x), (x, KG.leads, x)])
    >>> [sorted(o for _, _, o in triples) for triples in merged.subjects()]
    [['"甲"', '<https://example.org/x>']]
    >>> merged.stated({KG.leads})
    Counter({('<https://example.org/x>', '<https://w3id.org/infokg/def#leads>', '<https://example.org/x>'): 1})
    """

    def __init__(self):
        self._said: dict[str, list[tuple[str, tuple[tuple[str, str], ...]]]] = {}
        self._terms: dict[str, str] = {}
        self._graphs: set[str] = set()

    def add(self, graph: str, facts: Iterable[Triple]) -> None:
        """What the document graph ``graph`` states (a second document of the same text adds to it)."""
        terms = self._terms
        graph = terms.setdefault(graph, graph)
        again = graph in self._graphs
        self._graphs.add(graph)
        by_subject: dict[str, dict[tuple[str, str], None]] = {}
        for subject, predicate, object_ in facts:  # a fact can come twice
            by_subject.setdefault(subject, {})[terms.setdefault(predicate, predicate),
                                               terms.setdefault(object_, object_)] = None
        for subject, pairs in by_subject.items():
            said = self._said.setdefault(terms.setdefault(subject, subject), [])
            known = next((n for n, (g, _) in enumerate(said) if g == graph), None) if again else None
            if known is None:
                said.append((graph, tuple(pairs)))
            else:
                said[known] = (graph, tuple({**dict.fromkeys(said[known][1]), **pairs}))

    def subjects(self) -> Iterator[list[Triple]]:
        """The merged facts (:func:`merge_subject`) subject by subject, in the exports' order."""
        for subject in sorted(self._said):
            yield list(merge_subject(subject, dict(self._said[subject])))

    def stated(self, predicates: AbstractSet[str]) -> Counter:
        """How many document graphs state each (subject, predicate, object) with one of ``predicates``."""
        counts: Counter = Counter()
        for subject, by_graph in self._said.items():
            for _, pairs in by_graph:
                counts.update((subject, p, o) for p, o in pairs if p in predicates)
        return counts


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
    yield node, SKOS.prefLabel, literal(description.name, language="zh")
    for alias in description.aliases:
        yield node, SKOS.altLabel, literal(alias, language="zh")
    for sha in description.documents:
        yield node, KG.mentionedIn, document_iri(sha)
    if description.scope != NATIONAL:
        yield node, KG.jurisdiction, jurisdiction_iri(description.scope)
    for number in description.doc_numbers:
        yield node, KG.documentNumber, literal(number)
    if description.elliptical:
        yield node, KG.elliptical, TRUE


def _entity_class(description: _Description) -> str:
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
    node: str

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
    yield node, KG.fileName, literal(document.name)
    yield node, KG.sha256, literal(source.sha)
    yield node, KG.encoding, literal(document.encoding)
    if extraction.plan.title:
        yield node, DCT.title, literal(extraction.plan.title, language="zh")
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
        yield node, KG.period, literal(info.period)
    if info.year:
        yield node, KG.year, literal(str(info.year), datatype=f"{_XSD}gYear")
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
            yield node, SKOS.prefLabel, literal(division.name, language="zh")
            yield node, KG.adcode, literal(code)
            yield node, KG.level, literal(division.level)
            if division.parent:
                yield node, KG.withinJurisdiction, jurisdiction_iri(division.parent)
            code = division.parent


def _relation_property(relation: Relation) -> str:
    try:
        return RELATION_PROPERTIES[relation.type]
    except KeyError:
        raise ValueError(f"relation type {relation.type!r} has no property in kg/namespace.py RELATION_PROPERTIES; "
                         "add it there and to ontology/infokg.ttl") from None


# --- provenance ----------------------------------------------------------------------------------

_STRETCH_KINDS = ("target", "position", "quote")  # the nodes that place a mention in the text


def _mention_triples(source: _Source, entity: Entity, mention: Mention) -> Iterator[Triple]:
    """A mention as a web annotation: the entity is its body, the stretch of text its target.
    An expanded (elliptical) mention's stretch is its list item (人力资源 of 人力资源、…等数据库)."""
    document, sha = source.extraction.document, source.sha
    start, end = document.to_original(mention.start, mention.end)
    node = node_iri("mention", sha, entity.key, mention.rule, start, end)
    target, position, quote = node_iris(_STRETCH_KINDS, sha, start, end)
    yield node, RDF.type, KG.Mention
    yield node, OA.hasBody, entity_iri(entity.key)
    yield node, OA.hasTarget, target
    yield node, OA.motivatedBy, OA.identifying
    yield node, KG.rule, literal(mention.rule)
    if mention.expanded:
        yield node, KG.elliptical, TRUE
    yield target, RDF.type, OA.SpecificResource
    yield target, OA.hasSource, source.node
    yield target, OA.hasSelector, position
    yield target, OA.hasSelector, quote
    yield position, RDF.type, OA.TextPositionSelector
    yield position, OA.start, _offset(start)
    yield position, OA.end, _offset(end)
    yield quote, RDF.type, OA.TextQuoteSelector
    yield quote, OA.exact, literal(document.text[start:end])


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
    yield node, KG.rule, literal(relation.rule)
    yield evidence, RDF.type, KG.Evidence
    yield evidence, PROV.value, literal(document.text[start:end])
    yield evidence, KG.startOffset, _offset(start)
    yield evidence, KG.endOffset, _offset(end)
    yield evidence, PROV.wasQuotedFrom, source.node
