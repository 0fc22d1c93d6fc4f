"""The command line: the JSON report contract over the seeds, exit codes and error lines."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import REQUIRED_IDS, SEEDS

from gapcheck import __version__
from gapcheck.checklist import resolve_checklist
from gapcheck.cli import main
from gapcheck.models import STATUSES

WEAK_POLICY = "Privacy Policy\n\nWe collect your email address when you sign up for the newsletter.\n"
SEED_NAMES = sorted(p.stem for p in SEEDS.glob("*.txt"))


def audit(*args: str) -> int:
    return main(["audit", *args, "--as-of", "2026-11-23"])


@pytest.fixture(scope="module")
def seed_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The JSON reports of `gapcheck audit seeds/` (worker processes, as by default)."""
    out = tmp_path_factory.mktemp("reports")
    assert audit(str(SEEDS), "--out", str(out)) == 0
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(out.glob("*.json"))}


def evidence_items(report: dict[str, Any]) -> list[dict[str, Any]]:
    items = [e for c in report["checklists"] for f in c["findings"] for e in f["evidence"]]
    return items + [e for flag in report["flags"] for e in flag["evidence"]]


def test_one_report_per_seed(seed_reports: dict[str, dict[str, Any]]) -> None:
    assert sorted(seed_reports) == SEED_NAMES == ["cloudpockets", "cube-connect", "cubeocean-cloud", "easycloud",
                                                  "jexcloud"]


@pytest.mark.parametrize("seed", SEED_NAMES)
def test_report_contract(seed_reports: dict[str, dict[str, Any]], seed: str) -> None:
    report = seed_reports[seed]
    path = SEEDS / f"{seed}.txt"
    assert {"provider", "source", "sha256", "audited_at", "gapcheck_version", "checklists", "flags"} <= set(report)
    assert report["provider"] == seed
    assert Path(report["source"]) == path
    assert report["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report["audited_at"] == "2026-11-23T00:00:00+00:00"
    assert report["gapcheck_version"] == __version__
    assert sorted(c["id"] for c in report["checklists"]) == sorted(REQUIRED_IDS)
    for checklist in report["checklists"]:
        assert checklist["version"] == resolve_checklist(checklist["id"]).version
        assert isinstance(checklist["score"], (int, float)) and 0 <= checklist["score"] <= 100
        ids = [f["requirement"] for f in checklist["findings"]]
        assert set(REQUIRED_IDS[checklist["id"]]) <= set(ids) and len(ids) == len(set(ids))
        for finding in checklist["findings"]:
            assert {"requirement", "title", "citation", "status", "rationale", "evidence"} <= set(finding)
            assert finding["title"] and finding["citation"] and finding["rationale"]
            assert finding["status"] in STATUSES
            if finding["status"] in ("met", "partial", "conflict"):
                assert finding["evidence"], finding["requirement"]
            if finding["status"] == "missing":
                assert finding["rationale"].startswith("Missing")
                assert finding["looked_for"] and finding["looked_for"] in finding["rationale"]
    for flag in report["flags"]:
        assert {"id", "title", "severity", "citation", "evidence"} <= set(flag)
        assert flag["id"].startswith("flag.") and flag["severity"] in ("high", "medium", "low")
        assert flag["title"] and flag["citation"] and flag["evidence"]


@pytest.mark.parametrize("seed", SEED_NAMES)
def test_evidence_quotes_the_file_exactly(seed_reports: dict[str, dict[str, Any]], seed: str) -> None:
    file_text = (SEEDS / f"{seed}.txt").read_bytes().decode("utf-8")
    items = evidence_items(seed_reports[seed])
    assert items
    for item in items:
        assert {"text", "start", "end", "section"} <= set(item)
        assert item["text"] == file_text[item["start"]:item["end"]]
        assert item["section"] is None or isinstance(item["section"], str)


def test_missing_source_exits_3_and_the_others_are_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out"
    code = audit(str(SEEDS / "cloudpockets.txt"), str(missing), str(SEEDS / "jexcloud.txt"), "--out", str(out))
    assert code == 3
    assert sorted(p.name for p in out.iterdir()) == ["cloudpockets.json", "jexcloud.json"]
    err = capsys.readouterr().err
    assert f"{missing}: no such file" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_broken_checklist_exits_2_naming_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("checklist:\n  id: bad\n\ttitle: Bad\nrequirements: []\n", encoding="utf-8")
    out = tmp_path / "out"
    assert audit(str(SEEDS / "jexcloud.txt"), "--checklist", str(bad), "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3: YAML syntax error" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["--fail-under", "101"], "--fail-under"),
    (["--fail-under", "-1"], "--fail-under"),
    (["--as-of", "23/11/2026"], "YYYY-MM-DD"),
    (["--format", "docx"], "--format"),
    (["--checklist", "hipaa"], "no bundled checklist of that name"),
])
def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                             message: str) -> None:
    assert main(["audit", str(SEEDS / "jexcloud.txt"), "--out", str(tmp_path / "out"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_fail_under(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "weak.txt"
    policy.write_text(WEAK_POLICY, encoding="utf-8")
    out = tmp_path / "out"
    assert audit(str(policy), "--out", str(out), "--fail-under", "99", "--jobs", "1") == 1
    assert "1 provider(s) scored below 99" in capsys.readouterr().err
    assert (out / "weak.json").exists()  # the report is written all the same
    assert audit(str(policy), "--out", str(out), "--fail-under", "0", "--jobs", "1") == 0


def test_same_stem_does_not_overwrite(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(WEAK_POLICY, encoding="utf-8")
    (tmp_path / "a.html").write_text(f"<html><body><h1>Privacy Policy</h1><p>{WEAK_POLICY.splitlines()[-1]}</p>"
                                     "</body></html>", encoding="utf-8")
    out = tmp_path / "out"
    assert audit(str(tmp_path), "--out", str(out), "--jobs", "1") == 0
    reports = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")}
    assert sorted(reports) == ["a-2.json", "a.json"]
    assert {r["source"] for r in reports.values()} == {str(tmp_path / "a.html"), str(tmp_path / "a.txt")}
    assert reports["a.json"]["provider"] == "a" and reports["a-2.json"]["provider"] == "a-2"


def test_checklists_command_lists_both_with_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklists"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.strip()}
    assert {"gdpr", "ccpa"} <= set(lines)
    for name in ("gdpr", "ccpa"):
        checklist = resolve_checklist(name)
        words = lines[name].split()
        assert words[1:5] == [str(len(checklist.requirements)), "requirements", str(len(checklist.flags)), "flags"]
        assert f"v{checklist.version}" in words


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"gapcheck, version {__version__}"
