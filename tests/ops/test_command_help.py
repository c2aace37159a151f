from __future__ import annotations

import pytest

from npsloop.cli import main


@pytest.mark.parametrize(
    ("words", "mentions"),
    [
        (["run"], "--first-run-demo"),
        (["web"], "--workers"),
        (["worker"], "--no-periodic"),
        (["createadmin"], "--password-stdin"),
        (["demo"], "--contacts"),
        (["workspace", "create"], "--time-zone"),
        (["apikey", "create"], "--workspace SLUG"),
    ],
)
def test_it_explains_every_command(
    capsys: pytest.CaptureFixture[str], words: list[str], mentions: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*words, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: npsloop {' '.join(words)} ")
    assert mentions in out
