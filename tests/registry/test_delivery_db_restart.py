"""The database restarts under a delivery worker: nothing is lost.

A private PostgreSQL cluster is made in a temporary folder with ``initdb`` and run with
``pg_ctl`` (as the ``postgres`` user when the tests run as root, which PostgreSQL refuses
to run as), so restarting it disturbs nobody else's database. Needs no
GOVCODE_TEST_DATABASE_URL; skips, saying why, where PostgreSQL's programs are absent.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from registry import migrate
from registry.db import make_engine
from registry.models import Delivery
from registry.settings import Settings
from tests.conftest import free_port
from tests.fakes.webhooks import WebhookReceiver
from tests.registry.workers import Worker, reused_repository, wait_until, worker_env

SECRET = "restart-test-secret"


class PrivateCluster:
    def __init__(self, root: Path, run_as: list[str]) -> None:
        self.root, self.run_as = root, run_as
        self.data = root / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.run_as, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}")

    def _ctl(self, *args: str) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", options,
                  "-w", "-t", "60", *args)  # fmt: skip

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self, mode: str = "immediate") -> None:
        self._ctl("stop", "-m", mode)


def _run_as() -> list[str]:
    """How to run PostgreSQL's programs here, or skip saying why not."""
    for program in ("initdb", "pg_ctl"):
        if shutil.which(program) is None:
            pytest.skip(f"{program} is not on PATH: no private PostgreSQL cluster here")
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root, and there is no 'postgres' user to run PostgreSQL as")
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root, and runuser is absent to run PostgreSQL as 'postgres'")
    path = os.environ.get("PATH", "")
    return [runuser, "-u", "postgres", "--", "env", f"PATH={path}"]


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    run_as = _run_as()
    root = Path(tempfile.mkdtemp(prefix="govcode-pg-"))
    if run_as:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    pg = PrivateCluster(root, run_as)
    try:
        pg.init()
        pg.start()
    except RuntimeError as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"no private PostgreSQL cluster: {exc}")
    try:
        yield pg
    finally:
        try:
            pg.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("outage", ["restart", "down a while"])
def test_a_database_restart_during_delivery_loses_nothing(cluster, tmp_path, outage):
    settings = Settings(environment="test", var_dir=tmp_path / "var", database_url=cluster.url)
    engine = make_engine(settings)
    try:
        migrate.upgrade(engine)
        with WebhookReceiver(SECRET) as hook:
            keys = reused_repository(engine, hook.url, SECRET, reusers=5)
            hook.hold_next(1)  # the worker is mid-send when the database goes away
            env = worker_env(cluster.url, tmp_path / "var", hook.url)
            worker = Worker(env, tmp_path / "worker.log")
            try:
                hook.wait_held(1, timeout=30)
                if outage == "restart":
                    cluster.restart()
                    hook.release()  # its answer comes when the database it must tell is new
                else:  # the worker finds no database to record the answer in, for a while
                    cluster.stop("fast")
                    hook.release()
                    wait_until(
                        lambda: "stopped by the database" in worker.output(), 30,
                        "the worker meeting the missing database",
                    )  # fmt: skip
                    cluster.start()
                view = hook.wait_view(keys, timeout=60)
                engine.dispose()  # our own pooled connections died with the old server

                def all_delivered() -> bool:
                    with Session(engine) as session:
                        statuses = session.exec(select(Delivery.status)).all()
                    return len(statuses) == 5 and set(statuses) == {"delivered"}

                wait_until(all_delivered, 30, "every delivery recorded after the restart")
                assert worker.process.poll() is None, worker.output()  # it lived through
            finally:
                worker.stop()
        assert set(view) == keys
        assert all(got.valid for got in view.values())
    finally:
        engine.dispose()
