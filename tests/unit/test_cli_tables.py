"""The tables `ovop` prints: drawn by Rich, and when captured (as here, or piped) one line a
row with every value whole, whatever the terminal's width, so what greps them finds it."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.common import echo_table, number
from starter import app

LONG_ID = "ovop-2026-batik-tulis-jlamprang-bd9624757a"


def test_a_captured_table_keeps_each_row_on_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # narrower than the table
    reason = "Dokumen [SK sentra] belum lengkap; mohon dilengkapi sebelum verifikasi ulang"
    echo_table(["ID", "ALASAN", number("NILAI")], [[LONG_ID, reason, "88.5"], ["x", "-", "7"]])
    lines = capsys.readouterr().out.splitlines()
    header, rule, first, second = lines
    assert header.split() == ["ID", "ALASAN", "NILAI"]
    assert set(rule) <= {"─", " "}
    assert first.startswith(LONG_ID) and reason in first  # brackets printed, not read as markup
    assert first.endswith("88.5") and second.endswith(" 7")  # numbers on the right
    assert len(first) == len(second)
    assert all(line == line.rstrip() for line in lines)


def test_ovop_mail_lists_the_kept_messages_as_a_table_or_as_json(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    message = EmailMessage()
    message["To"] = "pemilik@batik-jlamprang.id"
    message["Subject"] = "Usulan OVOP diterima"
    message["Date"] = "Wed, 04 Mar 2026 10:12:09 +0700"
    message.set_content("Terima kasih.")
    (folder / "0001.eml").write_bytes(bytes(message))

    text = CliRunner().invoke(app, ["mail", "--var", str(tmp_path)], env={"COLUMNS": "40"})
    assert text.exit_code == 0, text.output
    header, _, row, total = text.stdout.splitlines()
    assert header.split() == ["TANGGAL", "KEPADA", "SUBJEK", "BERKAS"]
    assert "pemilik@batik-jlamprang.id" in row and "Usulan OVOP diterima" in row
    assert row.endswith(str(folder / "0001.eml"))
    assert total == f"1 pesan di {folder}"

    shown = CliRunner().invoke(app, ["mail", "--var", str(tmp_path), "--json"])
    assert json.loads(shown.stdout) == [
        {
            "file": str(folder / "0001.eml"),
            "to": "pemilik@batik-jlamprang.id",
            "subject": "Usulan OVOP diterima",
            "date": "Wed, 04 Mar 2026 10:12:09 +0700",
        }
    ]
