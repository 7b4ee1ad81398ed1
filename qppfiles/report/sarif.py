"""SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning among them).

Paths are relative to ``%SRCROOT%``, the checkout root (``GITHUB_WORKSPACE`` when set, else the current
directory), which is how code scanning maps an alert to a file of the repository."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import __version__
from . import consequence_text
from . import exit_code
from . import fingerprinted
from .inert import inert
from .paths import GITHUB_ROOT
from .paths import relative
from .paths import shown
from .paths import source_root

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_SRCROOT = "%SRCROOT%"
_FINGERPRINT = "qppfilesFinding/v1"


def _artifact(path, root) -> dict:
    rel = relative(path, root)
    if rel is not None:
        return {"uri": quote(rel, errors="surrogateescape"), "uriBaseId": _SRCROOT}
    if path is None:
        return {"uri": "stdin"}
    return {"uri": Path(os.path.abspath(path)).as_uri()}


def _result(f, artifact: dict, rule_index: int, identity: str) -> dict[str, Any]:
    region = {"startLine": f.location.line or 1}
    if f.location.line and f.location.column:
        region["startColumn"] = f.location.column
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": dict(artifact), "region": region}}
    logical = f.location.pointer if f.location.pointer is not None else f.location.xpath
    if logical:
        location["logicalLocations"] = [{"fullyQualifiedName": logical}]
    text = inert(f.message)
    consequence = f.consequence
    if consequence:
        text = f"{text} ({consequence_text(consequence)}.)"
    properties = {"layer": f.layer}
    if f.measure_id:
        properties["measureId"] = f.measure_id
    if consequence:
        properties["consequence"] = consequence
    return {"ruleId": f.code, "ruleIndex": rule_index, "level": _LEVEL.get(f.severity, "note"),
            "message": {"text": text}, "locations": [location], "partialFingerprints": {_FINGERPRINT: identity},
            "properties": properties}


def _rule(code: str, severity: str) -> dict:
    from ..model.codes import get

    c = get(code)
    level = _LEVEL.get(c.severity if c is not None else severity, "note")
    rule = {"id": code, "defaultConfiguration": {"level": level}}
    if c is None:
        summary = f"finding {code}"
        rule.update(shortDescription={"text": summary}, help={"text": summary, "markdown": summary})
        return rule
    rule["shortDescription"] = {"text": c.summary}
    if c.explanation:
        rule["fullDescription"] = {"text": c.explanation}
    text = [c.summary]
    markdown = [f"**{code}** ({c.severity}, {c.layer} layer): {c.summary}"]
    if c.explanation:
        text.append(c.explanation)
        markdown.append(c.explanation)
    if c.consequence:
        said = consequence_text(c.consequence)
        text.append(f"Consequence: {said}.")
        markdown.append(f"**Consequence:** {said}.")
    if c.example:
        text.append(f"Example: {c.example}")
        markdown.append(f"Example:\n\n```\n{c.example}\n```")
    if c.source:
        text.append(f"Source: {c.source}")
        markdown.append(f"Source: {c.source}")
    text.append(f"Run `qppfiles explain {code}` for more.")
    markdown.append(f"Run `qppfiles explain {code}` for more.")
    rule["help"] = {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)}
    properties: dict[str, Any] = {"tags": ["qppfiles", c.layer]}
    if c.consequence:
        properties["consequence"] = c.consequence
    if c.status != "stable":  # a preview code: reported, its boundary not yet settled
        properties["tags"].append(c.status)
        properties["status"] = c.status
    rule["properties"] = properties
    return rule


def render(reports, out, fail_on: str = "error", problems=None) -> list:
    reports = list(reports)
    root = source_root(GITHUB_ROOT)
    severities: dict[str, str] = {}
    for r in reports:
        for f in r.findings:
            severities.setdefault(f.code, f.severity)
    codes = sorted(severities)
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for r in reports:
        artifact = _artifact(r.path, root)
        path = shown(r.path, root)
        for f, mark in fingerprinted(path, r.findings):
            results.append(_result(f, artifact, index[f.code], mark))
    code = exit_code(reports, problems, fail_on)
    invocation: dict[str, Any] = {"executionSuccessful": code != 2, "exitCode": code}
    if problems:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": inert(p)}} for p in problems]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "qppfiles", "version": __version__,
                                "rules": [_rule(c, severities[c]) for c in codes]}},
            "originalUriBaseIds": {_SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
            "invocations": [invocation],
            "results": results,
        }],
    }
    json.dump(doc, out, indent=2)
    out.write("\n")
    return reports
