"""Readers and writers of submission files.

Every reader turns bytes into a :class:`ReadResult`: the model (when the file
could be understood), the file-level findings, and a locator that gives line
and column for a node reference.  Readers never judge program rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

from ..model.findings import Finding
from ..model.findings import Location
from ..model.submission import Submission

QPP_JSON = "qpp-json"
QRDA3 = "qrda3"


def _no_positions(location: Location) -> Location:
    return location


@dataclass
class ReadResult:
    format: str
    submission: Submission | None = None
    findings: list[Finding] = field(default_factory=list)
    # Fills line/column of a Location from its pointer or xpath; called only
    # for files that have findings, so readers may build position maps lazily.
    locate: Callable[[Location], Location] = _no_positions
    # The parsed document (dict for JSON, lxml root for XML), for later layers.
    document: object = None
    # Locates many at once, when a reader can do that faster than one by one.
    locate_all: Callable[[list[Location]], list[Location]] | None = None

    def located(self, locations: list[Location]) -> list[Location]:
        if self.locate_all is not None:
            return self.locate_all(locations)
        return [self.locate(location) for location in locations]

    @property
    def performance_year(self) -> int | None:
        return self.submission.performance_year if self.submission else None


def sniff_format(data: bytes) -> str:
    """Guess the format from the first meaningful byte: '<' is XML, anything else JSON."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    return QRDA3 if head.startswith(b"<") else QPP_JSON
