"""SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json

from .. import __version__

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _result(r, f) -> dict:
    region = {}
    if f.location.line:
        region["startLine"] = f.location.line
        if f.location.column:
            region["startColumn"] = f.location.column
    physical = {"artifactLocation": {"uri": str(r.path)}}
    if region:
        physical["region"] = region
    location = {"physicalLocation": physical}
    logical = f.location.pointer if f.location.pointer is not None else f.location.xpath
    if logical:
        location["logicalLocations"] = [{"fullyQualifiedName": logical}]
    out = {"ruleId": f.code, "level": _LEVEL.get(f.severity, "note"),
           "message": {"text": f.message}, "locations": [location]}
    if f.measure_id:
        out["properties"] = {"measureId": f.measure_id, "layer": f.layer}
    else:
        out["properties"] = {"layer": f.layer}
    return out


def render(reports, out) -> list:
    from ..codes import get

    reports = list(reports)
    results = [_result(r, f) for r in reports for f in r.findings]
    rule_ids = sorted({res["ruleId"] for res in results})
    rules = []
    for code in rule_ids:
        c = get(code)
        rule = {"id": code}
        if c is not None:
            rule["shortDescription"] = {"text": c.summary}
            if c.explanation:
                rule["fullDescription"] = {"text": c.explanation}
        rules.append(rule)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "qppfiles", "version": __version__, "rules": rules}},
            "results": results,
        }],
    }
    json.dump(doc, out, indent=2)
    out.write("\n")
    return reports
