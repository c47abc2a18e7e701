"""JVM and .NET manifests: Maven pom.xml, Gradle build scripts (best effort), *.csproj."""

from __future__ import annotations

import re

from registry.analysis.metadata.manifest_types import Partial
from registry.analysis.metadata.xml_safe import child_text, parse_xml

_PROPERTY = re.compile(r"\$\{([^}]+)\}")
_GRADLE_CONFIGS = (
    "implementation|api|compile|compileOnly|compileOnlyApi|runtimeOnly|runtime|"
    "testImplementation|testCompile|testRuntimeOnly|annotationProcessor|kapt|ksp"
)
# implementation "group:name:version", implementation("group:name"), api 'g:n:v@aar'
_GRADLE_STRING = re.compile(
    rf"\b(?:{_GRADLE_CONFIGS})\s*(?:\(\s*)?[\"']([\w.\-]+):([\w.\-]+)(?::([^\"'\s@]+))?[^\"']*[\"']"
)
# implementation group: 'g', name: 'n', version: 'v'
_GRADLE_MAP = re.compile(
    rf"\b(?:{_GRADLE_CONFIGS})\s*(?:\(\s*)?group\s*[:=]\s*[\"']([\w.\-]+)[\"']\s*,\s*"
    r"name\s*[:=]\s*[\"']([\w.\-]+)[\"'](?:\s*,\s*version\s*[:=]\s*[\"']([^\"']+)[\"'])?"
)


def parse_pom(source: str) -> Partial:
    root = parse_xml(source, "pom.xml")
    part = Partial()
    declared = root.find("properties")
    children = list(declared) if declared is not None else []
    properties = {str(child.tag): (child.text or "").strip() for child in children}
    properties["project.version"] = child_text(root, "version") or ""

    def resolve(value: str | None) -> str | None:
        if value is None:
            return None
        return _PROPERTY.sub(lambda m: properties.get(m.group(1)) or m.group(0), value)

    group = child_text(root, "groupId") or child_text(root, "parent", "groupId")
    artifact = child_text(root, "artifactId")
    if group and artifact:
        version = child_text(root, "version") or child_text(root, "parent", "version")
        part.publish("maven", f"{group}:{artifact}", resolve(version))
    for dependency in root.findall("dependencies/dependency"):
        dep_group = resolve(child_text(dependency, "groupId"))
        dep_artifact = resolve(child_text(dependency, "artifactId"))
        if dep_group and dep_artifact:
            version = resolve(child_text(dependency, "version"))
            part.depend("maven", f"{dep_group}:{dep_artifact}", version)
    part.licence(child_text(lic, "name") for lic in root.findall("licenses/license"))
    return part


def parse_gradle(source: str) -> Partial:
    """Regular expressions over Groovy or Kotlin: the common declaration forms, not a build."""
    part = Partial()
    for pattern in (_GRADLE_STRING, _GRADLE_MAP):
        for group, name, version in pattern.findall(source):
            part.depend("maven", f"{group}:{name}", version or None)
    return part


def parse_csproj(source: str) -> Partial:
    root = parse_xml(source, "*.csproj")
    part = Partial()
    package_id = next((e.text.strip() for e in root.iter("PackageId") if e.text), None)
    version = next((e.text.strip() for e in root.iter("Version") if e.text), None)
    if package_id:
        part.publish("nuget", package_id, version)
    part.licence((e.text or "").strip() for e in root.iter("PackageLicenseExpression"))
    for reference in root.iter("PackageReference"):
        name = reference.get("Include") or reference.get("Update")
        spec = reference.get("Version") or child_text(reference, "Version")
        part.depend("nuget", name.strip() if name else None, spec)
    return part
