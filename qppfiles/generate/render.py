"""Serialise a generated submission as QPP JSON or QRDA III.

QRDA III has a document header with organisation names; for synthetic files
Faker fills them in, so fixtures look like real exports.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timezone

from ..formats import qppjson
from ..model.submission import Submission


class TargetUnavailable(ValueError):
    """The submission cannot be written in the requested format (the message says why)."""


def _qrda3_writer():
    try:
        from ..formats.qrda3.writer import QrdaWriteError
        from ..formats.qrda3.writer import write
    except ImportError as exc:  # the writer ships with the QRDA III package
        raise TargetUnavailable(f"the QRDA III writer is not available ({exc})") from None
    return write, QrdaWriteError


def to_bytes(sub: Submission, target: str = "json", faker=None, created: datetime | None = None) -> bytes:
    """The file's bytes in ``target`` ("json" or "qrda3"); raises TargetUnavailable for QRDA III limits."""
    if target == "json":
        return qppjson.write(sub)
    if created is None:
        if sub.performance_year is None:
            raise TargetUnavailable("the submission has no performance year to date the document by")
        created = datetime(sub.performance_year + 1, 1, 15, tzinfo=timezone.utc)
    write, error = _qrda3_writer()
    try:
        data = write(sub, created=created)
    except error as exc:
        raise TargetUnavailable(str(exc)) from None
    return _name_organisations(data, faker) if faker is not None else data


def _name_organisations(data: bytes, faker) -> bytes:
    from lxml import etree

    # The bytes come from our own writer, but parse them as carefully as any input.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(data, parser)
    ns = root.nsmap.get(None)
    company = faker.company()
    for tag in ("representedOrganization", "representedCustodianOrganization"):
        for org in root.iter(f"{{{ns}}}{tag}"):
            name = org.find(f"{{{ns}}}name")
            if name is not None:
                name.text = company
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
