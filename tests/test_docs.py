"""Documentation stays true: CLI help, README commands, CI entry point."""

from __future__ import annotations

import re

import pytest

from etl.cli import build_parser, main
from tests.conftest import ROOT, run_etl


def _help_of(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    """What `python -m etl COMMAND --help` prints (parsed in this process: a subprocess per
    command costs a second of imports each; the entry point itself is run below)."""
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_every_command_has_vietnamese_help(capsys: pytest.CaptureFixture[str]):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= {"ingest", "template", "demo", "units", "check", "snapshot"}
    for name, command in sub.choices.items():
        helps = [a.help for a in command._actions if a.dest != "help"]
        assert all(helps), f"{name}: an option without help"
        shown = _help_of(name, capsys)
        assert "tuỳ chọn:" in shown and "show this help" not in shown, name
    # the real entry point, as an operator types it
    mistyped = run_etl("ingest")
    assert mistyped.returncode == 2 and "lỗi: thiếu tham số bắt buộc" in mistyped.stderr


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
    commands = ("ingest", "template", "demo", "units load", "units export", "check", "backup", "restore")
    users = ("users add", "users list", "users disable", "users enable", "users reset-password")
    for command in (*commands, *users):
        assert f"python -m etl {command}" in readme, command
