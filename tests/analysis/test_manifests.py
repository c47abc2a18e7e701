"""Package manifests over small in-memory trees, one ecosystem at a time, plus hostile input."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.manifests import PackageRef, analyse_manifests, parser_for
from registry.analysis.tree import MemoryTree


def _one(path: str, body: str):
    finding = analyse_manifests(MemoryTree({path: body}))
    assert finding.manifests == (path,), finding.problems
    return finding


def test_npm() -> None:
    body = """{"name": "@ab/covid-check", "version": "1.2.0", "license": {"type": "MIT"},
      "dependencies": {"react": "^18.2.0"}, "devDependencies": {"jest": "29", "x": "file:../x"},
      "peerDependencies": {"react-dom": ">=18"}}"""
    finding = _one("package.json", body)
    assert finding.published == (PackageRef("npm", "@ab/covid-check", "1.2.0"),)
    assert finding.dependencies == (
        PackageRef("npm", "react", "^18.2.0"),
        PackageRef("npm", "jest", "29"),
        PackageRef("npm", "react-dom", ">=18"),
    )
    assert finding.declared_licences == (("package.json", "MIT"),)
    assert _one("package.json", '{"name": "site", "private": true}').published == ()


def test_python_pyproject_setup_cfg_requirements() -> None:
    tree = MemoryTree(
        {
            "pyproject.toml": '[project]\nname = "Covid_Check"\nversion = "0.3"\n'
            'license = {text = "EUPL-1.2"}\n'
            'dependencies = ["Requests[socks]>=2.31; python_version>\'3.8\'", "httpx"]\n'
            '[project.optional-dependencies]\ndev = ["pytest (>=8)"]\n',
            "legacy/setup.cfg": "[metadata]\nname = Old.Pkg\nversion = attr: old.__version__\n"
            "license = MIT\n[options]\ninstall_requires =\n    six>=1.16\n    covid-check\n",
            "requirements-dev.txt": "# tools\n-r requirements.txt\nblack==24.1  # pinned\n"
            "git+https://example.org/x.git\n-e .\nzope.interface\n",
        }
    )
    finding = analyse_manifests(tree)
    assert finding.published == (
        PackageRef("pypi", "covid-check", "0.3"),
        PackageRef("pypi", "old-pkg", None),
    )
    names = [(d.name, d.version_spec) for d in finding.dependencies]
    assert names == [
        ("requests", ">=2.31"),
        ("httpx", None),
        ("pytest", ">=8"),
        ("black", "==24.1"),
        ("zope-interface", None),
        ("six", ">=1.16"),
    ]  # covid-check is published here, so it is not a dependency
    assert dict(finding.declared_licences) == {
        "pyproject.toml": "EUPL-1.2",
        "legacy/setup.cfg": "MIT",
    }


def test_poetry() -> None:
    body = '[tool.poetry]\nname = "svc"\nlicense = "MIT"\n[tool.poetry.dependencies]\n'
    body += 'python = "^3.11"\nfastapi = {version = "^0.110", extras = ["all"]}\n'
    finding = _one("pyproject.toml", body)
    assert finding.published == (PackageRef("pypi", "svc"),)
    assert finding.dependencies == (PackageRef("pypi", "fastapi", "^0.110"),)


def test_maven_pom_with_namespace_parent_and_properties() -> None:
    body = """<?xml version="1.0" encoding="UTF-8"?>
    <project xmlns="http://maven.apache.org/POM/4.0.0">
      <parent><groupId>ca.alberta</groupId><version>2.1</version></parent>
      <artifactId>covid-core</artifactId>
      <properties><junit.version>5.10.0</junit.version></properties>
      <dependencies>
        <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId>
          <version>${junit.version}</version></dependency>
        <dependency><groupId>ca.alberta</groupId><artifactId>covid-api</artifactId>
          <version>${project.version}</version></dependency>
      </dependencies>
      <licenses><license><name>Apache License, Version 2.0</name></license></licenses>
    </project>"""
    finding = _one("pom.xml", body)
    assert finding.published == (PackageRef("maven", "ca.alberta:covid-core", "2.1"),)
    assert finding.dependencies == (
        PackageRef("maven", "org.junit.jupiter:junit-jupiter", "5.10.0"),
        PackageRef("maven", "ca.alberta:covid-api", "${project.version}"),
    )
    assert finding.declared_licences == (("pom.xml", "Apache License, Version 2.0"),)


def test_gradle_groovy_and_kotlin() -> None:
    groovy = "dependencies {\n  implementation 'com.google.guava:guava:32.1.3-jre'\n"
    groovy += "  testImplementation group: 'junit', name: 'junit', version: '4.13.2'\n"
    groovy += '  api("org.slf4j:slf4j-api")\n}\n'
    kotlin = 'dependencies { implementation("io.ktor:ktor-server-core:2.3.7") }'
    finding = analyse_manifests(
        MemoryTree({"build.gradle": groovy, "server/build.gradle.kts": kotlin})
    )
    assert {(d.ecosystem, d.name, d.version_spec) for d in finding.dependencies} == {
        ("maven", "com.google.guava:guava", "32.1.3-jre"),
        ("maven", "junit:junit", "4.13.2"),
        ("maven", "org.slf4j:slf4j-api", None),
        ("maven", "io.ktor:ktor-server-core", "2.3.7"),
    }


def test_go_mod() -> None:
    body = "module github.com/ab/covid\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n"
    body += "\tgolang.org/x/net v0.20.0 // indirect\n)\n\nrequire github.com/google/uuid v1.6.0\n"
    finding = _one("go.mod", body)
    assert finding.published == (PackageRef("go", "github.com/ab/covid"),)
    assert finding.dependencies == (
        PackageRef("go", "github.com/gin-gonic/gin", "v1.9.1"),
        PackageRef("go", "github.com/google/uuid", "v1.6.0"),
    )


def test_composer() -> None:
    body = '{"name": "Alberta/Covid", "license": ["MIT", "GPL-3.0-only"],'
    body += ' "require": {"php": ">=8.1", "ext-json": "*", "monolog/monolog": "^3.0"},'
    body += ' "require-dev": {"phpunit/phpunit": "^10"}}'
    finding = _one("composer.json", body)
    assert finding.published == (PackageRef("composer", "alberta/covid"),)
    assert [d.name for d in finding.dependencies] == ["monolog/monolog", "phpunit/phpunit"]
    assert [lic for _, lic in finding.declared_licences] == ["MIT", "GPL-3.0-only"]


def test_ruby_gemfile_and_gemspec() -> None:
    gemfile = "source 'https://rubygems.org'\ngemspec\ngem 'rails', '~> 7.1', '>= 7.1.2'\n"
    gemfile += 'gem("pg")\n  # gem "commented"\n'
    gemspec = "Gem::Specification.new do |spec|\n  spec.name = 'covid_check'\n"
    gemspec += "  spec.licenses = ['MIT']\n  spec.add_dependency 'rack', '>= 2.2'\n"
    gemspec += "  spec.add_development_dependency('rspec')\nend\n"
    finding = analyse_manifests(MemoryTree({"Gemfile": gemfile, "covid_check.gemspec": gemspec}))
    assert finding.published == (PackageRef("rubygems", "covid_check"),)
    assert [(d.name, d.version_spec) for d in finding.dependencies] == [
        ("rails", "~> 7.1, >= 7.1.2"),
        ("pg", None),
        ("rack", ">= 2.2"),
        ("rspec", None),
    ]
    assert finding.declared_licences == (("covid_check.gemspec", "MIT"),)


def test_cargo() -> None:
    body = '[package]\nname = "covid"\nversion = "0.1.0"\nlicense = "MIT OR Apache-2.0"\n'
    body += '[dependencies]\nserde = { version = "1", features = ["derive"] }\nrand = "0.8"\n'
    body += 'local = { path = "../local" }\n[dev-dependencies]\n'
    body += 'uuid = { package = "uuid", version = "1.6" }\n'
    finding = _one("Cargo.toml", body)
    assert finding.published == (PackageRef("cargo", "covid", "0.1.0"),)
    assert [(d.name, d.version_spec) for d in finding.dependencies] == [
        ("serde", "1"),
        ("rand", "0.8"),
        ("uuid", "1.6"),
    ]
    assert finding.declared_licences == (("Cargo.toml", "MIT OR Apache-2.0"),)


def test_nuget_csproj() -> None:
    body = """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><PackageId>Ab.Covid</PackageId>
      <Version>1.0.0</Version><PackageLicenseExpression>MIT</PackageLicenseExpression>
      </PropertyGroup><ItemGroup><PackageReference Include="Newtonsoft.Json" Version="13.0.3" />
      <PackageReference Include="Serilog"><Version>3.1.1</Version></PackageReference>
      </ItemGroup></Project>"""
    finding = _one("src/Covid.csproj", body)
    assert finding.published == (PackageRef("nuget", "Ab.Covid", "1.0.0"),)
    assert finding.dependencies == (
        PackageRef("nuget", "Newtonsoft.Json", "13.0.3"),
        PackageRef("nuget", "Serilog", "3.1.1"),
    )


def test_depth_symlinks_size_and_count_are_bounded() -> None:
    files = {f"pkg{i:02}/package.json": f'{{"name": "p{i}"}}' for i in range(10)}
    files |= {
        "a/b/package.json": '{"name": "too-deep"}',
        "node_modules/package.json": '{"name": "vendored"}',
        "link/package.json": '{"name": "via-symlink"}',
        "big/package.json": '{"name": "big", "description": "' + "x" * 2_000 + '"}',
    }
    finding = analyse_manifests(
        MemoryTree(files, symlinks=["link/package.json"]), max_manifests=5, max_bytes=1_000
    )
    assert [p.name for p in finding.published] == ["p0", "p1", "p2", "p3"]
    assert "big/package.json: larger than 1000 bytes, not read" in finding.problems
    assert "11 manifests found; only 5 read" in finding.problems


def test_broken_manifest_is_a_problem_and_others_still_read() -> None:
    tree = MemoryTree({"package.json": "{not json", "go.mod": "module example.org/m\n"})
    finding = analyse_manifests(tree)
    assert finding.published == (PackageRef("go", "example.org/m"),)
    assert finding.problems[0].startswith("package.json: package.json is not valid JSON")


BOMB = (
    """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
"""
    + "\n".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'
        for i in range(10)
    )
    + """
]><project><artifactId>&lol9;</artifactId></project>"""
)

XXE = """<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<project><groupId>g</groupId><artifactId>&x;</artifactId></project>"""


@pytest.mark.parametrize("body", [BOMB, XXE, XXE.replace("DOCTYPE", "doctype")])
def test_entity_tricks_in_pom_are_refused_quickly(body: str) -> None:
    started = time.perf_counter()
    finding = analyse_manifests(MemoryTree({"pom.xml": body, "sub/x.csproj": body}))
    elapsed = time.perf_counter() - started
    print(f"\nentity trick refused in {elapsed * 1000:.2f} ms")
    assert finding.published == () and finding.manifests == ()
    assert all("DOCTYPE or ENTITY" in problem for problem in finding.problems)
    assert len(finding.problems) == 2
    assert elapsed < 0.5


@pytest.mark.parametrize(
    "path", ["Gemfile", "x.gemspec", "build.gradle", "go.mod", "requirements.txt"]
)
def test_regex_parsers_stay_linear_on_pathological_input(path: str) -> None:
    body = (
        "\n" * 100_000
        + "gem " + " " * 100_000
        + "implementation" + " " * 100_000 + "("
        + ".licenses =" + " " * 100_000
        + "module" + "\t" * 100_000
    )  # fmt: skip
    started = time.perf_counter()
    analyse_manifests(MemoryTree({path: body}))
    assert time.perf_counter() - started < 1.0


MANIFEST_NAMES = [
    "package.json", "composer.json", "pyproject.toml", "setup.cfg", "requirements.txt",
    "pom.xml", "build.gradle", "go.mod", "Cargo.toml", "Gemfile", "a.gemspec", "A.csproj",
]  # fmt: skip


def test_every_manifest_name_has_a_parser() -> None:
    assert all(parser_for(name) for name in MANIFEST_NAMES)
    assert parser_for("README.md") is None


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(MANIFEST_NAMES), st.text(max_size=400))
def test_fuzz_every_parser_with_text(name: str, body: str) -> None:
    parser = parser_for(name)
    assert parser is not None
    with contextlib.suppress(MetadataError):
        parser(body)


_fragments = st.sampled_from(
    ['{"name": ', '"dependencies": {', '"x": ', "[project]\n", "name = ", "dependencies = [",
     "<project>", "<dependency>", "<groupId>", "</groupId>", "require (", "\n", ")", "gem '",
     "[dependencies]\n", "', '", '"', "{", "}", "[", "]", ",", "=", "<PackageReference Include=",
     "implementation '", ":", "module ", " v1.0.0", "[metadata]\n", "[options]\ninstall_requires ="]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(MANIFEST_NAMES), st.lists(_fragments | st.text(max_size=5), max_size=30))
def test_fuzz_every_parser_with_manifest_fragments(name: str, parts: list[str]) -> None:
    finding = analyse_manifests(MemoryTree({name: "".join(parts)}))
    assert all(isinstance(ref.name, str) and ref.name for ref in finding.dependencies)
