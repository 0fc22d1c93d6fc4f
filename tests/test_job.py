"""`gapcheck run`: a portfolio re-audited run after run, with change tracking, exit codes, lock and webhook."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

import gapcheck.job.runner as runner
from gapcheck.job.config import load_config
from gapcheck.job.history import History
from gapcheck.job.lock import database_lock
from gapcheck.render import RENDERERS
from jobkit import (COMPLAINT, POLICIES, add_provider, audit_calls, by_provider, latest_summary, report,  # noqa: F401
                    run, write_job)

PROJECT = Path(__file__).resolve().parent.parent


def test_four_runs_track_new_unchanged_changed_and_error(tmp_path: Path, audit_calls: list[str]) -> None:
    config = write_job(tmp_path)

    assert run(config) == 0
    first = latest_summary(config)
    assert {p["provider"]: p["change"] for p in first["providers"]} == dict.fromkeys(POLICIES, "new")
    assert sorted(audit_calls) == sorted(POLICIES)
    assert all(p["new_gaps"] == [] and p["scores"]["gdpr"]["previous"] is None for p in first["providers"])

    audit_calls.clear()
    assert run(config) == 0
    second = latest_summary(config)
    assert second["run_id"] > first["run_id"]
    assert {p["provider"]: p["change"] for p in second["providers"]} == dict.fromkeys(POLICIES, "unchanged")
    assert audit_calls == [] and second["audited"] == 0  # every audit came from the history
    for entry in second["providers"]:
        assert entry["scores"]["gdpr"]["change"] == 0
        assert entry["new_gaps"] == entry["resolved_gaps"] == []
        assert (config.parent / "reports" / second["run_id"] / entry["reports"]["json"]).is_file()

    policy = tmp_path / "policies" / "bravo.txt"
    policy.write_text(POLICIES["bravo"] + COMPLAINT + "\n", encoding="utf-8")
    audit_calls.clear()
    assert run(config) == 0
    third = by_provider(latest_summary(config))
    assert audit_calls == ["bravo"]
    assert third["bravo"]["change"] == "changed"
    assert "gdpr.complaint" in third["bravo"]["resolved_gaps"]
    assert third["bravo"]["scores"]["gdpr"]["change"] > 0
    assert third["bravo"]["sentences_added"] == [COMPLAINT] and third["bravo"]["sentences_removed"] == []
    assert all(third[name]["change"] == "unchanged" for name in POLICIES if name != "bravo")
    assert report(config, "bravo")["sha256"] == third["bravo"]["sha256"]

    add_provider(config, "foxtrot", "policies/missing.txt")
    audit_calls.clear()
    assert run(config) == 3
    fourth = latest_summary(config)
    entries = by_provider(fourth)
    assert entries["foxtrot"]["change"] == "error" and entries["foxtrot"]["error"] == "no such file"
    assert entries["foxtrot"]["scores"] == {}
    assert [p["change"] for p in fourth["providers"][:5]] == ["unchanged"] * 5
    assert fourth["counts"] == {"new": 0, "changed": 0, "unchanged": 5, "error": 1}
    assert audit_calls == []


def test_unchanged_run_copies_reports_instead_of_rendering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[str] = []
    suffix, render_json = RENDERERS["json"]

    def counting(audit):
        rendered.append(audit.provider)
        return render_json(audit)

    monkeypatch.setitem(RENDERERS, "json", (suffix, counting))
    config = write_job(tmp_path)
    assert run(config) == 0
    first = latest_summary(config)
    assert len(rendered) == len(POLICIES)
    rendered.clear()
    assert run(config) == 0
    second = latest_summary(config)
    assert rendered == []
    for name in POLICIES:
        old = config.parent / "reports" / first["run_id"] / "providers" / f"{name}.json"
        new = config.parent / "reports" / second["run_id"] / "providers" / f"{name}.json"
        assert new.read_bytes() == old.read_bytes()


def test_run_keeps_the_audited_bytes_and_writes_an_escaped_html_summary(tmp_path: Path) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]})
    assert run(config) == 0
    hostile = "Our partner <script>alert(1)</script> receives your email address for marketing."
    (tmp_path / "policies" / "alpha.txt").write_text(POLICIES["alpha"] + hostile + "\n", encoding="utf-8")
    assert run(config) == 0
    summary = latest_summary(config)
    run_dir = config.parent / "reports" / summary["run_id"]
    assert by_provider(summary)["alpha"]["sentences_added"] == [hostile]
    page = (run_dir / "summary.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    kept = run_dir / by_provider(summary)["alpha"]["policy"]
    assert kept.read_bytes() == (tmp_path / "policies" / "alpha.txt").read_bytes()


def test_a_run_failing_while_writing_reports_leaves_no_run_folder(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"], "bravo": POLICIES["bravo"]}, formats=("json", "html"))
    reports = tmp_path / "reports"
    real, calls = runner.write_provider_reports, []

    def failing_after_one(*args: Any, **kwargs: Any) -> dict[str, str]:
        calls.append(real(*args, **kwargs))
        if len(calls) == 2:
            raise KeyboardInterrupt  # as if stopped half-way through the second provider
        return calls[-1]

    monkeypatch.setattr(runner, "write_provider_reports", failing_after_one)
    with pytest.raises(KeyboardInterrupt):
        runner.run_job(load_config(config))
    monkeypatch.undo()
    assert [p.name for p in reports.iterdir() if p.is_dir()] == []  # no run folder, whole or partial
    assert run(config) == 0
    summary = latest_summary(config)
    assert [p.name for p in reports.iterdir() if p.is_dir() and not p.is_symlink()] == [summary["run_id"]]
    assert {p["provider"]: p["change"] for p in summary["providers"]} == {"alpha": "new", "bravo": "new"}


def test_a_killed_runs_partial_folder_is_removed_by_the_next_run(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]})
    reports = tmp_path / "reports"
    assert run(config) == 0
    first = latest_summary(config)["run_id"]
    with History.open(reports / "gapcheck.sqlite") as history:  # what a run killed after its first report leaves
        history.start_run("20260101T000000Z", "2026-01-01T00:00:00+00:00", str(config), "0", "k",
                          reports / "20260101T000000Z")
    killed, foreign = reports / ".20260101T000000Z.partial", reports / ".20250101T000000Z.partial"
    for folder in (killed, foreign):  # foreign: a run of another job sharing the folder, unknown to this history
        (folder / "providers").mkdir(parents=True)
        (folder / "providers" / "alpha.json").write_text("{", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="gapcheck"):
        assert run(config) == 0
    second = latest_summary(config)
    assert not killed.exists() and foreign.is_dir()
    assert sorted(p.name for p in reports.iterdir() if p.is_dir() and not p.is_symlink()) \
        == sorted([first, second["run_id"], foreign.name])
    assert [r.getMessage() for r in caplog.records if "unfinished" in r.getMessage()] == [
        f"removed 1 unfinished run folder(s) left by interrupted runs in {reports}: {killed.name}"]
    assert second["providers"][0]["change"] == "unchanged"


def test_console_lines_name_every_provider(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"], "bravo": POLICIES["bravo"]})
    from gapcheck.cli import main

    assert main(["run", "--config", str(config)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].startswith("run ") and "2 new" in captured.out
    assert any(line.split()[:2] == ["alpha", "new"] for line in captured.out.splitlines())
    assert "INFO" in captured.err  # timestamped log lines go to stderr


def test_fail_under_exits_1(tmp_path: Path) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]}, extra_job="fail_under = 90")
    assert run(config) == 1
    assert latest_summary(config)["below_fail_under"] == ["alpha"]


def test_fail_on_new_gaps_exits_1_when_a_gap_appears(tmp_path: Path) -> None:
    text = POLICIES["alpha"] + COMPLAINT + "\n"
    config = write_job(tmp_path, {"alpha": text}, extra_job="fail_on_new_gaps = true")
    assert run(config) == 0
    assert run(config) == 0
    (tmp_path / "policies" / "alpha.txt").write_text(POLICIES["alpha"], encoding="utf-8")
    assert run(config) == 1
    entry = by_provider(latest_summary(config))["alpha"]
    assert "gdpr.complaint" in entry["new_gaps"] and entry["sentences_removed"] == [COMPLAINT]


def test_error_outranks_thresholds(tmp_path: Path) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]}, extra_job="fail_under = 90",
                       providers={"empty": "policies/empty.txt"})
    (tmp_path / "policies" / "empty.txt").write_text("\n", encoding="utf-8")
    assert run(config) == 3
    assert by_provider(latest_summary(config))["empty"]["error"] == "the file is empty"


class _Catcher(BaseHTTPRequestHandler):
    received: list[tuple[str, dict]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> tuple[str, list]:
    _Catcher.received = []
    server = HTTPServer(("127.0.0.1", 0), _Catcher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Catcher.received
    server.shutdown()
    server.server_close()


def test_webhook_receives_the_summary(tmp_path: Path, webhook: tuple[str, list]) -> None:
    url, received = webhook
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]}, extra=f'[notify]\nwebhook = "{url}"\ntimeout = 5\n')
    assert run(config) == 0
    assert len(received) == 1
    content_type, body = received[0]
    assert content_type.startswith("application/json")
    assert body == latest_summary(config)


def test_failing_webhook_is_logged_not_fatal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]},
                       extra=f'[notify]\nwebhook = "http://127.0.0.1:{port}/hook"\ntimeout = 2\n')
    assert run(config) == 0
    assert any("webhook" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


def test_second_run_on_a_locked_database_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]})
    with database_lock(load_config(config).database):
        assert run(config) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another gapcheck run" in err[0] and "gapcheck.sqlite" in err[0]
    assert not (tmp_path / "reports" / "latest").exists()
    assert run(config) == 0  # the lock went with its holder


class _Policy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/old":
            self.send_response(301)
            self.send_header("Location", "/privacy")
            self.end_headers()
            return
        body = f"<html><body><h1>Privacy</h1><p>{POLICIES['echo']}</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_url_source_is_fetched_following_redirects_and_its_bytes_kept(tmp_path: Path) -> None:
    import sqlite3

    server = HTTPServer(("127.0.0.1", 0), _Policy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/old"
        config = write_job(tmp_path, {}, providers={"web": url})
        assert run(config) == 0
        assert run(config) == 0
    finally:
        server.shutdown()
        server.server_close()
    entry = by_provider(latest_summary(config))["web"]
    assert entry["change"] == "unchanged" and entry["source"] == url
    kept = (tmp_path / "reports" / "latest" / entry["policy"]).read_bytes()
    assert kept.startswith(b"<html>") and entry["policy"].endswith(".html")
    with sqlite3.connect(tmp_path / "reports" / "gapcheck.sqlite") as db:
        raw, media_type = db.execute("SELECT raw, media_type FROM policy_versions WHERE provider = 'web'").fetchone()
    assert raw == kept and media_type == "text/html"


@pytest.mark.parametrize(("body", "key"), [
    ('[job]\nouts = "x"\n[[providers]]\nname = "a"\nsource = "a.txt"\n', "job.outs: unknown key"),
    ('[job]\nfail_under = "high"\n[[providers]]\nname = "a"\nsource = "a.txt"\n', "job.fail_under"),
    ('[job]\nfail_on_new_gaps = 1\n[[providers]]\nname = "a"\nsource = "a.txt"\n', "job.fail_on_new_gaps"),
    ('[[providers]]\nname = "a"\nsource = "a.txt"\n[[providers]]\nname = "A"\nsource = "b.txt"\n',
     "providers[1].name: duplicate provider name 'A'"),
    ('[[providers]]\nname = "a"\n', "providers[0].source: missing"),
    ('[job]\nformats = ["json", "docx"]\n[[providers]]\nsource = "a.txt"\n', "job.formats[1]: unknown format 'docx'"),
    ('[job]\nchecklists = ["gdrp"]\n[[providers]]\nsource = "a.txt"\n', "job.checklists[0]: no bundled checklist"),
    ('[[providers]]\nname = "../etc"\nsource = "a.txt"\n', "providers[0].name"),
    ('[[providers]]\nsource = "ftp://example.com/p.txt"\n', "providers[0].source: only http and https"),
    ('[notify]\nwebhook = "mailto:x@example.com"\n[[providers]]\nsource = "a.txt"\n', "notify.webhook"),
    ('[job]\nout = \n', ":2: TOML syntax error"),
    ("[job]\n", "providers: missing"),
])
def test_config_errors_name_file_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str,
                                         key: str) -> None:
    config = tmp_path / "nightly.toml"
    config.write_text(body, encoding="utf-8")
    assert run(config) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "nightly.toml" in err[0] and key in err[0]


def test_missing_config_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path / "nope.toml") == 2
    assert "nope.toml: no such config file" in capsys.readouterr().err


def test_config_paths_are_relative_to_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_job(tmp_path / "job", {"alpha": POLICIES["alpha"]})
    monkeypatch.chdir(tmp_path)
    loaded = load_config(Path("job") / "gapcheck.toml")
    assert loaded.out == tmp_path / "job" / "reports"
    assert loaded.database == tmp_path / "job" / "reports" / "gapcheck.sqlite"
    assert loaded.providers[0].location == str(tmp_path / "job" / "policies" / "alpha.txt")
    assert loaded.providers[0].source == "policies/alpha.txt"
    assert run(config) == 0


def test_project_config_audits_the_five_seeds() -> None:
    path = PROJECT / "gapcheck.toml"
    wanted = ("pdf", "xlsx", "html", "json")
    if not all(fmt in RENDERERS for fmt in wanted):
        pytest.skip("the project config names formats whose renderers are not registered yet")
    config = load_config(path)
    assert config.formats == wanted
    assert sorted(Path(p.location).name for p in config.providers) == sorted(p.name for p in (PROJECT / "seeds").iterdir())
    assert all(Path(p.location).is_file() for p in config.providers)


def test_a_broken_checklist_stops_the_run_with_its_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]})
    config.write_text(config.read_text(encoding="utf-8").replace('["gdpr"]', '["mine.yaml"]'), encoding="utf-8")
    (tmp_path / "mine.yaml").write_text("checklist: [unclosed\n", encoding="utf-8")
    assert run(config) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "mine.yaml" in err[0] and "YAML syntax error" in err[0]


def test_portfolio_covers_every_audited_provider_and_is_reused(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import gapcheck.job.reports as reports

    calls: list[tuple[list[str], list[str]]] = []

    def fake_portfolio(audits, formats, report_folder=""):  # stands in for render.portfolio.render_portfolio
        calls.append(([a.provider for a in audits], formats))
        assert report_folder == "providers"
        return {"portfolio.html": b"<p>" + ",".join(a.provider for a in audits).encode() + b"</p>"}

    monkeypatch.setattr(reports, "portfolio_renderer", lambda: fake_portfolio)
    config = write_job(tmp_path, providers={"ghost": "policies/ghost.txt"})
    assert run(config) == 3
    assert calls == [(list(POLICIES), ["json"])]  # every successful audit, not the failed one
    first = latest_summary(config)
    assert first["portfolio"] == ["portfolio.html"]
    assert run(config) == 3
    assert len(calls) == 1  # nothing changed: copied from the previous run
    run_dir = config.parent / "reports" / latest_summary(config)["run_id"]
    assert (run_dir / "portfolio.html").read_bytes() == b"<p>" + ",".join(POLICIES).encode() + b"</p>"
    (tmp_path / "policies" / "alpha.txt").write_text(POLICIES["alpha"] + "We never sell data.\n", encoding="utf-8")
    assert run(config) == 3
    assert len(calls) == 2
