"""Readable XPaths for elements of a QRDA III document, and a line map for them.

Paths use local names, with a position only where an element has siblings of
the same name, e.g. ``/ClinicalDocument/component/structuredBody/component[2]/section``.
Names outside the HL7 v3 namespace keep their prefix (``sdtc:valueSet``).
"""

from __future__ import annotations

from lxml import etree

from ...model.findings import Location
from .templates import NS

_HL7 = "{" + NS + "}"
# Starts a lazy reference; no XPath does.
TOKEN = "\x00ref:"


def _name(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return "node()"
    if tag.startswith(_HL7):
        return tag[len(_HL7):]
    qname = etree.QName(el)
    return f"{el.prefix}:{qname.localname}" if el.prefix else qname.localname


def element_path(el) -> str:
    # lxml builds the same path in C (positions only among same-named siblings); names in
    # other namespaces need their prefix, which only the slow walk below gives.
    if isinstance(el.tag, str):
        root = el.getroottree().getroot()
        if root is not None and isinstance(root.tag, str) and root.tag.startswith(_HL7):
            relative = el.getroottree().getelementpath(el)
            if "{" not in relative.replace(_HL7, ""):
                top = "/" + root.tag[len(_HL7):]
                return top if relative == "." else f"{top}/{relative.replace(_HL7, '')}"
    return _walked_path(el)


def _walked_path(el) -> str:
    parts = []
    while el is not None:
        parent = el.getparent()
        name = _name(el)
        if parent is not None and isinstance(el.tag, str):
            position = 0
            total = 0
            for sibling in parent.iterchildren(el.tag):
                total += 1
                if sibling is el:
                    position = total
            if total > 1:
                name = f"{name}[{position}]"
        parts.append(name)
        el = parent
    return "/" + "/".join(reversed(parts))


class LineMap:
    """XPath -> line, filled while reading; resolves Locations afterwards.

    With ``lazy`` the XPath of a node is built only when a finding points at it: ``ref``
    returns a private token naming the element, and ``locate`` turns it into the node's
    XPath and line, the same ones the eager path gives.  Most files have no finding on
    most nodes, and building a path costs more than reading the node.
    """

    def __init__(self, lazy: bool = False) -> None:
        self.lines: dict[str, int] = {}
        self.lazy = lazy
        self.nodes: list[object] = []
        self.tokens: dict[object, str] = {}

    def ref(self, el) -> str:
        if self.lazy:
            token = self.tokens.get(el)
            if token is None:
                token = self.tokens[el] = f"{TOKEN}{len(self.nodes)}"
                self.nodes.append(el)
            return token
        return self.path(el)

    def path(self, el) -> str:
        path = element_path(el)
        if el.sourceline:
            self.lines.setdefault(path, el.sourceline)
        return path

    def locate(self, location: Location) -> Location:
        xpath = location.xpath
        if xpath and xpath.startswith(TOKEN):
            xpath = self.path(self.nodes[int(xpath[len(TOKEN):])])
            location = Location(location.pointer, xpath, location.line, location.column)
        if location.line is not None or not xpath:
            return location
        line = self.lines.get(xpath)
        if line is None:
            return location
        return Location(location.pointer, xpath, line, location.column)
