"""The HTML score report in a real browser: headless Chromium at desktop and phone widths, and printed.

For each bundled submission fixture the page must load with no console error, no element may stick out
of the viewport (no sideways scrolling at 375 px), and the numbers on the page must be the JSON score's.
When a check fails, a screenshot of the page is kept in the test's temporary folder to look at.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from qppfiles.cli import main

from .browser import OVERFLOW_CHECK
from .browser import Browser
from .browser import find_chromium
from .browser import pdf_pages
from .conftest import FIXTURES

SUBMISSIONS = sorted(p for p in FIXTURES.glob("20*/*.json"))
WIDTHS = (1280, 375)


def _n(value, digits=4) -> str:
    text = f"{float(value):.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = find_chromium()
    if executable is None:
        if os.environ.get("QPPFILES_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (QPPFILES_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("headless Chromium is not installed (Debian package chromium; .ci/run installs it)")
    chrome = Browser(executable, tmp_path_factory.mktemp("chromium"))
    yield chrome
    chrome.close()


def score(path: Path, *args: str):
    result = CliRunner().invoke(main, ["score", str(path), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def render(path: Path, folder: Path, *args: str) -> tuple[dict, Path]:
    report = json.loads(score(path, "--format", "json", *args))
    page = folder / f"{path.parent.name}-{path.stem}.html"
    score(path, "--format", "html", "-o", str(page), "--force", *args)
    return report, page


def page_numbers(browser: Browser) -> dict:
    return browser.evaluate("""(() => ({
      final: document.querySelector('#final-score').textContent.trim(),
      adjustment: document.querySelector('#adjustment').textContent.trim(),
      status: document.querySelector('#validity').dataset.status,
      categories: Object.fromEntries([...document.querySelectorAll('[data-category]')].map(
          row => [row.dataset.category, [row.querySelector('.score').textContent.trim(),
                                         row.querySelector('.weighted').textContent.trim()]])),
      measures: Object.fromEntries([...document.querySelectorAll('[data-measure]')].map(
          row => [row.dataset.measure, row.querySelector('[data-points]').dataset.points])),
      suggestions: [...document.querySelectorAll('#suggestions li')].map(li => li.textContent.trim()),
    }))()""")


def expected_numbers(report: dict) -> dict:
    return {
        "final": _n(report["finalScore"]),
        "adjustment": (f"{_n(report['adjustment']['min'], 2)}%"
                       if report["adjustment"]["min"] == report["adjustment"]["max"]
                       else f"{_n(report['adjustment']['min'], 2)}% to {_n(report['adjustment']['max'], 2)}%"),
        "status": report["validity"]["status"],
        "categories": {name: ["reweighted" if c["reweighted"] else f"{_n(c['score'], 2)}%", _n(c["weighted"])]
                       for name, c in report["categories"].items()},
        "measures": {f"{m['category']}/{m['measureId']}": _n(m["points"]) for m in report["measures"]},
        "suggestions": [s["text"] for s in report["suggestions"]],
    }


def check_page(browser: Browser, report: dict, page: Path, shots: Path) -> None:
    """Load the page at each width and check it; on a failure the screenshot is kept beside the page."""
    for width in WIDTHS:
        browser.open(page, width)
        try:
            assert browser.errors() == [], (page.name, width)
            assert browser.evaluate(OVERFLOW_CHECK) == [], (page.name, width)
            assert page_numbers(browser) == expected_numbers(report), (page.name, width)
        except AssertionError:
            browser.screenshot(shots / f"{page.stem}-{width}.png")
            raise


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_fixture_report_loads_fits_and_shows_the_json_numbers(browser, path, tmp_path):
    report, page = render(path, tmp_path)
    check_page(browser, report, page, tmp_path)


def test_a_rejected_file_shows_the_banner_and_links_findings_to_measures(browser, tmp_path):
    doc = json.loads((FIXTURES / "2024" / "individual-traditional.json").read_text())
    quality = next(ms for ms in doc["measurementSets"] if ms["category"] == "quality")
    quality["measurements"][0]["value"]["performanceMet"] = -5
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc, indent=2))
    report, page = render(broken, tmp_path)
    assert report["validity"]["errors"] > 0 and report["validity"]["status"] in ("rejected", "points")
    check_page(browser, report, page, tmp_path)
    browser.open(page, 1280)
    measure = quality["measurements"][0]["measureId"]
    links = browser.evaluate("[...document.querySelectorAll('#validity a')].map(a => a.getAttribute('href'))")
    assert f"#measure-quality-{measure}" in links
    assert browser.evaluate(f"!!document.getElementById('measure-quality-{measure}')")


def test_prior_quality_draws_the_improvement(browser, tmp_path):
    path = FIXTURES / "2024" / "group-traditional.json"
    report, page = render(path, tmp_path, "--prior-quality", "40", "--cost", "55")
    check_page(browser, report, page, tmp_path)
    assert browser.evaluate("!!document.querySelector('#improvement svg')")


def test_phone_width_of_360_has_no_sideways_scroll(browser, tmp_path):
    report, page = render(FIXTURES / "2024" / "subgroup-mvp.json", tmp_path)
    browser.open(page, 360)
    browser.screenshot(tmp_path / "subgroup-360.png")
    assert (tmp_path / "subgroup-360.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert browser.evaluate(OVERFLOW_CHECK) == []


def test_a_six_measure_submission_prints_on_one_a4_page(browser, tmp_path):
    report, page = render(FIXTURES / "2024" / "group-traditional.json", tmp_path)
    assert len([m for m in report["measures"] if m["category"] == "quality"]) == 6
    browser.open(page, 1280)
    pdf = browser.pdf()
    (tmp_path / "group-traditional.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) == 1
