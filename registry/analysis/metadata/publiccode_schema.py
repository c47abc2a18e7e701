"""The shape of a publiccode.yml (v0, every release 0.2 to 0.7) and the type pass over it.

The type pass mirrors how the reference parser decodes the file into Go structs: a
value of the wrong kind is "wrong type for this field", named by the first key on the
line where it stands; a key the standard does not define is an "unknown field";
deprecated keys are warnings. It tells the caller which top-level sections held a type
error, because the reference then validates such a section as if it were empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from registry.analysis.metadata.publiccode_problems import SAFE_TO_DROP, Reporter
from registry.analysis.metadata.publiccode_yaml import (
    MAX_DEPTH,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    as_bool,
    child,
    is_null,
    items,
)

WRONG_TYPE = "wrong type for this field"


@dataclass(frozen=True)
class Spec:
    """A kind of value: str, bool, list (of ``item``), map (of ``fields``), dict
    (any keys, values ``item``) or str_or_list (a string or a list of ``item``)."""

    kind: str
    item: Spec | None = None
    fields: Mapping[str, Field] = field(default_factory=dict)


@dataclass(frozen=True)
class Field:
    spec: Spec
    deprecated: bool = False
    instead: str | None = None  # the key to use instead, for the deprecation warning

    @property
    def advice(self) -> str:
        return f"Use '{self.instead}' instead" if self.instead else SAFE_TO_DROP


STR = Spec("str")
BOOL = Spec("bool")


def _list(item: Spec) -> Spec:
    return Spec("list", item=item)


def _map(**fields: Spec | Field) -> Spec:
    return Spec(
        "map", fields={k: v if isinstance(v, Field) else Field(v) for k, v in fields.items()}
    )


def _old(spec: Spec, instead: str | None = None) -> Field:
    return Field(spec, deprecated=True, instead=instead)


_ORG = _map(name=STR, uri=STR)
_DEPENDENCY = _map(name=STR, versionMin=STR, versionMax=STR, optional=BOOL, version=STR)
_DESCRIPTION = _map(
    localisedName=STR,
    genericName=_old(STR),
    shortDescription=STR,
    longDescription=STR,
    documentation=STR,
    apiDocumentation=STR,
    features=_list(STR),
    screenshots=_list(STR),
    videos=_list(STR),
    awards=_list(STR),
)
IT_SECTION = _map(
    countryExtensionVersion=STR,
    conforme=_old(
        _map(
            lineeGuidaDesign=BOOL,
            modelloInteroperabilita=BOOL,
            misureMinimeSicurezza=BOOL,
            gdpr=BOOL,
        )
    ),
    riuso=_map(codiceIPA=STR),
    piattaforme=_map(spid=BOOL, pagopa=BOOL, cie=BOOL, anpr=BOOL, io=BOOL),
)
ROOT = _map(
    publiccodeYmlVersion=STR,
    name=STR,
    applicationSuite=STR,
    url=STR,
    landingURL=STR,
    isBasedOn=Spec("str_or_list", item=STR),
    softwareVersion=STR,
    releaseDate=STR,
    logo=STR,
    monochromeLogo=_old(STR, "logo"),
    organisation=_ORG,
    fundedBy=_list(_ORG),
    inputTypes=_old(_list(STR)),
    outputTypes=_old(_list(STR)),
    platforms=_list(STR),
    categories=_list(STR),
    usedBy=_list(STR),
    supports=_list(_map(id=STR)),
    roadmap=STR,
    developmentStatus=STR,
    softwareType=STR,
    intendedAudience=_map(scope=_list(STR), countries=_list(STR), unsupportedCountries=_list(STR)),
    description=Spec("dict", item=_DESCRIPTION),
    legal=_map(
        license=STR,
        mainCopyrightOwner=STR,
        repoOwner=_old(STR, "organisation.name"),
        authorsFile=_old(STR),
    ),
    maintenance=_map(
        type=STR,
        contractors=_list(_map(name=STR, email=STR, website=STR, until=STR)),
        contacts=_list(_map(name=STR, email=STR, affiliation=STR, phone=STR)),
    ),
    localisation=_map(localisationReady=BOOL, availableLanguages=_list(STR)),
    dependsOn=_map(
        open=_list(_DEPENDENCY), proprietary=_list(_DEPENDENCY), hardware=_list(_DEPENDENCY)
    ),
    IT=IT_SECTION,
    it=IT_SECTION,
)


class TypePass:
    """Walks the document against ``ROOT``; ``broken`` lists top-level keys to treat as empty."""

    def __init__(self, report: Reporter, lines: dict[int, str]) -> None:
        self.report = report
        self.lines = lines
        self.broken: set[str] = set()

    def run(self, root: MappingNode) -> None:
        seen: set[str] = set()
        for key, key_node, value in items(root):
            if key in seen:
                self.report.error(key, f'mapping key "{key}" already defined', key_node)
                continue
            seen.add(key)
            spec = ROOT.fields.get(key)
            if spec is None:
                self.report.error(key, f'unknown field "{key}"', key_node)
                continue
            path = "IT" if key == "it" else key
            if not self.check(value, spec.spec, path, 1):
                self.broken.add(key)
            elif spec.deprecated:
                self.report.deprecated(path, key_node, spec.advice)

    def _wrong(self, node: Node, path: str) -> bool:
        key = self.lines.get(node.start_mark.line + 1, path)
        self.report.error(key, WRONG_TYPE, node)
        return False

    def check(self, node: Node, spec: Spec, path: str, depth: int) -> bool:
        """True when ``node`` (and all below it) has the kinds ``spec`` asks for."""
        if is_null(node) or depth > MAX_DEPTH:
            return True
        kind = spec.kind
        if kind == "str_or_list":
            kind = "str" if isinstance(node, ScalarNode) else "list"
        if kind == "str":
            return isinstance(node, ScalarNode) or self._wrong(node, path)
        if kind == "bool":
            ok = isinstance(node, ScalarNode) and as_bool(node) is not None
            return ok or self._wrong(node, path)
        if kind == "list":
            if not isinstance(node, SequenceNode):
                return self._wrong(node, path)
            assert spec.item is not None
            results = [
                self.check(item, spec.item, child(path, i), depth + 1)
                for i, item in enumerate(node.value)
            ]
            return all(results)
        if not isinstance(node, MappingNode):
            return self._wrong(node, path)
        return self._check_mapping(node, spec, path, depth)

    def _check_mapping(self, node: MappingNode, spec: Spec, path: str, depth: int) -> bool:
        ok = True
        seen: set[str] = set()
        for key, key_node, value in items(node):
            sub = child(path, key)
            if key in seen:
                self.report.error(sub, f'mapping key "{key}" already defined', key_node)
                continue
            seen.add(key)
            if spec.kind == "dict":
                assert spec.item is not None
                ok = self.check(value, spec.item, sub, depth + 1) and ok
                continue
            known = spec.fields.get(key)
            if known is None:
                self.report.error(sub, f'unknown field "{key}"', key_node)
                continue
            if not self.check(value, known.spec, sub, depth + 1):
                ok = False
            elif known.deprecated:
                self.report.deprecated(sub, key_node, known.advice)
        return ok
