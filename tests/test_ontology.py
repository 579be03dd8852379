"""The ontology and the shapes on their own: well-formed, documented, OWL 2 DL, consistent.

Checks on the graph built from the seeds (the ontology and shapes applied to data) are in
test_graph.py, which uses the reasoner helpers below.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import owlrl
import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib import namespace as rdfns
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.namespace import KG, SH

ONTOLOGY = Path(__file__).parent.parent / "ontology" / "infokg.ttl"
SHAPES = Path(__file__).parent.parent / "ontology" / "shapes.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/infokg/def")

KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
BUILT_IN = {OWL.Thing, OWL.Nothing, RDFS.Literal, RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy,
            OWL.versionInfo}
# the OWL 2 datatype map (https://www.w3.org/TR/owl2-syntax/#Datatype_Maps), as far as kg could use it
DATATYPES = {rdfns.XSD[name] for name in ("string", "boolean", "integer", "nonNegativeInteger", "decimal",
                                         "double", "anyURI", "dateTime")} | {RDF.langString, RDFS.Literal}
RESERVED = (str(RDF), str(RDFS), str(OWL), str(rdfns.XSD))
AXIOM_PREDICATES = (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY)


def declared(ontology: Graph) -> dict[URIRef, set[URIRef]]:
    """Each declared IRI and its OWL kinds (class, object/datatype/annotation property)."""
    kinds: dict[URIRef, set[URIRef]] = {}
    for kind in KINDS:
        for term in ontology.subjects(RDF.type, kind):
            if isinstance(term, URIRef):
                kinds.setdefault(term, set()).add(kind)
    return kinds


def owlrl_errors(graph: Graph) -> list[str]:
    """Inconsistencies the OWL RL closure of ``graph`` finds (on a copy)."""
    closed = Graph()
    closed += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    errors = [str(m) for s in closed.subjects(RDF.type, owlrl.Namespaces.ERRNS.ErrorMessage)
              for m in closed.objects(s, owlrl.Namespaces.ERRNS.error)]
    return errors + [f"{node} is an owl:Nothing" for node in closed.subjects(RDF.type, OWL.Nothing)]


def hermit_unsatisfiable(graph: Graph) -> list[str]:
    """Classes HermiT finds unsatisfiable in ``graph``; raises if ``graph`` is inconsistent.
    Skips the test when owlready2 (HermiT's wrapper) or Java is missing."""
    owlready2 = pytest.importorskip("owlready2", reason="owlready2 is not installed; pip install owlready2 for HermiT")
    if shutil.which("java") is None:
        pytest.skip("no java on PATH: HermiT needs a Java runtime")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ontology.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        loaded = world.get_ontology(path.as_uri()).load(format="ntriples")
        with loaded:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        return [str(c.iri) for c in world.inconsistent_classes()]


def with_disjoint_types(ontology: Graph) -> Graph:
    """The ontology and one node that is both an agency and a project: inconsistent."""
    graph = Graph()
    graph += ontology
    node = URIRef("https://w3id.org/infokg/id/agency/0000000000000000")
    graph.add((node, RDF.type, KG.Agency))
    graph.add((node, RDF.type, KG.Project))
    return graph


# --- well-formed and documented ----------------------------------------------------------------

def test_ontology_and_shapes_parse_in_pyoxigraph_as_in_rdflib(ontology):
    for path, graph in ((ONTOLOGY, ontology), (SHAPES, Graph().parse(SHAPES))):
        assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) == len(graph), path


def test_ontology_describes_itself(ontology):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    for predicate in (RDFS.label, DCTERMS.title, DCTERMS.description):
        languages = {o.language for o in ontology.objects(ONTOLOGY_IRI, predicate)}
        assert {"zh", "en"} <= languages, f"{ONTOLOGY}: the ontology needs {predicate} in zh and en"


def test_every_kg_term_has_labels_and_definitions_in_chinese_and_english(ontology):
    missing = []
    for term in declared(ontology):
        if term.startswith(str(KG)):
            for predicate in (RDFS.label, SKOS.definition):
                languages = {o.language for o in ontology.objects(term, predicate) if isinstance(o, Literal)}
                if not {"zh", "en"} <= languages:
                    missing.append(f"{term} {predicate}")
    assert not missing, f"{ONTOLOGY}: add zh and en labels/definitions: {missing}"


def test_the_entity_classes_are_pairwise_disjoint(ontology):
    members = [set(Collection(ontology, ontology.value(axiom, OWL.members)))
               for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses)]
    assert {KG.Agency, KG.Project, KG.Database, KG.Platform, KG.Law} in members


# --- OWL 2 DL: declared, one kind each, no reserved vocabulary, datatypes of the datatype map ---

def test_every_term_has_exactly_one_kind(ontology):
    punned = {term: kinds for term, kinds in declared(ontology).items() if len(kinds) > 1}
    assert not punned, f"{ONTOLOGY}: a term may be only one of class/object/datatype/annotation property: {punned}"


def test_no_reserved_vocabulary_is_declared(ontology):
    bad = [term for term in declared(ontology) if str(term).startswith(RESERVED)]
    assert not bad, f"{ONTOLOGY}: OWL 2 DL forbids declaring reserved terms: {bad}"


def test_axioms_use_only_declared_terms(ontology):
    kinds = declared(ontology)
    used = set()
    for predicate in AXIOM_PREDICATES:
        for subject, obj in ontology.subject_objects(predicate):
            used |= {subject, obj}
    for listed in (*ontology.objects(None, OWL.unionOf), *ontology.objects(None, OWL.members),
                   *ontology.objects(None, OWL.hasKey)):
        used |= set(Collection(ontology, listed))
    used |= {p for _, p, _ in ontology if not str(p).startswith(RESERVED)}  # the reserved ones map OWL to RDF
    undeclared = sorted(t for t in used if isinstance(t, URIRef) and t not in kinds
                        and t not in BUILT_IN and t not in DATATYPES and not t.startswith(str(OWL)))
    assert not undeclared, f"{ONTOLOGY}: declare these terms: {undeclared}"


def test_datatypes_are_in_the_owl2_datatype_map(ontology):
    ranges = {o for p in ontology.subjects(RDF.type, OWL.DatatypeProperty) for o in ontology.objects(p, RDFS.range)}
    outside = [r for r in ranges if isinstance(r, URIRef) and r not in DATATYPES]
    assert not outside, f"{ONTOLOGY}: datatypes outside the OWL 2 datatype map make it OWL 2 Full: {outside}"


# --- consistent --------------------------------------------------------------------------------

def test_owl_rl_closure_finds_no_inconsistency(ontology):
    assert owlrl_errors(ontology) == []


def test_owl_rl_closure_catches_an_agency_that_is_a_project(ontology):
    assert owlrl_errors(with_disjoint_types(ontology))


def test_hermit_finds_the_ontology_consistent_and_every_class_satisfiable(ontology):
    assert hermit_unsatisfiable(ontology) == []


def test_hermit_catches_an_agency_that_is_a_project(ontology):
    owlready2 = pytest.importorskip("owlready2", reason="owlready2 is not installed")
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        hermit_unsatisfiable(with_disjoint_types(ontology))


# --- shapes ------------------------------------------------------------------------------------

def test_shapes_are_valid_shacl():
    conforms, _, text = validate(Graph(), shacl_graph=Graph().parse(SHAPES), meta_shacl=True)
    assert conforms, f"{SHAPES} is not valid SHACL:\n{text}"


def test_shapes_target_only_declared_classes_and_paths(ontology):
    shapes = Graph().parse(SHAPES)
    kinds = declared(ontology)
    targets = set(shapes.objects(None, SH.targetClass)) | set(shapes.objects(None, SH.targetSubjectsOf))
    paths = {p for p in shapes.objects(None, SH.path) if isinstance(p, URIRef)}
    paths |= {shapes.value(p, SH.inversePath) for p in shapes.objects(None, SH.path) if isinstance(p, BNode)}
    reification = {RDF.subject, RDF.predicate, RDF.object}
    unknown = sorted(t for t in targets | paths if t not in kinds and t not in reification)
    assert not unknown, f"{SHAPES} uses terms {ONTOLOGY} does not declare: {unknown}"
