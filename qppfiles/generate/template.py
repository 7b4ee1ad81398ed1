"""Commented starter tables: what a year and level need, ready to fill in with counts.

    >>> print(template(2024, "group", fmt="yaml"))

The comments state the year's requirements (quality measure count, data
completeness threshold, case minimum, improvement activities full credit,
required PI measures and periods) from the year pack and catalog; the rows
name real measures of the year (or of the MVP) with zero counts to replace.
"""

from __future__ import annotations

import random

from ..catalog import load_catalog
from ..program import UnsupportedYear
from ..program import year_pack
from .fake import GenerateError
from .fake import fake_submission

FORMATS = ("yaml", "toml", "csv")
_COUNT_KEYS = ("performanceMet", "performanceNotMet", "eligiblePopulation", "eligiblePopulationException")


def requirements(year: int, level: str, mvp: str | None = None) -> list[str]:
    """The year's requirements for ``level`` as comment lines (no comment marker)."""
    pack = year_pack(year)
    q, ia, pi = pack.quality, pack.ia, pack.pi
    catalog = load_catalog(year)
    lines = [f"Performance year {year}, {level}" + (f", MVP {mvp} ({catalog.mvps[mvp].title})" if mvp else
                                                    ", traditional MIPS")]
    count = (q.mvp_required_measures or 4) if mvp else q.required_measures
    outcome = ", including one outcome measure (or high priority if none applies)" \
        if q.requires_outcome_or_high_priority else ""
    lines.append(f"Quality: {count} measures{outcome}" + (" from the MVP's list" if mvp else "") + ".")
    lines.append(f"  Data completeness: report at least {q.data_completeness_threshold_percent:g}% of each "
                 f"measure's eligible cases; case minimum {q.case_minimum}.")
    full_year = "the whole year" if pack.periods.quality_full_year_required else \
        f"at least {pack.periods.quality_min_days} days"
    lines.append(f"  Period: {full_year} ({pack.periods.start} to {pack.periods.end}).")
    if mvp:
        lines.append(f"  MVP quality measures: {', '.join(catalog.mvps[mvp].quality_ids)}")
    if level == "apm":
        lines.append("Improvement activities: credited by CMS to APM entities; PI is rolled up from participants.")
        return lines
    if ia.weighted:
        mvp_note = f" (x{ia.mvp_points_multiplier} in an MVP)" if mvp and ia.mvp_points_multiplier else \
            f" (x{ia.special_status_multiplier} for small, rural, HPSA or non-patient-facing practices)"
        lines.append(f"Improvement activities: {ia.full_credit_points} points for full credit; high-weighted "
                     f"activities earn {ia.high_weight_points}, medium {ia.medium_weight_points}{mvp_note}.")
    else:
        needed = ia.mvp_activities_for_full_credit if mvp else ia.activities_for_full_credit
        lines.append(f"Improvement activities: {needed} for full credit"
                     + ("" if mvp else f" ({ia.activities_for_full_credit_special_status} with a special status)")
                     + ".")
    lines.append(f"  Each activity for at least {ia.min_activity_days} continuous days; {ia.pcmh_activity_id} "
                 f"(medical home recognition) alone gives full credit.")
    if mvp:
        lines.append(f"  MVP activities: {', '.join(catalog.mvps[mvp].ia_ids)}")
    lines.append(f"Promoting Interoperability ('{pi.category_id}'): at least {pi.min_performance_period_days} "
                 f"continuous days, with a CEHRT ID ({' or '.join(pack.identifiers.cehrt_id_formats)}).")
    for requirement in pi.requirements:
        options = " or ".join(" + ".join(option) for option in requirement.options[:4])
        more = " or ..." if len(requirement.options) > 4 else ""
        kind = "attest yes" if requirement.kind == "attestation" else "report"
        lines.append(f"  {requirement.name.replace('_', ' ')}: {kind} {options}{more}")
    return lines


def _example(year: int, level: str, mvp: str | None):
    """A real selection of measures for the year and level (fixed seed), to fill in."""
    try:
        return fake_submission(year, level, random.Random(0), mvp=mvp)
    except UnsupportedYear as exc:
        raise GenerateError(str(exc)) from None


def _rows(sub) -> tuple[list, list, list, dict]:
    quality: list[tuple[str, str | None]] = []
    ia: list[str] = []
    pi: list[tuple[str, bool]] = []
    sets: dict = {}
    for ms in sub.measurement_sets:
        sets[ms.category] = ms
        for m in ms.measurements:
            kind = type(m.value).__name__
            if ms.category == "quality":
                strata = [s.name for s in m.value.strata] if kind == "MultiRateValue" else [None]
                quality.extend((m.measure_id, s) for s in strata)
            elif ms.category == "ia":
                ia.append(m.measure_id)
            else:
                pi.append((m.measure_id, kind == "ProportionValue"))
    return quality, ia, pi, sets


def template(year: int, level: str, mvp: str | None = None, fmt: str = "yaml") -> str:
    """A commented starter file in ``fmt`` (yaml, toml or csv) for ``year``, ``level`` and ``mvp``."""
    if fmt not in FORMATS:
        raise GenerateError(f"unknown template format '{fmt}'; choose one of {', '.join(FORMATS)}")
    sub = _example(year, level, mvp)
    program = next((ms.program for ms in sub.measurement_sets), "mips")
    mvp = mvp if mvp is None else program  # "random" resolves to the chosen MVP
    notes = requirements(year, level, mvp if mvp else (program if program in load_catalog(year).mvps else None))
    rows = _rows(sub)
    if fmt == "csv":
        return _csv(sub, program, notes, rows)
    return _starter(_YAML if fmt == "yaml" else _TOML, sub, program, notes, rows)


def _ids(sub) -> list[tuple[str, str]]:
    if sub.entity_type == "individual":
        return [("tin", "000000000"), ("npi", "0000000000")]
    if sub.entity_type == "group":
        return [("tin", "000000000")]
    return [("entity_id", "REPLACE-ME")]


def _cehrt(sub) -> str | None:
    return next((ms.cehrt_id for ms in sub.measurement_sets if ms.cehrt_id), None)


def _comment(lines, marker="#") -> str:
    return "\n".join(f"{marker} {line}" for line in lines) + "\n"


# Each part of a starter file as YAML writes it, then as TOML does (``str.format`` templates).
_PARTS = {
    "top": ("year: {year}\nentity_type: {entity}\n", 'year = {year}\nentity_type = "{entity}"\n'),
    "key": ('{key}: "{value}"\n', '{key} = "{value}"\n'),
    "program": ("program: {program}\n", 'program = "{program}"\n'),
    "cehrt": ("cehrt_id: {cehrt}          # replace with your CEHRT ID\n",
              'cehrt_id = "{cehrt}"          # replace with your CEHRT ID\n'),
    "quality": ("\nquality:\n  submission_method: {method}\n  measures:\n",
                '\n[quality]\nsubmission_method = "{method}"\nmeasures = [\n'),
    "measure": ('    - {{measureId: "{measure_id}"{stratum}, {counts}}}\n',
                '  {{ measureId = "{measure_id}"{stratum}, {counts} }},\n'),
    "stratum": (", stratum: {stratum}", ', stratum = "{stratum}"'),
    "count": ("{key}: 0", "{key} = 0"),
    "quality_end": ("", "]\n"),
    "ia": ("\nia:\n  start: {start}\n  end: {end}\n  activities: [{activities}]\n",
           '\n[ia]\nstart = "{start}"\nend = "{end}"\nactivities = [{activities}]\n'),
    "activity": ("{}", '"{}"'),
    "pi": ("\npi:\n  start: {start}\n  end: {end}\n  measures:\n",
           '\n[pi]\nstart = "{start}"\nend = "{end}"\n\n[pi.measures]\n'),
    "pi_measure": ("    {measure_id}: {value}\n", "{measure_id} = {value}\n"),
    "proportion": ("{numerator: 0, denominator: 0}", "{ numerator = 0, denominator = 0 }"),
    "yes": ("yes", "true"),
}
_YAML = {part: both[0] for part, both in _PARTS.items()}
_TOML = {part: both[1] for part, both in _PARTS.items()}


def _starter(syntax: dict[str, str], sub, program, notes, rows) -> str:
    """The YAML or TOML starter file: header keys, then the quality, IA and PI tables."""
    quality, ia, pi, sets = rows
    out = [_comment(notes), syntax["top"].format(year=sub.performance_year, entity=sub.entity_type)]
    out += [syntax["key"].format(key=key, value=value) for key, value in _ids(sub)]
    out.append(syntax["program"].format(program=program))
    cehrt = _cehrt(sub)
    if cehrt:
        out.append(syntax["cehrt"].format(cehrt=cehrt))
    out.append(syntax["quality"].format(method=sets["quality"].submission_method))
    counts = ", ".join(syntax["count"].format(key=k) for k in _COUNT_KEYS)
    for measure_id, stratum in quality:
        stratum_part = syntax["stratum"].format(stratum=stratum) if stratum else ""
        out.append(syntax["measure"].format(measure_id=measure_id, stratum=stratum_part, counts=counts))
    out.append(syntax["quality_end"])
    if "ia" in sets:
        ms = sets["ia"]
        activities = ", ".join(syntax["activity"].format(a) for a in ia)
        out.append(syntax["ia"].format(start=ms.performance_start, end=ms.performance_end, activities=activities))
    pi_set = next((sets[c] for c in ("pi", "aci") if c in sets), None)
    if pi_set is not None:
        out.append(syntax["pi"].format(start=pi_set.performance_start, end=pi_set.performance_end))
        for measure_id, proportion in pi:
            out.append(syntax["pi_measure"].format(measure_id=measure_id,
                                                value=syntax["proportion"] if proportion else syntax["yes"]))
    return "".join(out)


def _csv(sub, program, notes, rows) -> str:
    quality, ia, pi, sets = rows
    options = [f"--year {sub.performance_year}", f"--entity-type {sub.entity_type}"]
    options += [f"--{key.replace('_', '-')} {value}" for key, value in _ids(sub)]
    if program != "mips":
        options.append(f"--program {program}")
    cehrt = _cehrt(sub)
    if cehrt:
        options.append(f"--cehrt-id {cehrt}")
    usage = ["", "Generate with:", "  qppfiles generate from THIS.csv " + " ".join(options) + " -o submission.json"]
    header = "measureId,stratum," + ",".join(_COUNT_KEYS) + ",numerator,denominator,value\n"
    out = [_comment(notes + usage), header]
    for measure_id, stratum in quality:
        out.append(f"{measure_id},{stratum or ''},0,0,0,0,,,\n")
    for activity in ia:
        out.append(f"{activity},,,,,,,,yes\n")
    for measure_id, proportion in pi:
        out.append(f"{measure_id},,,,,,0,0,\n" if proportion else f"{measure_id},,,,,,,,yes\n")
    return "".join(out)


__all__ = ["FORMATS", "requirements", "template"]
