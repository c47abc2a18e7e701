"""Who reused whom in shared history: decided from the histories, never from crawl order.

The histories are built the way real copies happen (GitPython, real dates and authors): an
upstream that keeps going for years, copies pushed to other hosts that add their own
commits. Their facts are read back with the crawler's own libgit2 reader, stored, and the
edges checked for every crawl order.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
import httpx
import pytest
from sqlmodel import Session, select

from crawlers.git.libgit2 import read_git_facts_pygit2
from registry.analysis.lineage import Lineage, direction
from registry.db import make_engine
from registry.delivery import notice_for
from registry.migrate import upgrade
from registry.models import Event, Repository, ReuseEdge
from registry.notify.messages import render_reuse_email
from registry.services.records import normalise_url
from registry.settings import Settings
from tests.conftest import LiveServer
from tests.factories import record, store

NOW = datetime(2025, 1, 1, tzinfo=UTC)
START = datetime(2018, 1, 1, tzinfo=UTC)
ALBERTA = ("Ann", "ann@ahs.example"), ("Bo", "bo@ahs.example")


def _commit(repo: git.Repo, when: datetime, who: tuple[str, str], path: str, text: str) -> str:
    work = Path(repo.working_tree_dir or "")
    (work / path).parent.mkdir(parents=True, exist_ok=True)
    (work / path).write_text(text, encoding="utf-8")
    repo.index.add([path])
    actor = git.Actor(*who)
    commit = repo.index.commit(f"{who[0]}: {path} at {when:%Y-%m-%d}", author=actor,
                               committer=actor, author_date=when, commit_date=when)  # fmt: skip
    return commit.hexsha


def _month(n: int) -> datetime:
    return START + timedelta(days=30 * n)


def upstream(tmp: Path, months: int = 80) -> tuple[git.Repo, list[str]]:
    """Alberta's tool: two developers, a commit a month for years."""
    repo = git.Repo.init(tmp / "alberta", initial_branch="main")
    shas = [
        _commit(repo, _month(n), ALBERTA[n % 2], f"src/rule{n % 7}.py", f"RULE = {n}\n")
        for n in range(months)
    ]
    return repo, shas


def copy_of(tmp: Path, origin: git.Repo, at: str, name: str, since: int, own: int) -> git.Repo:
    """A clone taken at commit ``at``, pushed to another host, with ``own`` commits of its
    own team (from month ``since``) on top."""
    work = git.Repo.clone_from(origin.git_dir, tmp / f"work-{name}")
    work.git.reset("--hard", at)
    who = (name.title(), f"dev@{name}.example")
    for n in range(own):
        _commit(work, _month(since + n), who, f"local/{name}{n}.py", f"LOCAL = {n}\n")
    bare = git.Repo.init(tmp / f"{name}.git", bare=True)
    work.git.push(str(tmp / f"{name}.git"), "HEAD:refs/heads/main")
    bare.git.symbolic_ref("HEAD", "refs/heads/main")
    return bare


def as_record(repo: git.Repo, owner: str, host: str):
    facts = read_git_facts_pygit2(Path(repo.git_dir), now=NOW)
    url = f"https://{host}/{owner}/tool"
    return record(owner, "tool", forge="git", html_url=url, clone_url=url + ".git",
                  root_commits=list(facts.root_commits), history=list(facts.history),
                  history_complete=facts.history_complete)  # fmt: skip


def fresh_engine(tmp: Path, label: str):
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp / f'{label}.db'}"))
    upgrade(engine)
    return engine


def shared_edges(engine) -> list[tuple[str, str, str]]:
    """The live shared-history edges (ones the evidence stopped supporting have ended)."""
    with Session(engine) as session:
        rows = session.exec(
            select(ReuseEdge).where(
                ReuseEdge.kind == "shared_history",
                ReuseEdge.ended_at.is_(None),  # type: ignore[union-attr]
            )
        ).all()
        return sorted((e.reuser_url, e.target_url, e.direction) for e in rows)


def key(rec) -> str:
    return normalise_url(rec.html_url)


def test_an_upstream_that_keeps_going_is_the_source_in_both_crawl_orders(tmp_path: Path) -> None:
    alberta, shas = upstream(tmp_path)
    ontario = copy_of(tmp_path, alberta, shas[29], "ontario", since=31, own=12)
    ab = as_record(alberta, "ahs", "git.alberta.example")
    on = as_record(ontario, "ods", "code.ontario.example")
    assert ab.root_commits == on.root_commits  # the history was carried over
    results = []
    for order in ((ab, on), (on, ab)):
        engine = fresh_engine(tmp_path, f"order-{order[0].owner}")
        for rec in order:
            store(engine, rec, agency=rec.owner)
        results.append(shared_edges(engine))
        with Session(engine) as session:
            [edge] = session.exec(select(ReuseEdge)).all()
            assert "ahs/tool's own commits continue the authors of the shared history" in (
                edge.evidence
            )
            assert [e.repository_id for e in session.exec(select(Event))] == [
                edge.target_repository_id
            ]
        engine.dispose()
    assert results[0] == results[1] == [(key(on), key(ab), "known")]


def test_a_branch_from_before_the_split_tells_the_original(tmp_path: Path) -> None:
    """Work begun before the copy was taken and merged later is only in the original."""
    alberta, shas = upstream(tmp_path, months=30)
    alberta.git.checkout("-b", "feature", shas[20])
    _commit(alberta, _month(21) + timedelta(days=3), ALBERTA[0], "feature.py", "F = 1\n")
    alberta.git.checkout("main")
    ontario = copy_of(tmp_path, alberta, shas[29], "ontario", since=31, own=3)
    actor = git.Actor(*ALBERTA[1])
    stamp = _month(32).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    alberta.git.merge("feature", "--no-ff", "-m", "merge feature",
                      env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp,
                           "GIT_AUTHOR_NAME": actor.name, "GIT_AUTHOR_EMAIL": actor.email,
                           "GIT_COMMITTER_NAME": actor.name,
                           "GIT_COMMITTER_EMAIL": actor.email})  # fmt: skip
    ab = as_record(alberta, "ahs", "git.alberta.example")
    on = as_record(ontario, "ods", "code.ontario.example")
    a = Lineage("ahs/tool", tuple(ab.history), ab.history_complete)
    b = Lineage("ods/tool", tuple(on.history), on.history_complete)
    verdict = direction(a, b)
    assert verdict.source == 0
    assert any("holds 1 commits from before the split" in r for r in verdict.reasons)
    assert direction(b, a).source == 1


def test_no_evidence_stores_direction_unknown_and_says_so(tmp_path: Path, settings, engine) -> None:
    """One developer pushes the project to two hosts and goes on committing to both: the
    histories cannot tell which is the original."""
    alberta, shas = upstream(tmp_path, months=12)
    mirror = copy_of(tmp_path, alberta, shas[-1], "mirror", since=12, own=0)
    work = git.Repo.clone_from(mirror.git_dir, tmp_path / "work-mirror-2")
    _commit(work, _month(13), ALBERTA[0], "src/extra.py", "EXTRA = 1\n")
    work.git.push("origin", "HEAD:refs/heads/main")
    _commit(alberta, _month(14), ALBERTA[0], "src/other.py", "OTHER = 1\n")
    ab = as_record(alberta, "ahs", "git.alberta.example")
    mi = as_record(mirror, "ahs-mirror", "code.ontario.example")
    ends = sorted([key(ab), key(mi)])
    first = fresh_engine(tmp_path, "unknown")
    for db, order in ((first, (ab, mi)), (engine, (mi, ab))):
        for rec in order:
            store(db, rec, agency=rec.owner)
        assert shared_edges(db) == [(ends[0], ends[1], "unknown")]
        with Session(db) as session:
            events = list(session.exec(select(Event).order_by(Event.id)))
            ids = {r.id for r in session.exec(select(Repository))}
            notices = [notice_for(e, base_url="https://govcode.example") for e in events]
        assert {e.repository_id for e in events} == ids  # both ends told, neither as reuser
        for notice in notices:
            assert notice.direction == "unknown" and "not known" in notice.summary
            mail = render_reuse_email(notice, to="x@example.org", mail_from="g@example.org",
                                      unsubscribe_url=None, key=f"{notice.event_id}-1")  # fmt: skip
            text = mail.get_body(("plain",)).get_content()
            assert "which one came first is not known" in text and "reused" not in text
            assert "shares git history with" in mail["Subject"]
    first.dispose()
    with LiveServer(settings) as live:
        for repo_id in ids:
            page = httpx.get(f"{live.url}/repositories/{repo_id}").text
            api = httpx.get(f"{live.url}/api/v1/repositories/{repo_id}").json()
            assert "which one came first is not known" in page
            assert [(e["kind"], e["direction"]) for e in api["reused_by"]] == [
                ("shared_history", "unknown")
            ]


@pytest.mark.parametrize("position", [0, 2, 4])
def test_sibling_copies_link_to_their_source_not_to_each_other(
    tmp_path: Path, position: int
) -> None:
    alberta, shas = upstream(tmp_path, months=60)
    copies = [
        copy_of(tmp_path, alberta, shas[at], name, since=at + 2, own=4)
        for at, name in ((10, "ontario"), (20, "quebec"), (30, "yukon"), (40, "nunavut"))
    ]
    recs = [as_record(c, name, f"code.{name}.example") for c, name in
            zip(copies, ("ontario", "quebec", "yukon", "nunavut"), strict=True)]  # fmt: skip
    source = as_record(alberta, "ahs", "git.alberta.example")
    order = [*recs]
    order.insert(position, source)
    engine = fresh_engine(tmp_path, f"siblings-{position}")
    for rec in order:
        store(engine, rec, agency=rec.owner)
    assert shared_edges(engine) == sorted((key(r), key(source), "known") for r in recs)
    engine.dispose()


def test_every_crawl_order_of_three_gives_the_same_graph(tmp_path: Path) -> None:
    alberta, shas = upstream(tmp_path, months=40)
    ontario = copy_of(tmp_path, alberta, shas[15], "ontario", since=17, own=5)
    quebec = copy_of(tmp_path, alberta, shas[25], "quebec", since=27, own=5)
    recs = [as_record(alberta, "ahs", "git.alberta.example"),
            as_record(ontario, "ontario", "code.ontario.example"),
            as_record(quebec, "quebec", "code.quebec.example")]  # fmt: skip
    graphs = set()
    for n, order in enumerate(itertools.permutations(recs)):
        engine = fresh_engine(tmp_path, f"perm-{n}")
        for rec in order:
            store(engine, rec, agency=rec.owner)
        graphs.add(tuple(shared_edges(engine)))
        engine.dispose()
    assert graphs == {tuple(sorted((key(r), key(recs[0]), "known") for r in recs[1:]))}


def _line(name: str, commits: list[tuple[str, int, str]], **kw) -> Lineage:
    return Lineage(name, tuple(sorted(commits, key=lambda c: -c[1])), **kw)


SHARED = [(f"s{n}", 1000 + n, "ann") for n in range(10)]


def test_a_sampled_history_never_counts_what_lies_beyond_its_horizon_as_missing() -> None:
    """The upstream's sample stops at its newest commits; the copy's whole history reaches
    further back. Those old commits are not 'held before the split' by the copy."""
    upstream_sample = _line("up", SHARED[5:] + [(f"u{n}", 2000 + n, "ann") for n in range(5)],
                            complete=False)  # fmt: skip
    copy = _line("copy", SHARED + [(f"c{n}", 2000 + n, "cy") for n in range(3)], complete=True)
    verdict = direction(upstream_sample, copy)
    assert verdict.source == 0
    assert verdict.reasons == ("up's own commits continue the authors of the shared history;"
                               " copy's are by others",)  # fmt: skip
    assert verdict.shared == 5


def test_creation_dates_against_the_split_and_alone() -> None:
    split = datetime.fromtimestamp(1009, UTC)
    early, late = split - timedelta(days=400), split + timedelta(days=30)
    a = _line("a", SHARED, created_at=early)
    b = _line("b", SHARED, created_at=late)
    assert direction(a, b).source == 0
    assert direction(b, a).reasons == ("b was created on its forge after the newest shared commit",)
    no_history_a, no_history_b = Lineage("a", created_at=late), Lineage("b", created_at=early)
    assert direction(no_history_a, no_history_b).source == 1
    same_day = Lineage("c", created_at=early + timedelta(hours=3))
    assert direction(Lineage("a", created_at=early), same_day).source is None


def test_evidence_that_points_both_ways_is_unknown_and_a_fork_is_decisive() -> None:
    up = _line("up", [*SHARED, ("u1", 2000, "ann"), ("old", 500, "zed")])  # a pre-split commit
    copy = _line("copy", [*SHARED, ("c1", 2001, "ann")])  # ann goes on in both
    assert direction(up, copy).source == 0  # only the pre-split commit decides
    holds = _line("holds", [*SHARED, ("o1", 500, "x")])  # holds a pre-split commit
    goes_on = _line("goes-on", [*SHARED, ("e1", 2000, "ann")])  # its authors continue
    both = direction(holds, goes_on)
    assert both.source is None and both.reasons == ("the evidence points both ways",)
    assert direction(replace(up, forked_from=True), copy).source == 1
    assert direction(Lineage("a"), Lineage("b")) == direction(Lineage("b"), Lineage("a"))


def _serve(server_root: Path, repo: git.Repo, name: str) -> None:
    """Publish ``repo`` as a bare repository the git server serves (partial clones on)."""
    bare = git.Repo.clone_from(repo.git_dir, server_root / name, bare=True)
    with bare.config_writer() as config:
        config.set_value("uploadpack", "allowFilter", "true")
        config.set_value("uploadpack", "allowAnySHA1InWant", "true")


def test_crawled_over_git_in_both_orders_the_edge_is_the_same(tmp_path: Path, settings) -> None:
    """The whole pipeline: two git URL sources on another host, cloned over smart HTTP,
    read with libgit2, analysed and stored, crawled one way round and the other."""
    from crawlers.context import CrawlContext
    from crawlers.pipeline import crawl_source
    from tests.crawlers.gitserver import GitServer
    from tests.factories import source

    alberta, shas = upstream(tmp_path)
    ontario = copy_of(tmp_path, alberta, shas[29], "ontario", since=31, own=12)
    root = tmp_path / "served"
    root.mkdir()
    _serve(root, alberta, "ahs/tool.git")
    _serve(root, ontario, "ods/tool.git")
    server = GitServer(root)
    server.thread.start()
    try:
        graphs = []
        for n, order in enumerate((("ahs", "ods"), ("ods", "ahs"))):
            engine = fresh_engine(tmp_path, f"pipeline-{n}")
            ctx = CrawlContext.from_settings(settings.model_copy(update={
                "allow_http_hosts": [f"127.0.0.1:{server.port}"],
                "var_dir": tmp_path / f"var-{n}",
            }))  # fmt: skip
            for owner in order:
                sid = source(engine, "git", server.url(f"{owner}/tool.git"), slug=owner)
                summary = crawl_source(engine, ctx, sid)
                assert summary.counts["new"] == 1, summary.errors
            graphs.append(shared_edges(engine))
            engine.dispose()
    finally:
        server.release.set()
        server.httpd.shutdown()
        server.httpd.server_close()
    host = f"localhost:{server.port}"  # 127.0.0.1 and localhost are one key
    assert graphs[0] == graphs[1] == [(f"{host}/ods/tool", f"{host}/ahs/tool", "known")]
