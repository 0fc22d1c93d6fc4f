"""`--executor dask`: audits and reports made on a Dask cluster are byte for byte those made in this process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gapcheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = str(ROOT / "seeds")


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_dask_cluster_writes_the_same_reports(tmp_path: Path, scheduler: str) -> None:
    common = [SEEDS, "--as-of", "2026-11-23", "--format", "json", "--format", "html"]
    assert main(["audit", *common, "--out", str(tmp_path / "inline"), "--executor", "inline"]) == 0
    assert main(["audit", *common, "--out", str(tmp_path / "dask"), "--executor", "dask",
                 "--scheduler", scheduler]) == 0
    inline, remote = files(tmp_path / "inline"), files(tmp_path / "dask")
    assert sorted(inline) == sorted(remote) and len(inline) >= 11  # 5 providers x 2 formats + the portfolio page
    assert inline == remote


def test_dask_audit_many_keeps_the_order_and_the_failures(scheduler: str) -> None:
    from gapcheck.batch import audit_many
    from gapcheck.errors import SourceError

    items = [("a", str(ROOT / "seeds" / "jexcloud.txt")), ("b", "/no/such/policy.txt"),
             ("c", str(ROOT / "seeds" / "easycloud.txt"))]
    outcomes = list(audit_many(items, [], jobs=2, executor_name="dask", scheduler=scheduler))
    assert [name for name, _ in outcomes] == ["a", "b", "c"]
    assert isinstance(outcomes[1][1], SourceError) and "no such file" in str(outcomes[1][1])
    assert [o.provider for _, o in (outcomes[0], outcomes[2])] == ["a", "c"]


def test_dask_not_installed_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    assert main(["audit", SEEDS, "--out", str(tmp_path), "--executor", "dask"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["gapcheck: error: --executor dask needs Dask: pip install 'gapcheck[dask]'"]


def test_scheduler_without_dask_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["audit", SEEDS, "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:8786"]) == 2


def test_job_config_executor_keys(tmp_path: Path) -> None:
    from gapcheck.job.config import ConfigError, load_config

    def config(job: str) -> Path:
        path = tmp_path / "job.toml"
        path.write_text(f'[job]\n{job}\n[[providers]]\nsource = "{SEEDS}/jexcloud.txt"\n', encoding="utf-8")
        return path

    assert load_config(config('executor = "process"')).executor == "process"
    assert load_config(config("")).executor == "inline"
    with pytest.raises(ConfigError, match=r"job\.executor: unknown executor 'spark'"):
        load_config(config('executor = "spark"'))
    with pytest.raises(ConfigError, match=r"job\.scheduler: goes with executor"):
        load_config(config('scheduler = "tcp://127.0.0.1:8786"'))


def test_nightly_job_on_a_dask_cluster(tmp_path: Path, scheduler: str) -> None:
    import json

    from gapcheck.job.config import load_config
    from gapcheck.job.runner import run_job

    reports = {}
    for name, extra in (("inline", ""), ("dask", f'executor = "dask"\nscheduler = "{scheduler}"')):
        path = tmp_path / name / "job.toml"
        path.parent.mkdir()
        providers = "".join(f'[[providers]]\nsource = "{SEEDS}/{seed}.txt"\n' for seed in ("jexcloud", "easycloud"))
        path.write_text(f'[job]\nformats = ["json", "html"]\n{extra}\n{providers}', encoding="utf-8")
        result = run_job(load_config(path))
        assert result.exit_code == 0 and result.audited == 2
        folder = result.run_dir / "providers"
        reports[name] = {p.name: json.loads(p.read_text()) | {"audited_at": ""} if p.suffix == ".json"
                         else len(p.read_bytes()) > 0 for p in sorted(folder.iterdir())}
    assert reports["inline"] == reports["dask"]
