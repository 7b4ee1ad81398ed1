"""Generating submissions: from a table of counts, synthetic fixtures, and fault injection.

Library entry points::

    fake_submission(year, level, rng, mvp=None, ...) -> Submission   # valid synthetic submission
    tables.load(path, text, header) -> (Submission, Table)           # CSV / YAML / TOML counts
    template.template(year, level, mvp=None, fmt="yaml") -> str       # commented starter table
    faults.inject(submission, codes, rng, count=None) -> (bytes, codes)  # break chosen rules
    near_misses.apply(doc, code, env, over=False) -> dict              # stop just short of a rule
    render.to_bytes(submission, target="json"|"qrda3", faker=None) -> bytes
"""

from .fake import LEVELS
from .fake import TARGETS
from .fake import GenerateError
from .fake import fake_submission
from .fake import levels_for

__all__ = ["GenerateError", "LEVELS", "TARGETS", "fake_submission", "levels_for"]
