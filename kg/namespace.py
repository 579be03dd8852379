"""IRIs and namespaces: infokg's own and the standard vocabularies it aligns to.

>>> entity_iri("Agency|national|国务院")
rdflib.term.URIRef('https://w3id.org/infokg/id/agency/e8d55682e81d8623')
"""
from __future__ import annotations

import hashlib

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

BASE = "https://w3id.org/infokg/"
KG = Namespace(BASE + "def#")
ID = Namespace(BASE + "id/")
ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES = {
    "kg": KG, "kgid": ID, "org": ORG, "eli": ELI, "oa": OA, "prov": PROV, "skos": SKOS, "dcat": DCAT,
    "dct": DCTERMS, "schema": SDO, "owl": OWL, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "sh": SH,
}

RELATION_PROPERTIES = {
    "leads": KG.leads,
    "participates-in": KG.participatesIn,
    "depends-on": KG.dependsOn,
    "integrates": KG.integrates,
    "based-on": KG.basedOn,
    "issued-by": KG.issuedBy,
    "part-of": KG.partOf,
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def entity_iri(key: str) -> URIRef:
    """The entity's IRI: its type and a digest of its key (type, scope, full name)."""
    return ID[f"{key.split('|', 1)[0].lower()}/{_digest(key)}"]


def document_iri(sha256: str) -> URIRef:
    """A source document, named by the digest of its text: the same text is the same document."""
    return ID[f"doc/{sha256[:16]}"]


def jurisdiction_iri(code: str) -> URIRef:
    return ID[f"jurisdiction/{code}"]


def node_name(kind: str, *parts: object) -> str:
    """A provenance node's (mention's, statement's, evidence's …) IRI after ``ID``, stable for
    stable input: its kind and a digest of its parts. A plain string: a build makes a hundred
    thousand of them."""
    return f"{kind}/{node_digest(*parts)}"


def node_digest(*parts: object) -> str:
    """The digest in the name of a provenance node with these parts, whatever its kind: nodes
    of several kinds about one stretch of text (its target, position, quote) share it."""
    return _digest("|".join(map(str, parts)))


# The folders of ID: entity types (lower case), documents, jurisdictions, provenance nodes.
ID_FOLDERS = ("agency", "project", "database", "platform", "law", "doc", "jurisdiction",
              "mention", "target", "position", "quote", "statement", "evidence")

# Export prefixes: PREFIXES plus one per ID folder, so exports read agency:e8d55682e81d8623
# rather than kgid:agency\/e8d55682e81d8623 (Turtle must escape the slash).
EXPORT_PREFIXES = {**PREFIXES, **{folder: ID[folder + "/"] for folder in ID_FOLDERS}}
# the same as plain strings, as pyoxigraph takes them (it takes no rdflib namespace objects)
EXPORT_NAMESPACES = {prefix: str(namespace) for prefix, namespace in EXPORT_PREFIXES.items()}
