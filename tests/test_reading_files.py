"""Reading rule files: a file that is not UTF-8 gets the line and column of its first
bad byte with a caret; a FIFO, a device or an oversized file is refused at once, never
read until memory runs out or blocked on forever."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cexpert.language.diagnostics import render_text
from cexpert.language.load import load
from cexpert.language.reading import RULE_FILE_LIMIT, ReadProblem, read_text


def test_a_rule_file_that_is_not_utf8_points_at_its_first_bad_byte(tmp_path):
    path = tmp_path / "latin1.cex"
    path.write_bytes(b'source "t"\r\nmuscle tfl "TFL"\nmuscle m "M\xfcller"\n')
    loaded = load([path])
    (problem,) = loaded.diagnostics
    assert problem.message == "this file is not UTF-8 text: byte 0xfc cannot be decoded"
    assert (problem.span.line, problem.span.column) == (3, 12)
    shown = render_text(loaded.diagnostics, loaded.sources)
    assert '3 | muscle m "M\ufffdller"\n  |            ^\n' in shown
    assert "codec" not in shown


def test_a_bad_byte_after_a_byte_order_mark_is_counted_as_the_parser_counts(tmp_path):
    path = tmp_path / "bom.cex"
    path.write_bytes(b"\xef\xbb\xbfab\xff\n")
    (problem,) = load([path]).diagnostics
    assert (problem.span.line, problem.span.column) == (1, 3)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.cex"
    os.mkfifo(fifo)
    with pytest.raises(ReadProblem, match="is a FIFO"):
        read_text(fifo, RULE_FILE_LIMIT, "rule file")


def test_a_device_is_refused_without_reading_it():
    with pytest.raises(ReadProblem, match="this rule file is a character device"):
        read_text("/dev/zero", RULE_FILE_LIMIT, "rule file")


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.cex"
    with path.open("wb") as handle:  # sparse: 1 GB on paper, nothing on disk
        handle.truncate(1024 ** 3)
    with pytest.raises(ReadProblem, match=r"is 1\.0 GB; the limit is 10\.0 MB"):
        read_text(path, RULE_FILE_LIMIT, "rule file")


def test_an_unreadable_rule_file_is_a_diagnostic_naming_it(tmp_path):
    fifo = tmp_path / "pipe.cex"
    os.mkfifo(fifo)
    (problem,) = load([fifo]).diagnostics
    assert problem.message == f"cannot read {fifo}: this rule file is a FIFO (named pipe), " \
                              "not a regular file"


def test_reading_stops_at_the_limit_even_when_the_size_is_unknown(tmp_path):
    path = Path("/proc/self/status")  # a regular file whose size reads as 0
    if not path.exists():
        pytest.skip("no /proc")
    with pytest.raises(ReadProblem, match="larger than the limit"):
        read_text(path, 10, "rule file")
