"""The job's SQLite history: migrations, stored audits that rebuild exactly, and when an audit is reused."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

import gapcheck.job.fingerprint as fingerprint
import gapcheck.job.runner as runner
from gapcheck.audit import audit_document
from gapcheck.checklist import bundled_dir, resolve_checklists
from gapcheck.ingest import document_from_bytes
from gapcheck.job.config import load_config
from gapcheck.job.history import MIGRATIONS, History, HistoryError
from gapcheck.job.serialize import audit_from_dict, audit_to_record
from gapcheck.models import Review
from gapcheck.render.json_report import audit_to_dict
from jobkit import POLICIES, audit_calls, latest_summary, run, write_job  # noqa: F401 (a fixture)


def _audit(text: str = POLICIES["charlie"]):
    document = document_from_bytes("policies/charlie.txt", text.encode(), "charlie")
    audited_at = datetime(2026, 11, 23, tzinfo=timezone.utc)
    return document, audit_document(document, resolve_checklists(["gdpr"]), audited_at)


def test_a_new_database_is_created_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "history.sqlite"
    with History.open(path) as history:
        assert history.schema_version() == len(MIGRATIONS)
    with History.open(path) as history:  # opening again applies nothing twice
        assert history.schema_version() == len(MIGRATIONS)
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"schema_version", "runs", "policy_versions", "audits", "run_providers", "findings", "scores", "flags",
            "reviews"} <= tables


def test_a_database_from_a_newer_gapcheck_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    History.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS) + 1,))
    with pytest.raises(HistoryError, match="newer gapcheck"):
        History.open(path)


def test_a_file_that_is_not_a_database_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]})
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "gapcheck.sqlite").write_text("not sqlite at all " * 100, encoding="utf-8")
    assert run(config) == 2
    assert "not a usable gapcheck history database" in capsys.readouterr().err


def test_stored_audits_rebuild_exactly(tmp_path: Path) -> None:
    document, audit = _audit()
    assert audit_from_dict(json.loads(json.dumps(audit_to_record(audit))), audit.text) == audit
    with History.open(tmp_path / "h.sqlite") as history:
        audit_id = history.store_audit(document, "", "key-1", audit)
        stored = history.find_audit("charlie", audit.sha256, "key-1")
        assert stored is not None and stored.id == audit_id and stored.audit == audit
        assert history.find_audit("charlie", audit.sha256, "key-2") is None
        raw, text = history.connection.execute("SELECT raw, text FROM policy_versions").fetchone()
    assert raw == document.raw and text == document.text


def test_a_json_report_with_reviews_rebuilds_too() -> None:
    _, audit = _audit()
    first = audit.checklists[0]
    reviewed = replace(first.findings[0], review=Review("Confirmed", "n", "r", "2026-11-23", False))
    audit = replace(audit, checklists=(replace(first, findings=(reviewed, *first.findings[1:])),))
    rebuilt = audit_from_dict(audit_to_dict(audit), audit.text)
    assert rebuilt.checklists[0].findings[0].review == reviewed.review
    assert [f.requirement for f in rebuilt.checklists[0].findings] == [f.requirement for f in first.findings]
    assert all(f.weight > 0 for f in rebuilt.checklists[0].findings)


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.sqlite") as history:
        with pytest.raises(RuntimeError):
            with history.transaction() as db:
                db.execute("INSERT INTO runs (id, started_at, config, gapcheck_version, engine_key, out_dir) "
                           "VALUES ('r', 'now', 'c', 'v', 'k', 'o')")
                raise RuntimeError("disk full")
        assert history.connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0


def test_each_run_records_scores_findings_and_flags(tmp_path: Path) -> None:
    config = write_job(tmp_path, {"delta": POLICIES["delta"]})
    assert run(config) == 0
    assert run(config) == 0
    summary = latest_summary(config)
    with sqlite3.connect(tmp_path / "reports" / "gapcheck.sqlite") as db:
        runs = db.execute("SELECT id, exit_code, finished_at IS NOT NULL FROM runs ORDER BY id").fetchall()
        assert [r[1:] for r in runs] == [(0, 1), (0, 1)] and runs[-1][0] == summary["run_id"]
        assert db.execute("SELECT COUNT(*) FROM audits").fetchone()[0] == 1
        assert db.execute("SELECT COUNT(DISTINCT audit_id) FROM run_providers").fetchone()[0] == 1
        score = db.execute("SELECT score FROM scores WHERE run_id = ?", (summary["run_id"],)).fetchone()[0]
        statuses = dict(db.execute("SELECT requirement, status FROM findings WHERE run_id = ?",
                                   (summary["run_id"],)).fetchall())
        flags = {r[0] for r in db.execute("SELECT flag FROM flags WHERE run_id = ?", (summary["run_id"],))}
        stored_summary = json.loads(db.execute("SELECT summary FROM runs WHERE id = ?",
                                               (summary["run_id"],)).fetchone()[0])
    assert score == summary["providers"][0]["scores"]["gdpr"]["score"]
    assert statuses["gdpr.policy_changes"] == "conflict"
    assert flags  # "change this policy at any time without notice" raises a flag
    assert stored_summary == summary


def test_a_changed_checklist_version_re_audits_everything(tmp_path: Path, audit_calls: list[str]) -> None:
    checklist = tmp_path / "mine.yaml"
    shutil.copy(bundled_dir() / "gdpr.yaml", checklist)
    config = write_job(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace('checklists = ["gdpr"]', 'checklists = ["mine.yaml"]'),
                      encoding="utf-8")
    assert run(config) == 0 and len(audit_calls) == 5
    audit_calls.clear()
    assert run(config) == 0 and audit_calls == []
    text = checklist.read_text(encoding="utf-8")
    version = next(line for line in text.splitlines() if line.strip().startswith("version:"))
    checklist.write_text(text.replace(version, '  version: "0.0-test"', 1), encoding="utf-8")
    assert run(config) == 0 and len(audit_calls) == 5
    assert {p["change"] for p in latest_summary(config)["providers"]} == {"unchanged"}  # the policies did not change
    assert all(p["reaudited"] for p in latest_summary(config)["providers"])


def test_another_gapcheck_version_re_audits(tmp_path: Path, audit_calls: list[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]})
    assert run(config) == 0 and audit_calls == ["alpha"]
    monkeypatch.setattr(fingerprint, "__version__", "99.0.0")
    assert run(config) == 0 and audit_calls == ["alpha", "alpha"]


def test_a_policy_that_changes_back_reuses_its_earlier_audit(tmp_path: Path, audit_calls: list[str]) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]})
    policy = tmp_path / "policies" / "alpha.txt"
    assert run(config) == 0
    policy.write_text(POLICIES["alpha"] + "We never sell your data.\n", encoding="utf-8")
    assert run(config) == 0
    policy.write_text(POLICIES["alpha"], encoding="utf-8")
    assert run(config) == 0
    assert audit_calls == ["alpha", "alpha"]
    assert latest_summary(config)["providers"][0]["change"] == "changed"


def test_an_interrupted_run_is_not_a_baseline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]})
    assert run(config) == 0

    def broken(*args: object, **kwargs: object) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "summary_html", broken)
    (tmp_path / "policies" / "alpha.txt").write_text(POLICIES["alpha"] + "We never sell your data.\n",
                                                     encoding="utf-8")
    first = latest_summary(config)["run_id"]
    with pytest.raises(KeyboardInterrupt):
        runner.run_job(load_config(config))
    reports = tmp_path / "reports"
    assert [p.name for p in reports.iterdir() if p.is_dir() and not p.is_symlink()] == [first]  # no half-made folder
    monkeypatch.undo()
    assert run(config) == 0
    entry = latest_summary(config)["providers"][0]
    assert entry["change"] == "changed"  # compared with the last finished run, not the interrupted one


def test_a_stored_audit_goes_stale_when_its_dates_would_be_judged_differently(
        tmp_path: Path, audit_calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from gapcheck.job.fingerprint import dates_still_hold

    text = POLICIES["bravo"] + "Last updated: January 5, 2025.\n"
    config = write_job(tmp_path, {"bravo": text})
    config.write_text(config.read_text(encoding="utf-8").replace('["gdpr"]', '["ccpa"]'), encoding="utf-8")

    def at(day: str) -> None:
        monkeypatch.setattr(runner, "_now", lambda: datetime.fromisoformat(day + "T02:30:00+00:00"))

    at("2025-06-01")
    assert run(config) == 0 and audit_calls == ["bravo"]
    assert "flag.stale_date" not in latest_summary(config)["providers"][0]["new_flags"]
    at("2025-06-05")  # still before any "N months" cutoff passes January 5 (re-checked at most monthly)
    assert run(config) == 0 and audit_calls == ["bravo"]
    at("2026-02-01")  # more than 12 months after the last update
    assert run(config) == 0 and audit_calls == ["bravo", "bravo"]
    entry = latest_summary(config)["providers"][0]
    assert entry["change"] == "unchanged" and "flag.stale_date" in entry["new_flags"]
    assert dates_still_hold(text, datetime(2025, 6, 1).date(), datetime(2025, 6, 4).date())
    assert not dates_still_hold("Effective 1 July 2025.", datetime(2025, 6, 1).date(), datetime(2025, 7, 2).date())
    assert dates_still_hold("No dates at all.", datetime(2020, 1, 1).date(), datetime(2026, 1, 1).date())
