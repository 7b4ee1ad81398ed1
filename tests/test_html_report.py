"""The HTML score card: self-contained, and rendered by headless Chromium when it is installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from qppfiles.formats.qpp_json import read
from qppfiles.report.html import render_html
from qppfiles.scoring import score_submission

CHROMIUM = "/usr/bin/chromium"


def _card():
    doc = {"performanceYear": 2024, "entityType": "individual", "measurementSets": [
        {"category": "quality", "submissionMethod": "registry", "measurements": [
            {"measureId": "236", "value": {"performanceMet": 70, "performanceNotMet": 30, "eligiblePopulation": 100}},
            {"measureId": "001", "value": {"performanceMet": 15, "performanceNotMet": 85, "eligiblePopulation": 100}},
            {"measureId": "134", "value": {"performanceMet": 50, "performanceNotMet": 10, "eligiblePopulation": 100}},
            {"measureId": "<script>", "value": {"performanceMet": 1, "performanceNotMet": 1, "eligiblePopulation": 2}}]},
        {"category": "ia", "measurements": [{"measureId": "IA_BMH_7", "value": True}]}]}
    return score_submission(read(json.dumps(doc).encode()).submission)


def test_page_is_self_contained_and_escaped():
    page = render_html(_card())
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "<svg" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<script>" not in page and "&lt;script&gt;" in page
    assert "decile 9" in page and "threshold 75" in page


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="/usr/bin/chromium is not installed")
def test_renders_in_headless_chromium(tmp_path):
    page = tmp_path / "card.html"
    page.write_text(render_html(_card()), encoding="utf-8")
    png = tmp_path / "card.png"
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}"]
    try:
        subprocess.run(base + [f"--screenshot={png}", "--window-size=1000,1400", page.as_uri()],
                       capture_output=True, timeout=60, check=False)
        dom = subprocess.run(base + ["--dump-dom", page.as_uri()], capture_output=True, timeout=60, check=False,
                             text=True).stdout
    finally:
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)
    assert png.exists() and png.stat().st_size > 5000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'id="final-score"' in dom and "What would raise the score most" in dom
    assert "Promoting Interoperability" in dom and "decile 9" in dom
