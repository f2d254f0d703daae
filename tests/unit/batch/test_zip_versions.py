"""A workbook whose zip entries need an unsupported zip version is a BatchError, not a crash."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from openpyxl import Workbook

from reviewer.batch.reader import BatchError, read_questionnaire


def test_unsupported_zip_version_is_a_clear_error(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Question", "Answer"])
    ws.append(["Is training data classified?", None])
    wb.save(good)
    data = bytearray(good.read_bytes())
    pos = data.find(b"PK\x01\x02")  # first central directory entry
    struct.pack_into("<H", data, pos + 6, 254)  # "version needed to extract" = 25.4
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    with pytest.raises(BatchError) as err:
        read_questionnaire(bad)
    assert "bad.xlsx" in str(err.value) and "\n" not in str(err.value)
