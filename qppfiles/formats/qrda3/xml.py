"""Hardened XML parsing for untrusted QRDA III files.

No DTD is loaded, no entity is expanded, nothing is fetched from the network,
and a document type declaration is refused outright: QRDA III never needs
one, and it is the carrier of entity-expansion and external-file attacks.
Every problem becomes a file-level finding; nothing here raises for bad input.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from ...model.findings import Finding
from ...model.findings import Location

DEFAULT_MAX_BYTES = 200 * 1024 * 1024

# A declaration before the root element: "<!DOCTYPE" or a stray "<!ENTITY".
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")


_LOCAL = threading.local()


def _parser() -> etree.XMLParser:
    # One parser per thread, reused: making one costs about as much as parsing a few kB.
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = _new_parser()
    return parser


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
        collect_ids=False,
        # Whitespace-only text between elements (indentation) becomes no node: about half the nodes of
        # a pretty-printed file and a sixth of its parse time.  Whitespace in an element that also holds
        # other text, or nothing else, is kept, as are comments, lines and element paths; no check reads
        # the indentation (strict findings are the same with and without it).
        remove_blank_text=True,
    )


def _file_error(code: str, message: str, line: int | None = None) -> Finding:
    return Finding.of(code, message, Location(xpath="/", line=line))


_WIDE_ENCODINGS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
    (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"),
)


def _ascii_compatible(data: bytes) -> bytes:
    """The bytes re-encoded as UTF-8 when they are UTF-16/32, so declarations can be searched for."""
    for mark, codec in _WIDE_ENCODINGS:
        if data.startswith(mark):
            return data.decode(codec, "replace").encode("utf-8")
    return data


def _declares_doctype(data: bytes) -> bool:
    """True when a DOCTYPE/ENTITY declaration precedes the first element."""
    data = _ascii_compatible(data)
    root = _ROOT_START.search(data)
    prolog = data[: root.start()] if root else data[:65536]
    # Comments in the prolog may mention "<!DOCTYPE"; strip them before looking.
    prolog = re.sub(rb"<!--.*?-->", b"", prolog, flags=re.DOTALL)
    return bool(_DECLARATION.search(prolog))


def parse(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[etree._Element | None, list[Finding]]:
    """Parse untrusted bytes. Returns (root element or None, file-level findings)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return None, [_file_error("X102", "The input is not a byte string, so it cannot be read as XML.")]
    data = bytes(data)
    if len(data) > max_bytes:
        return None, [
            _file_error(
                "X101",
                f"The file is {len(data):,} bytes, above the limit of {max_bytes:,} bytes; "
                "it was not parsed (raise the limit if the file is genuine).",
            )
        ]
    if not data or data.isspace():  # as `not data.strip()`, without copying the file
        return None, [_file_error("X102", "The file is empty: there is no XML to read.")]
    if _declares_doctype(data):
        return None, [_doctype_finding()]
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        return None, [
            _file_error("X102", f"The file is not well-formed XML: {_syntax_message(exc)}.", line)
        ]
    except (ValueError, etree.LxmlError) as exc:
        return None, [_file_error("X102", f"The file could not be read as XML: {exc}.")]
    if root is None:
        return None, [_file_error("X102", "The file holds no XML element.")]
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        return None, [_doctype_finding()]
    return root, []


def _doctype_finding() -> Finding:
    return _file_error(
        "X103",
        "The file declares a document type (<!DOCTYPE>) or entities. QRDA III files must not: "
        "such declarations can expand to huge sizes or read other files, so the file was refused "
        "unread. Remove the DOCTYPE declaration.",
        line=1,
    )


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    msg = str(exc.msg if getattr(exc, "msg", None) else exc).strip()
    return msg.rstrip(".") or "unreadable content"
