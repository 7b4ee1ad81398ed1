"""Strict conformance: the HL7 CDA XSD and the CMS QRDA III schematron of the file's year.

The project ships neither; they come from an IG package directory laid out as::

    <ig_dir>/<year>/*.sch + voc.xml       the latest guide of each performance year
    <ig_dir>/<year>-v1.0/ ...              an earlier version of that year's guide
    <ig_dir>/cda-schema/infrastructure/cda/CDA_SDTC.xsd

A package is chosen by the document's performance year and by the CMS report
templateId extension its schematron requires.  Each schematron phase is
compiled to XSLT once and cached on disk (keyed by a hash of the .sch and
voc.xml), so later runs skip the slow compilation.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

from lxml import etree, isoschematron

from ...digits import is_ascii_digits
from ...findings import ERROR, INFO, WARNING, Finding, Location
from . import templates as T
from .paths import element_path
from .xml import DEFAULT_MAX_BYTES, parse

ENV_IG = "QPPFILES_IG"
XSD_RELATIVE = Path("cda-schema/infrastructure/cda/CDA_SDTC.xsd")
PHASES = (("errors", ERROR), ("warnings", WARNING))
SVRL = "http://purl.oclc.org/dsdl/svrl"

_HL7 = {"h": T.NS}
_FIRST_PERIOD_START = etree.XPath(
    "//h:act[h:templateId/@root=$rp]/h:effectiveTime/h:low/@value", namespaces=_HL7
)
_REPORT_TEMPLATE = etree.XPath("h:templateId[@root=$root]/@extension", namespaces=_HL7)
_REQUIRED_EXTENSION = re.compile(
    r"templateId\[@root='" + re.escape(T.QRDA3_REPORT_CMS) + r"'\]\[@extension='([0-9-]+)'\]"
)
_PACKAGE_DIR = re.compile(r"^(\d{4})(?:-(.+))?$")
_ASSERT_ID = re.compile(r"^a-(.+?)-(error|warning)$")
_CONF = re.compile(r"\(CONF:\s*([^)]+)\)")


@dataclass(frozen=True)
class Package:
    """One IG package: a year's schematron and vocabulary, and the extension it requires."""

    year: int
    name: str  # directory name, e.g. "2023-v1.0"
    sch: Path
    voc: Path
    required_extension: Optional[str]

    @property
    def is_latest(self) -> bool:
        return self.name == str(self.year)


def packages(ig_dir: Union[str, Path]) -> List[Package]:
    """Every package under ``ig_dir``, sorted by year then name."""
    found = []
    root = Path(ig_dir)
    for child in sorted(root.iterdir()) if root.is_dir() else ():
        match = _PACKAGE_DIR.match(child.name)
        schs = sorted(child.glob("*.sch")) if match and child.is_dir() else []
        if not schs:
            continue
        found.append(Package(int(match.group(1)), child.name, schs[0], child / "voc.xml",
                             _required_extension(schs[0])))
    return found


@lru_cache(maxsize=64)
def _required_extension(sch: Path) -> Optional[str]:
    match = _REQUIRED_EXTENSION.search(sch.read_text("utf-8", errors="replace"))
    return match.group(1) if match else None


def choose_package(ig_dir, year: int, extension: Optional[str]) -> Tuple[Optional[Package], bool]:
    """(package, matched): the year's package requiring ``extension``, else the year's latest."""
    of_year = [p for p in packages(ig_dir) if p.year == year]
    for p in of_year:
        if extension and p.required_extension == extension:
            return p, True
    latest = next((p for p in of_year if p.is_latest), of_year[-1] if of_year else None)
    return latest, False


# -- entry point ---------------------------------------------------------------------------------


def validate(data_or_tree, ig_dir: Union[str, Path, None] = None, year: Optional[int] = None, *,
             max_bytes: int = DEFAULT_MAX_BYTES, phases=("errors", "warnings")) -> List[Finding]:
    """Validate a QRDA III document against the CDA XSD then the CMS schematron of its year.

    ``data_or_tree`` is bytes, an lxml element or an element tree.  ``ig_dir``
    defaults to ``$QPPFILES_IG``.  ``year`` overrides the performance year read
    from the document's first reporting period.  Returns findings in layers
    "xsd" and "schematron" (plus "file" when the package cannot be used).
    """
    ig_dir = ig_dir or os.environ.get(ENV_IG)
    if not ig_dir:
        return [_package_finding("X201", ERROR, "Strict conformance needs the CMS QRDA III implementation "
                                 "guide package: point --ig (or the QPPFILES_IG environment variable) at a "
                                 "directory holding <year>/*.sch with voc.xml and cda-schema/infrastructure/"
                                 "cda/CDA_SDTC.xsd.")]
    ig_dir = Path(ig_dir)
    if not ig_dir.is_dir():
        return [_package_finding("X201", ERROR, f"The implementation guide directory {ig_dir} does not exist; "
                                 "point --ig (or QPPFILES_IG) at the CMS QRDA III IG package directory.")]
    if isinstance(data_or_tree, (bytes, bytearray, memoryview)):
        root, findings = parse(bytes(data_or_tree), max_bytes)
        if root is None:
            return findings
    elif isinstance(data_or_tree, etree._ElementTree):
        root = data_or_tree.getroot()
    else:
        root = data_or_tree
    tree = root.getroottree()

    findings: List[Finding] = []
    extension = next(iter(_REPORT_TEMPLATE(root, root=T.QRDA3_REPORT_CMS)), None)
    if year is None:
        year = _document_year(root, extension)
    if year is None:
        return [_package_finding("X202", ERROR, "The performance year of the file is unknown (no reporting "
                                 "period and no known report templateId extension), so no guide can be chosen.")]
    package, matched = choose_package(ig_dir, year, extension)
    if package is None:
        return [_package_finding("X202", ERROR, f"The directory {ig_dir} holds no CMS QRDA III guide package "
                                 f"for {year} (expected {ig_dir / str(year)}/*.sch).")]
    if not matched:
        findings.append(_package_finding(
            "X203", WARNING,
            f"The file was written to another version of the guide: its report templateId extension is "
            f"'{extension or '(none)'}', while the {year} package '{package.name}' requires "
            f"'{package.required_extension}'. It was validated against '{package.name}'."))

    findings.extend(_xsd_findings(tree, ig_dir / XSD_RELATIVE))
    wanted = dict(PHASES)
    for phase in phases:
        findings.extend(_schematron_findings(tree, package, phase, wanted[phase]))
    return findings


def _document_year(root, extension) -> Optional[int]:
    """The year most sections report on (the first section's on a tie), else the extension's."""
    starts = [int(v[:4]) for v in _FIRST_PERIOD_START(root, rp=T.REPORTING_PARAMETERS_ACT) if is_ascii_digits(v[:4])]
    if starts:
        return max(starts, key=lambda y: (starts.count(y), -starts.index(y)))
    years = T.years_for_extension(extension)
    return years[-1] if years else None


def _package_finding(code: str, severity: str, message: str) -> Finding:
    return Finding(code, severity, "file", message, location=Location(xpath="/"))


def _element_location(tree, path: Optional[str]) -> Location:
    """Turn a machine XPath into a readable one with its line."""
    if not path:
        return Location()
    try:
        hits = tree.xpath(path)
    except etree.XPathError:
        return Location(xpath=path)
    el = hits[0] if hits else None
    if isinstance(el, etree._ElementUnicodeResult):  # an attribute: point at its element
        el = el.getparent()
    if el is None or not isinstance(el.tag, str):
        return Location(xpath=path)
    return Location(xpath=element_path(el), line=el.sourceline)


# -- XSD ----------------------------------------------------------------------------------------


_lock = threading.Lock()


@lru_cache(maxsize=8)
def _schema(xsd: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(xsd), parser))


def _xsd_findings(tree, xsd: Path) -> List[Finding]:
    if not xsd.is_file():
        return [_package_finding("X204", ERROR, f"The CDA schema {xsd} is missing from the guide directory; "
                                 "the XSD layer was not checked.")]
    with _lock:
        schema = _schema(xsd)
    schema.validate(tree)
    out = []
    for err in schema.error_log:
        location = _element_location(tree, err.path)
        if location.line is None:
            location = Location(location.pointer, location.xpath, err.line or None)
        out.append(Finding("X210", ERROR, "xsd", f"CDA schema: {err.message}", location=location))
    return out


# -- schematron ---------------------------------------------------------------------------------


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qppfiles"


_compiled: Dict[Tuple[str, str], etree.XSLT] = {}
_ACCESS = etree.XSLTAccessControl(read_file=True, write_file=False, create_dir=False,
                                  read_network=False, write_network=False)


def _cache_key(package: Package, phase: str) -> str:
    digest = hashlib.sha256()
    for part in (package.sch.read_bytes(), package.voc.read_bytes() if package.voc.is_file() else b"",
                 str(package.voc.resolve()).encode(), phase.encode(), _REPAIR_VERSION, etree.LXML_VERSION.__repr__().encode()):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def compiled_schematron(package: Package, phase: str) -> etree.XSLT:
    """The validator XSLT of one phase of a package: from memory, the disk cache, or compiled now."""
    key = _cache_key(package, phase)
    with _lock:
        if (key, phase) in _compiled:
            return _compiled[(key, phase)]
        cached = cache_dir() / f"schematron-{package.name}-{phase}-{key}.xsl"
        xslt_doc = None
        if cached.is_file():
            try:
                xslt_doc = etree.parse(str(cached), etree.XMLParser(resolve_entities=False, no_network=True))
            except etree.XMLSyntaxError:
                xslt_doc = None
        if xslt_doc is None:
            xslt_doc = _compile(package, phase)
            _store(cached, xslt_doc)
        validator = etree.XSLT(xslt_doc, access_control=_ACCESS)
        _compiled[(key, phase)] = validator
        return validator


# Published packages with XPath that XSLT 1.0 cannot evaluate; each is repaired to
# what its message states before compiling.  (2023 v1.1, CONF 4526-18177_C01:
# "count(id[...]=1)" counts a boolean and aborts the whole phase.)
_REPAIRS = (
    (re.compile(r"count\((cda:id\[@root='2\.16\.840\.1\.113883\.4\.6'\])=1\)"), r"count(\1)=1"),
)
_REPAIR_VERSION = b"repairs-1"


def _compile(package: Package, phase: str):
    source = package.sch.read_text("utf-8")
    # The schematron names its vocabulary relative to itself, which the compiled
    # stylesheet can no longer resolve: point it at the package's own file.
    voc_uri = package.voc.resolve().as_uri()
    source = re.sub(r"document\(\s*['\"]voc\.xml['\"]\s*\)", f"document('{voc_uri}')", source)
    for defect, repair in _REPAIRS:
        source = defect.sub(repair, source)
    sch = etree.fromstring(source.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    return isoschematron.Schematron(sch, phase=phase, store_xslt=True).validator_xslt


def _store(path: Path, xslt_doc) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(etree.tostring(xslt_doc))
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache only costs time


def _schematron_findings(tree, package: Package, phase: str, severity: str) -> List[Finding]:
    validator = compiled_schematron(package, phase)
    try:
        report = validator(tree)
    except etree.XSLTApplyError as exc:
        detail = "; ".join(str(e.message) for e in validator.error_log) or str(exc)
        return [Finding("X205", ERROR, "schematron",
                        f"The {phase} phase of the {package.name} schematron could not be run on this file "
                        f"({detail}); that package has an XPath defect, so its {phase} were not checked.",
                        location=Location(xpath="/"))]
    out = []
    for node in report.getroot().iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(node.itertext()).split())
        assert_id = node.get("id") or ""
        match = _ASSERT_ID.match(assert_id)
        conf = _CONF.search(text)
        conf_id = conf.group(1).strip() if conf else (match.group(1) if match else assert_id or "?")
        message = f"{package.name} schematron, CONF {conf_id}: {text}"
        location = _element_location(tree, node.get("location"))
        out.append(Finding("X220" if severity == ERROR else "X221", severity, "schematron", message,
                           location=location))
    return out


__all__ = ["validate", "packages", "choose_package", "compiled_schematron", "cache_dir", "Package", "INFO"]
