"""Documentation stays true: CLI help, README commands, CI entry point."""

from __future__ import annotations

import re

from etl.cli import build_parser
from tests.conftest import ROOT, run_etl


def test_every_command_has_vietnamese_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= {"ingest", "template", "demo", "units", "check", "snapshot"}
    for name, command in sub.choices.items():
        helps = [a.help for a in command._actions if a.dest != "help"]
        assert all(helps), f"{name}: an option without help"
        assert run_etl(name, "--help").returncode == 0


def test_readme_commands_are_the_scripts_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    assert "bash scripts/run.sh" in blocks[0]
    assert "bash scripts/test.sh" in blocks[1]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    for script in ("scripts/run.sh", "scripts/test.sh"):
        assert (ROOT / script).exists()


def test_readme_mentions_every_cli_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("ingest", "template", "demo", "units load", "units export", "check", "backup", "restore"):
        assert f"python -m etl {command}" in readme, command
