"""Strict conformance: the HL7 CDA XSD and the CMS QRDA III schematron of the file's year.

The project ships neither; they come from an IG package directory laid out as::

    <ig_dir>/<year>/*.sch + voc.xml       the latest guide of each performance year
    <ig_dir>/<year>-v1.0/ ...              an earlier version of that year's guide
    <ig_dir>/cda-schema/infrastructure/cda/CDA_SDTC.xsd

A package is chosen by the document's performance year and by the CMS report
templateId extension its schematron requires.  Each schematron phase is
compiled to XSLT once, rewritten to select its rule contexts directly
(:mod:`.schematron_fast`), and cached on disk, so later runs skip the slow
compilation.  ``QPPFILES_STRICT_REFERENCE=1`` runs the stylesheet exactly as
``isoschematron`` compiles it instead (same findings, much slower).
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree
from lxml import isoschematron

from ... import __version__
from ...model.digits import is_ascii_digits
from ...model.findings import ERROR
from ...model.findings import INFO
from ...model.findings import WARNING
from ...model.findings import Finding
from ...model.findings import Location
from . import schematron_fast
from . import templates as T
from .paths import element_path
from .xml import DEFAULT_MAX_BYTES
from .xml import parse

ENV_IG = "QPPFILES_IG"
ENV_REFERENCE = "QPPFILES_STRICT_REFERENCE"  # "1": the schematron as compiled, not rewritten
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
    required_extension: str | None

    @property
    def is_latest(self) -> bool:
        return self.name == str(self.year)


def packages(ig_dir: str | Path) -> list[Package]:
    """Every package under ``ig_dir``, sorted by year then name."""
    found = []
    root = Path(ig_dir)
    for child in sorted(root.iterdir()) if root.is_dir() else ():
        match = _PACKAGE_DIR.match(child.name)
        schs = sorted(child.glob("*.sch")) if match and child.is_dir() else []
        if match is None or not schs:
            continue
        found.append(Package(int(match.group(1)), child.name, schs[0], child / "voc.xml",
                             _required_extension(schs[0])))
    return found


@lru_cache(maxsize=64)
def _required_extension(sch: Path) -> str | None:
    try:
        text = sch.read_text("utf-8", errors="replace")
    except OSError:
        return None  # compiling it says why, as a package finding
    match = _REQUIRED_EXTENSION.search(text)
    return match.group(1) if match else None


def choose_package(ig_dir, year: int, extension: str | None) -> tuple[Package | None, bool]:
    """(package, matched): the year's package requiring ``extension``, else the year's latest."""
    of_year = [p for p in packages(ig_dir) if p.year == year]
    for p in of_year:
        if extension and p.required_extension == extension:
            return p, True
    latest = next((p for p in of_year if p.is_latest), of_year[-1] if of_year else None)
    return latest, False


# -- entry point ---------------------------------------------------------------------------------


def validate(data_or_tree, ig_dir: str | Path | None = None, year: int | None = None, *,
             max_bytes: int = DEFAULT_MAX_BYTES, phases=("errors", "warnings")) -> list[Finding]:
    """Validate a QRDA III document against the CDA XSD then the CMS schematron of its year.

    ``data_or_tree`` is bytes, an lxml element or an element tree.  ``ig_dir``
    defaults to ``$QPPFILES_IG``.  ``year`` overrides the performance year read
    from the document's first reporting period.  Returns findings in layers
    "xsd" and "schematron" (plus "file" when the package cannot be used).
    """
    ig_dir = ig_dir or os.environ.get(ENV_IG)
    if not ig_dir:
        return [_package_finding("X201", "Strict conformance needs the CMS QRDA III implementation "
                                 "guide package: point --ig (or the QPPFILES_IG environment variable) at a "
                                 "directory holding <year>/*.sch with voc.xml and cda-schema/infrastructure/"
                                 "cda/CDA_SDTC.xsd.")]
    ig_dir = Path(ig_dir)
    if not ig_dir.is_dir():
        return [_package_finding("X201", f"The implementation guide directory {ig_dir} does not exist; "
                                 "point --ig (or QPPFILES_IG) at the CMS QRDA III IG package directory.")]
    if isinstance(data_or_tree, (bytes, bytearray, memoryview)):
        root, refused = parse(bytes(data_or_tree), max_bytes)
        if root is None:
            return refused
    elif isinstance(data_or_tree, etree._ElementTree):
        root = data_or_tree.getroot()
    else:
        root = data_or_tree
    tree = root.getroottree()

    findings: list[Finding] = []
    extension = next(iter(_REPORT_TEMPLATE(root, root=T.QRDA3_REPORT_CMS)), None)
    if year is None:
        year = _document_year(root, extension)
    if year is None:
        return [_package_finding("X202", "The performance year of the file is unknown (no reporting "
                                 "period and no known report templateId extension), so no guide can be chosen.")]
    package, matched = choose_package(ig_dir, year, extension)
    if package is None:
        return [_package_finding("X202", f"The directory {ig_dir} holds no CMS QRDA III guide package "
                                 f"for {year} (expected {ig_dir / str(year)}/*.sch).")]
    accepted = T.cms_report_extension(year)
    if matched and accepted and extension != accepted:
        report = root.find(f"{{{T.NS}}}templateId[@root='{T.QRDA3_REPORT_CMS}']")
        findings.append(Finding.of(
            "X161", f"Validated against the '{package.name}' package that the report templateId "
            f"extension '{extension}' names; CMS intake accepts only '{accepted}' for {year}, so it would "
            "refuse this version.", location=Location(xpath=element_path(report), line=report.sourceline)))
    if not matched:
        findings.append(_package_finding(
            "X203",
            f"The file was written to another version of the guide: its report templateId extension is "
            f"'{extension or '(none)'}', while the {year} package '{package.name}' requires "
            f"'{package.required_extension}'. It was validated against '{package.name}'."))

    findings.extend(_xsd_findings(tree, ig_dir / XSD_RELATIVE))
    wanted = dict(PHASES)
    for phase in phases:
        findings.extend(_schematron_findings(tree, package, phase, wanted[phase]))
    return findings


def _document_year(root, extension) -> int | None:
    """As CMS: the start of the first reporting period, else the extension's year."""
    starts = [int(v[:4]) for v in _FIRST_PERIOD_START(root, rp=T.REPORTING_PARAMETERS_ACT) if is_ascii_digits(v[:4])]
    if starts:
        return starts[0]
    years = T.years_for_extension(extension)
    return years[-1] if years else None


def _package_finding(code: str, message: str) -> Finding:
    return Finding.of(code, message, Location(xpath="/"))


def _element_location(tree, path: str | None) -> Location:
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


def _xsd_findings(tree, xsd: Path) -> list[Finding]:
    if not xsd.is_file():
        return [_package_finding("X204", f"The CDA schema {xsd} is missing from the guide directory; "
                                 "the XSD layer was not checked.")]
    try:
        with _lock:
            schema = _schema(xsd)
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError, OSError) as exc:
        return [_package_finding("X209", f"The CDA schema {xsd} cannot be loaded ({exc}); the XSD "
                                 "layer was not checked.")]
    schema.validate(tree)
    out = []
    for err in schema.error_log:
        location = _element_location(tree, err.path)
        if location.line is None:
            location = Location(location.pointer, location.xpath, err.line or None)
        out.append(Finding.of("X210", f"CDA schema: {err.message}", location))
    return out


# -- schematron ---------------------------------------------------------------------------------


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qppfiles"


_compiled: dict[tuple[str, str, bool], etree.XSLT] = {}
_ACCESS = etree.XSLTAccessControl(read_file=True, write_file=False, create_dir=False,
                                  read_network=False, write_network=False)
_SAFE_PARSER = dict(resolve_entities=False, no_network=True)
_CACHE_MAGIC = b"qppfiles-compiled-schematron"


def use_reference() -> bool:
    """True when ``QPPFILES_STRICT_REFERENCE=1`` asks for the schematron exactly as compiled."""
    return os.environ.get(ENV_REFERENCE) == "1"


def _cache_key(package: Package, phase: str, reference: bool = False) -> str:
    """A digest of everything the compiled stylesheet depends on: package bytes, rewrite, versions."""
    digest = hashlib.sha256()
    rewrite = b"reference" if reference else schematron_fast.VERSION.encode()
    for part in (package.sch.read_bytes(), package.voc.read_bytes() if package.voc.is_file() else b"",
                 str(package.voc.resolve()).encode(), phase.encode(), _REPAIR_VERSION, rewrite,
                 etree.LXML_VERSION.__repr__().encode(), __version__.encode()):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def compiled_schematron(package: Package, phase: str, reference: bool | None = None) -> etree.XSLT:
    """The validator XSLT of one phase of a package: from memory, the disk cache, or compiled now.

    ``reference`` (default: :func:`use_reference`) gives the stylesheet as ``isoschematron``
    compiles it, without the rewrite of :mod:`.schematron_fast`.  Raises :class:`PackageError`
    when the package's schematron cannot be compiled.
    """
    reference = use_reference() if reference is None else reference
    try:
        key = _cache_key(package, phase, reference)
    except OSError as exc:
        raise PackageError("X206", f"The schematron {package.sch} cannot be read ({exc}).") from None
    with _lock:
        if (key, phase, reference) in _compiled:
            return _compiled[(key, phase, reference)]
        flavor = "-reference" if reference else ""
        cached = cache_dir() / f"schematron-{package.name}-{phase}{flavor}-{key}.xsl"
        xslt_doc = _load(cached, key)
        if xslt_doc is None:
            xslt_doc = _compile(package, phase, reference)
            _store(cached, key, xslt_doc)
        try:
            validator = etree.XSLT(xslt_doc, access_control=_ACCESS)
        except etree.XSLTParseError as exc:
            raise PackageError("X207", f"The {phase} phase of the {package.name} schematron ({package.sch}) "
                               f"compiles to a stylesheet lxml cannot load ({exc}).") from None
        _compiled[(key, phase, reference)] = validator
        return validator


class PackageError(Exception):
    """An IG package that cannot be used: its finding code and one line saying why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


# Published packages with XPath that XSLT 1.0 cannot evaluate; each is repaired to
# what its message states before compiling.  (2023 v1.1, CONF 4526-18177_C01:
# "count(id[...]=1)" counts a boolean and aborts the whole phase.)
_REPAIRS = (
    (re.compile(r"count\((cda:id\[@root='2\.16\.840\.1\.113883\.4\.6'\])=1\)"), r"count(\1)=1"),
)
_REPAIR_VERSION = b"repairs-1"


def _compile(package: Package, phase: str, reference: bool = False):
    """Compile one phase with ``isoschematron``, then (unless ``reference``) rewrite it to select contexts."""
    if not package.voc.is_file():
        raise PackageError("X208", f"The {package.name} guide package has no voc.xml beside {package.sch.name}; "
                           "its vocabulary checks cannot run, so its schematron was not applied.")
    try:
        source = package.sch.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackageError("X206", f"The schematron {package.sch} cannot be read ({exc}).") from None
    # The schematron names its vocabulary relative to itself, which the compiled
    # stylesheet can no longer resolve: point it at the package's own file.
    voc_uri = package.voc.resolve().as_uri()
    source = re.sub(r"document\(\s*['\"]voc\.xml['\"]\s*\)", f"document('{voc_uri}')", source)
    for defect, repair in _REPAIRS:
        source = defect.sub(repair, source)
    try:
        sch = etree.fromstring(source.encode("utf-8"), etree.XMLParser(**_SAFE_PARSER))
    except etree.XMLSyntaxError as exc:
        raise PackageError("X206", f"The schematron {package.sch} is not XML ({exc}).") from None
    try:
        xslt_doc = isoschematron.Schematron(sch, phase=phase, store_xslt=True).validator_xslt
    except (etree.SchematronParseError, etree.XSLTError, etree.XPathError, KeyError, ValueError) as exc:
        raise PackageError("X207", f"The {phase} phase of the schematron {package.sch} cannot be compiled "
                           f"({str(exc) or type(exc).__name__}).") from None
    if reference:
        return xslt_doc
    fast = copy.deepcopy(xslt_doc)
    schematron_fast.speed_up(fast)
    try:
        etree.XSLT(fast, access_control=_ACCESS)
    except etree.XSLTParseError:
        return xslt_doc  # a context the rewrite misread: the stylesheet as compiled is still right
    return fast


def _load(path: Path, key: str):
    """A cached stylesheet, only when its header names ``key`` and the digest of its body matches."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header, _, body = data.partition(b"\n")
    if header != _cache_header(key, body):
        return None  # tampered, truncated, or compiled from another package
    try:
        return etree.fromstring(body, etree.XMLParser(**_SAFE_PARSER)).getroottree()
    except etree.XMLSyntaxError:
        return None


def _cache_header(key: str, body: bytes) -> bytes:
    return b" ".join((_CACHE_MAGIC, key.encode(), hashlib.sha256(body).hexdigest().encode()))


def _store(path: Path, key: str, xslt_doc) -> None:
    body = etree.tostring(xslt_doc)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_cache_header(key, body) + b"\n" + body)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # an unwritable cache only costs time


def _schematron_findings(tree, package: Package, phase: str, severity: str) -> list[Finding]:
    try:
        validator = compiled_schematron(package, phase)
    except PackageError as exc:
        return [_package_finding(exc.code, str(exc))]
    try:
        report = validator(tree)
    except etree.XSLTApplyError as exc:
        detail = "; ".join(str(e.message) for e in validator.error_log) or str(exc)
        return [Finding.of("X205",
                           f"The {phase} phase of the {package.name} schematron could not be run on this file "
                           f"({detail}); that package has an XPath defect, so its {phase} were not checked.",
                           Location(xpath="/"))]
    out = []
    for node in report.getroot().iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(node.itertext()).split())
        assert_id = node.get("id") or ""
        match = _ASSERT_ID.match(assert_id)
        conf = _CONF.search(text)
        conf_id = conf.group(1).strip() if conf else (match.group(1) if match else assert_id or "?")
        message = f"{package.name} schematron, CONF {conf_id}: {text}"
        location = _element_location(tree, node.get("location"))
        out.append(Finding.of("X220" if severity == ERROR else "X221", message, location))
    return out


__all__ = ["validate", "packages", "choose_package", "compiled_schematron", "cache_dir", "Package", "INFO"]
