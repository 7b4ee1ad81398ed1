"""The public Python API: what ``import qppfiles`` offers, and what the commands call.

Sources are a path (``str`` or ``os.PathLike``), the file's ``bytes``, or (for ``score`` and
``convert``) a :class:`~qppfiles.model.submission.Submission` already read.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Union
from typing import cast

from .model.options import DEFAULT_MAX_FILE_SIZE
from .model.options import DEFAULT_MAX_FINDINGS
from .model.options import Options

if TYPE_CHECKING:
    from .model.file_report import FileReport
    from .model.submission import Submission
    from .scoring import ScoreCard

Source = Union[str, "os.PathLike[str]", bytes]


class ReadError(ValueError):
    """A source that holds no readable submission; ``findings`` say why (empty when it could not be opened)."""

    def __init__(self, message: str, findings: Sequence = ()):
        super().__init__(message)
        self.findings = list(findings)


class ConvertError(ValueError):
    """The submission cannot be written in the target format without changing what it says.

    ``code`` is the finding code of the refusal: F014 (a number would change) or F015 (no place for it)."""

    def __init__(self, message: str, code: str = "F015") -> None:
        super().__init__(message)
        self.code = code


def _settings_to_options(year: int | None = None, small_practice: bool = False, special_status: bool = False,
                         profile: str = "accept", ig_dir: str | None = None, select: Iterable[str] = (),
                         ignore: Iterable[str] = (), max_findings: int = DEFAULT_MAX_FINDINGS,
                         max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> Options:
    return Options(year=year, small_practice=small_practice, special_status=special_status, profile=profile,
                   ig_dir=ig_dir, select=tuple(select), ignore=tuple(ignore), max_findings=max_findings,
                   max_file_size=max_file_size)


def _bytes(source: Source, max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> tuple[bytes, str | None]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    from .pipeline.validate import FileTooLarge
    from .pipeline.validate import read_limited

    path = os.fspath(source)
    try:
        return read_limited(path, max_file_size), path
    except FileTooLarge as exc:
        raise ReadError(f"{path}: {exc}") from None
    except OSError as exc:
        raise ReadError(f"{path}: {exc.strerror or exc}") from None


def read(source: Source, *, max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> Submission:
    """The submission in a QPP JSON or QRDA III file (format told by content).

    Raises :class:`ReadError` when the source cannot be read or holds no submission."""
    from .model.findings import ERROR
    from .pipeline.validate import read_bytes

    data, path = _bytes(source, max_file_size)
    result = read_bytes(data, path)
    fatal = [f for f in result.findings if f.severity == ERROR and f.layer == "file"]
    if result.submission is None or fatal:
        reasons = "; ".join(f.message for f in fatal) or "no submission found"
        raise ReadError(f"{path or '<bytes>'}: {reasons}", fatal)
    return result.submission


def validate(source: Source, *, year: int | None = None, small_practice: bool = False,
             special_status: bool = False, profile: str = "accept", ig_dir: str | None = None,
             select: Iterable[str] = (), ignore: Iterable[str] = (), max_findings: int = DEFAULT_MAX_FINDINGS,
             max_file_size: int = DEFAULT_MAX_FILE_SIZE, options: Options | None = None,
             path: str | None = None) -> FileReport:
    """Check one file (a path, or its bytes) against the format and the rules of its performance year.

    Never raises for any content: a file that cannot be read is reported (F010, F011), as is any
    internal failure (F012). ``options`` replaces the keyword settings; ``path`` names bytes in the report."""
    from .pipeline.validate import validate_bytes
    from .pipeline.validate import validate_path

    chosen = options if options is not None else _settings_to_options(
        year, small_practice, special_status, profile, ig_dir, select, ignore, max_findings, max_file_size)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return validate_bytes(bytes(source), path, chosen)
    return validate_path(os.fspath(source), chosen)


def validate_many(paths: Iterable[str | os.PathLike[str]], *, jobs: int = 1,
                  options: Options | None = None, **settings) -> Iterator[FileReport]:
    """Check files and directories (walked for .json and .xml files, as ``qppfiles validate`` does):
    one report per file, in order, over ``jobs`` processes. A directory that cannot be listed gives
    a report with an F040 finding. ``settings`` are ``validate``'s keywords."""
    from .intake.discover import discover
    from .pipeline.runner import discovery_reports
    from .pipeline.runner import validate_many as run

    chosen = options if options is not None else _settings_to_options(**settings)
    found = discover([os.fspath(p) for p in paths])
    for problem in found.problems:
        raise ReadError(problem)
    # Without a renderer the runner yields the reports themselves, not rendered text.
    yield from cast("Iterator[FileReport]", discovery_reports(found))
    yield from cast("Iterator[FileReport]", run(found.files, chosen, jobs))


def _submission(source: Source | Submission, max_file_size: int) -> Submission:
    from .model.submission import Submission

    return source if isinstance(source, Submission) else read(source, max_file_size=max_file_size)


def score(source: Source | Submission, *, year: int | None = None, small_practice: bool = False,
          special_status: bool = False, cost: float | None = None, complex_bonus: float | None = None,
          prior_quality: float | None = None, reweight: Iterable[str] = (), findings: Sequence | None = None,
          max_file_size: int = DEFAULT_MAX_FILE_SIZE, **cms_facts) -> ScoreCard:
    """Estimate the MIPS final score of a submission; ``card.to_dict()`` is its JSON form.

    The estimate never awards points that validation rejects: ``findings`` are those of the same
    file, and a path or bytes is validated first when they are not given.  ``cms_facts`` are what
    CMS computes itself (``cms_measures={"479": 7.5}``, ``cahps_shortfall``, ``clinician_type``...;
    see :func:`qppfiles.scoring.score_submission`).

    Raises :class:`ReadError` for an unreadable source and ``qppfiles.scoring.ScoringError`` when
    the submission cannot be scored (an unsupported year, say)."""
    from .model.submission import Submission
    from .scoring import score_submission

    if not isinstance(source, Submission):
        data, path = _bytes(source, max_file_size)
        submission = _submission(data, max_file_size)
        if findings is None:
            findings = validate(data, year=year, small_practice=small_practice, special_status=special_status,
                                max_file_size=max_file_size, path=path).findings
    else:
        submission = source
    return score_submission(submission, year=year, small_practice=small_practice, special_status=special_status,
                            cost=cost, complex_bonus=complex_bonus, prior_quality=prior_quality,
                            reweight=reweight, findings=findings, **cms_facts)


def convert(source: Source | Submission, to: str | None = None, *,
            max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The submission written as ``to`` ("json" or "qrda3"; default: the other format than the
    source's, QRDA III for a Submission). Raises :class:`ConvertError` when the target cannot hold it."""
    from .model.submission import Submission

    if to is None:
        if isinstance(source, Submission):
            to = "qrda3"
        else:
            from .formats import QRDA3
            from .formats import sniff_format

            data, _ = _bytes(source, max_file_size)
            to = "json" if sniff_format(data) == QRDA3 else "qrda3"
            source = data
    if to not in ("json", "qrda3"):
        raise ValueError(f"unknown target format {to!r}; use 'json' or 'qrda3'")
    submission = _submission(source, max_file_size)
    if to == "json":
        from .formats.qppjson import write

        return write(submission)
    from .formats.qrda3 import QrdaWriteError
    from .formats.qrda3 import write as write_qrda3

    try:
        return write_qrda3(submission)
    except QrdaWriteError as exc:
        raise ConvertError(str(exc), exc.code) from None


def fake_submission(year: int, level: str = "group", seed: int | random.Random | None = None,
                    **kwargs) -> Submission:
    """A synthetic submission that validates with no error (``level``: individual, group, ...);
    the same ``seed`` gives the same submission. Keywords as ``qppfiles.generate.fake_submission``."""
    from .generate import fake_submission as make

    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    return make(year, level, rng, **kwargs)


def from_table(source: str | os.PathLike[str], text: str | None = None, **header) -> Submission:
    """A submission built from a table of counts: a CSV, YAML or TOML file (format told by the
    name; ``text`` gives the content instead of reading the file). ``header`` fields (year,
    entity_type, tin, npi, program, cehrt_id...) win over the file's."""
    from .generate.tables import Header
    from .generate.tables import load

    name = os.fspath(source)
    if text is None:
        with open(name, encoding="utf-8") as fh:
            text = fh.read()
    return load(name, text, Header(**header))[0]


def write(submission: Submission, to: str = "json") -> bytes:
    """A submission written as QPP JSON ("json") or QRDA III ("qrda3")."""
    return convert(submission, to)
