"""Supply chain: the installed packages are pinned with hashes, and the install checks them.

requirements.in / requirements-dev.in hold the pins people edit; scripts/lock.sh makes the
hashed .txt files from them; scripts/_venv.sh installs with --require-hashes.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

HASHED = ("requirements.txt", "requirements-dev.txt", "scripts/uv-requirements.txt")


def _entries(path: str) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of each requirement of a pip requirements file."""
    text = (ROOT / path).read_text().replace("\\\n", " ")
    entries = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        match = re.match(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)", line)
        assert match, f"{path}: «{line}» is not pinned with =="
        name = match[1].lower().replace("_", "-")
        entries[name] = (match[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", line))
    return entries


@pytest.mark.parametrize("path", HASHED)
def test_every_package_is_pinned_with_its_hashes(path):
    entries = _entries(path)
    assert entries
    unhashed = sorted(name for name, (_, hashes) in entries.items() if not hashes)
    assert not unhashed, f"{path}: no hash for {unhashed}; edit the .in file and run `bash scripts/lock.sh`"


@pytest.mark.parametrize(
    ("source", "locked"),
    [("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")],
)
def test_the_hashed_files_hold_the_pins_people_edit(source, locked):
    pins = _entries(source)
    if source == "requirements-dev.in":  # it includes requirements.in
        pins |= _entries("requirements.in")
    entries = _entries(locked)
    stale = {name: version for name, (version, _) in pins.items() if entries.get(name, ("",))[0] != version}
    assert not stale, f"{locked} is older than {source} for {stale}: run `bash scripts/lock.sh`"


def test_the_install_refuses_a_file_without_a_matching_hash():
    script = (ROOT / "scripts" / "_venv.sh").read_text()
    installs = [line for line in script.splitlines() if re.search(r"(uv pip|-m pip) install", line)]
    assert len(installs) == 3  # uv itself, then the requirements with uv or with pip
    for line in installs:
        assert "--require-hashes" in line, line
    assert "scripts/uv-requirements.txt" in script
