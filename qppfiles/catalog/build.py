"""Build the per-year catalog files from CMS's qpp-measures-data repository.

    python -m qppfiles.catalog.build [--source DIR] [--out DIR] [--year YEAR ...]

Each ``data/<year>.json`` keeps only the facts that checks and scoring use,
with snake_case keys matching the record fields of ``records.py``. Records
are written one per line, keyed by id, with sorted keys; fields whose value
is null are left out. A new source commit thus gives a small, readable diff.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

FORMAT_VERSION = 2

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = PROJECT_ROOT.parent / "shared" / "cms" / "measures-data"
DEFAULT_OUT = Path(__file__).resolve().parent / "data"

PI_CATEGORIES = ("pi", "aci")

# Source key of a population UUID in a stratum -> population name in the catalog.
POPULATION_KEYS = {
    "initialPopulationUuid": "initialPopulation",
    "denominatorUuid": "denominator",
    "numeratorUuid": "numerator",
    "denominatorExclusionUuid": "denominatorExclusion",
    "denominatorExceptionUuid": "denominatorException",
    "numeratorExclusionUuid": "numeratorExclusion",
}


def _read_json(path: Path):
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


# Source names that are not the camelCase form of the catalog field.
_SOURCE_NAMES = {
    "emeasure_id": "eMeasureId", "emeasure_uuid": "eMeasureUuid", "subcategory": "subcategoryId",
    "quality_ids": "qualityMeasureIds", "ia_ids": "iaMeasureIds", "cost_ids": "costMeasureIds",
    "foundation_pi_ids": "foundationPiMeasureIds", "foundation_quality_ids": "foundationQualityMeasureIds",
    "admin_claims_ids": "administrativeClaimsMeasureIds",
}


def _source_name(field: str) -> str:
    if field in _SOURCE_NAMES:
        return _SOURCE_NAMES[field]
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


def _pick(source: dict, fields: str) -> dict:
    """Copy each catalog field (snake_case names, space-separated) from its source name, dropping nulls."""
    out = {}
    for field in fields.split():
        value = source.get(_source_name(field))
        if value is not None:
            out[field] = value
    return out


def _stratum(raw: dict) -> dict:
    out = _pick(raw, "name")
    uuids = raw.get("eMeasureUuids") or {}
    populations = {POPULATION_KEYS[k]: v for k, v in uuids.items() if k in POPULATION_KEYS}
    unknown = set(uuids) - set(POPULATION_KEYS) - {"strata"}
    if unknown:
        raise ValueError(f"unexpected eMeasureUuids keys: {sorted(unknown)}")
    if populations:
        out["population_uuids"] = populations
    if uuids.get("strata"):
        out["stratification_uuids"] = list(uuids["strata"])
    return out


def quality_record(raw: dict) -> dict:
    record = _pick(
        raw,
        "measure_id title measure_type is_high_priority is_inverse metric_type overall_algorithm "
        "submission_methods allowed_programs emeasure_id emeasure_uuid first_performance_year "
        "last_performance_year is_registry_measure",
    )
    if raw.get("strata"):
        record["strata"] = [_stratum(s) for s in raw["strata"]]
    return record


def ia_record(raw: dict) -> dict:
    return _pick(
        raw,
        "measure_id title weight subcategory allowed_programs first_performance_year last_performance_year",
    )


def pi_record(raw: dict) -> dict:
    record = _pick(
        raw,
        "measure_id title objective is_required is_bonus reporting_category weight exclusion substitutes "
        "metric_type measure_sets allowed_programs first_performance_year last_performance_year category",
    )
    # Older years give a single excluded measure as a bare string.
    if isinstance(record.get("exclusion"), str):
        record["exclusion"] = [record["exclusion"]]
    return record


def cost_record(raw: dict) -> dict:
    return _pick(raw, "measure_id title submission_methods allowed_programs")


def benchmark_record(raw: dict, status: str | None) -> dict:
    record = _pick(
        raw,
        "measure_id submission_method benchmark_year performance_year metric_type is_inverse is_topped_out "
        "is_topped_out_by_program is_high_priority deciles percentiles average_performance_rate",
    )
    if status is not None:
        record["status"] = status
    return record


def mvp_record(raw: dict) -> dict:
    return _pick(
        raw,
        "mvp_id title quality_ids ia_ids cost_ids foundation_pi_ids foundation_quality_ids admin_claims_ids",
    )


def benchmark_statuses(measures: list[dict]) -> dict[tuple[str, str], str]:
    """(measureId, submissionMethod) -> "removed" / "flat", from the measures file.

    The key was ``benchmarks`` in 2021 and ``historic_benchmarks`` from 2022.
    """
    statuses = {}
    for measure in measures:
        marks = measure.get("historic_benchmarks") or measure.get("benchmarks") or {}
        for method, status in marks.items():
            statuses[(measure["measureId"], method)] = status
    return statuses


def benchmark_exclusions(path: Path, year: int) -> list[dict]:
    """Why CMS set no benchmark for a (measure, collection type) pair: the reason codes (BR-022 is a
    suppressed measure) of ``benchmarks/<PY>/benchmark-exclusion-reasons.json``, when the year has one."""
    if not path.is_file():
        return []
    out = [{"measure_id": raw["measureId"], "submission_method": raw["submissionMethod"],
            "reason_codes": list(raw.get("reasonCodes") or ())}
           for raw in _read_json(path) if raw.get("performanceYear", year) == year]
    return sorted(out, key=lambda r: (r["measure_id"], r["submission_method"]))


def source_commit(source: Path) -> str | None:
    path = source / "SOURCE_COMMIT"
    if not path.is_file():
        return None
    tokens = path.read_text(encoding="utf-8").split()
    return tokens[0] if tokens else None


def source_years(source: Path) -> list[int]:
    return sorted(
        int(p.name) for p in (source / "measures").iterdir()
        if p.name.isdigit() and (p / "measures-data.json").is_file()
    )


def build_year(source: Path, year: int) -> dict:
    """Return the catalog of one performance year as plain data."""
    measures = _read_json(source / "measures" / str(year) / "measures-data.json")
    by_category: dict[str, list[dict]] = {}
    for measure in measures:
        by_category.setdefault(measure["category"], []).append(measure)
    pi_categories = [c for c in PI_CATEGORIES if c in by_category]
    if len(pi_categories) != 1:
        raise ValueError(f"{year}: expected one PI category, found {pi_categories}")
    pi_category = pi_categories[0]

    def records(category, make):
        return sorted((make(m) for m in by_category.get(category, [])), key=lambda r: r["measure_id"])

    benchmarks = []
    benchmarks_path = source / "benchmarks" / f"{year}.json"
    if benchmarks_path.is_file():
        statuses = benchmark_statuses(measures)
        benchmarks = sorted(
            (benchmark_record(b, statuses.get((b["measureId"], b["submissionMethod"])))
             for b in _read_json(benchmarks_path)),
            key=lambda r: (r["measure_id"], r["submission_method"]),
        )

    exclusions = benchmark_exclusions(source / "benchmarks" / str(year) / "benchmark-exclusion-reasons.json", year)

    mvps = []
    mvp_path = source / "mvp" / str(year) / "mvp.json"
    if mvp_path.is_file():
        mvps = sorted((mvp_record(m) for m in _read_json(mvp_path)), key=lambda r: r["mvp_id"])

    return {
        "format": FORMAT_VERSION,
        "year": year,
        "source_commit": source_commit(source),
        "pi_category": pi_category,
        "quality": records("quality", quality_record),
        "ia": records("ia", ia_record),
        "pi": records(pi_category, pi_record),
        "cost": records("cost", cost_record),
        "benchmarks": benchmarks,
        "mvps": mvps,
        "benchmark_exclusions": exclusions,
    }


HEADER_KEYS = ("format", "year", "source_commit", "pi_category")
SECTION_KEYS = ("quality", "ia", "pi", "cost", "benchmarks", "mvps", "benchmark_exclusions")


def _dump(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _keyed(catalog: dict, section: str) -> dict[str, Any]:
    """Records of a section keyed by their id (the id is not repeated inside)."""
    if section in ("benchmarks", "benchmark_exclusions"):
        keyed: dict[str, list] = {}
        for record in catalog[section]:
            record = dict(record)
            keyed.setdefault(record.pop("measure_id"), []).append(record)
        return keyed
    id_key = "mvp_id" if section == "mvps" else "measure_id"
    keyed = {}
    records: dict[str, dict] = {}
    for record in catalog[section]:
        record = dict(record)
        records[record.pop(id_key)] = record
    return records
    return keyed


def render(catalog: dict) -> str:
    """Serialise one year as a JSON object with one record per line.

    Each section is an object keyed by measure id, opened and closed on lines
    of their own, so the loader can index records without parsing them.
    """
    lines = ["{"]
    lines.extend(f"{_dump(key)}:{_dump(catalog[key])}," for key in HEADER_KEYS)
    for index, section in enumerate(SECTION_KEYS):
        keyed = _keyed(catalog, section)
        lines.append(f"{_dump(section)}:{{")
        last = len(keyed) - 1
        for position, (key, record) in enumerate(sorted(keyed.items())):
            # The loader finds an id as the text between the first two quotes.
            if _dump(key) != f'"{key}"':
                raise ValueError(f"{catalog['year']}: unexpected {section} id {key!r}")
            lines.append(f'"{key}":{_dump(record)}' + ("," if position < last else ""))
        lines.append("}" if index == len(SECTION_KEYS) - 1 else "},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def build(source: Path, out: Path, years: list[int] | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for year in years or source_years(source):
        path = out / f"{year}.json"
        path.write_text(render(build_year(source, year)), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qppfiles.catalog.build", description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="qpp-measures-data checkout")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for <year>.json files")
    parser.add_argument("--year", type=int, action="append", help="build only this year (repeatable)")
    args = parser.parse_args(argv)
    if not (args.source / "measures").is_dir():
        parser.error(f"no measures/ directory in {args.source}")
    for path in build(args.source, args.out, args.year):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
