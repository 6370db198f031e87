"""Saving a case file: atomic, never over another session's edit, private, comments kept."""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

import pytest

from cexpert.engine.case import CaseError
from cexpert.store import casefile
from cexpert.store.casefile import (
    ChangedOnDisk,
    SaveError,
    Stamp,
    SymlinkRefused,
    read_case_file,
    save_case_file,
)
from cexpert.tui.state import Consultation, describe_case_file

OLD = '[client]\nname = "Old"\nage = 40\n'
NEW = '[client]\nname = "New"\nage = 41\ngoals = ["a much longer text than before"]\n'

# Every os call a save makes that can fail on a real disk.
STEPS = ("open", "read", "fstat", "write", "fchmod", "fsync", "close", "replace", "mkdir")


def _saved_file(tmp_path: Path, text: str = OLD, mode: int = 0o600) -> tuple[Path, Stamp]:
    path = tmp_path / "client.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path, read_case_file(path)[1]


class Fault:
    """Make the k-th os call of a save (counting only STEPS) raise ENOSPC."""

    def __init__(self, monkeypatch, k: int | None):
        self.k, self.calls, self.failed = k, 0, None
        for name in STEPS:
            monkeypatch.setattr(os, name, self._wrap(name, getattr(os, name)))

    def _wrap(self, name, real):
        def call(*args, **kwargs):
            n, self.calls = self.calls, self.calls + 1
            if n == self.k:
                self.failed = name
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(*args, **kwargs)
        return call


def _count_steps(monkeypatch, tmp_path: Path) -> int:
    folder = tmp_path / "count"
    folder.mkdir()
    path, stamp = _saved_file(folder)
    with monkeypatch.context() as patch:
        fault = Fault(patch, None)
        save_case_file(path, NEW, stamp)
        return fault.calls


def test_a_save_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path):
    path, stamp = _saved_file(tmp_path)
    saved = save_case_file(path, NEW, stamp)
    assert path.read_text(encoding="utf-8") == NEW
    assert saved.stamp == read_case_file(path)[1] and saved.warning is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["client.toml"]


def test_a_failure_at_any_step_of_a_save_keeps_the_old_file_and_says_why(
        monkeypatch, tmp_path):
    steps = _count_steps(monkeypatch, tmp_path)
    assert steps >= 6  # open folder, read, open temp, write, fsync, close, replace, fsync...
    failed_at = set()
    for k in range(steps):
        folder = tmp_path / f"k{k}"
        folder.mkdir()
        path, stamp = _saved_file(folder)
        with monkeypatch.context() as patch:
            fault = Fault(patch, k)
            try:
                saved = save_case_file(path, NEW, stamp)
            except SaveError as error:
                message = str(error)
            else:
                message = None
        failed_at.add(fault.failed)
        if message is None:  # saved: the failure came after the rename or did not matter
            assert path.read_text(encoding="utf-8") == NEW
            if fault.failed == "fsync":  # the folder's flush: saved, with a warning
                assert saved.warning and "disk is full" in saved.warning
            else:  # closing a descriptor only read from (the old file, the folder)
                assert fault.failed == "close" and saved.warning is None
        else:
            assert path.read_text(encoding="utf-8") == OLD, (k, fault.failed)
            assert "disk is full" in message and "Not saved" in message, message
            assert "Errno" not in message
        assert sorted(p.name for p in folder.iterdir()) == ["client.toml"], (k, fault.failed)
    assert {"write", "fsync", "replace", "open", "close"} <= failed_at


def test_the_error_names_the_step_that_failed(monkeypatch, tmp_path):
    path, stamp = _saved_file(tmp_path)

    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(SaveError, match=r"writing failed \(the disk is full"):
        save_case_file(path, NEW, stamp)
    assert path.read_text(encoding="utf-8") == OLD


def test_readers_during_saves_never_see_an_empty_or_partial_file(tmp_path):
    path, stamp = _saved_file(tmp_path)
    texts = [OLD, NEW]
    seen: set[str] = set()
    bad: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            text = path.read_text(encoding="utf-8")
            seen.add(text)
            if text not in texts:
                bad.append(text)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(300):
            stamp = save_case_file(path, texts[n % 2], stamp).stamp
    finally:
        done.set()
        reader.join()
    assert not bad
    assert seen == {OLD, NEW}


def test_a_file_changed_on_disk_since_it_was_opened_is_not_overwritten(tmp_path):
    path, stamp = _saved_file(tmp_path)
    path.write_text(OLD + "# edited by hand\n", encoding="utf-8")
    with pytest.raises(ChangedOnDisk, match="changed on disk since you opened it"):
        save_case_file(path, NEW, stamp)
    assert path.read_text(encoding="utf-8").endswith("# edited by hand\n")


def test_a_new_client_file_never_replaces_one_created_meanwhile(tmp_path):
    path = tmp_path / "kim.toml"
    path.write_text(OLD, encoding="utf-8")
    with pytest.raises(ChangedOnDisk, match="created by another program"):
        save_case_file(path, NEW, None)
    assert path.read_text(encoding="utf-8") == OLD


def test_two_sessions_on_one_file_cannot_silently_lose_an_update(service, tmp_path):
    path = tmp_path / "rae.toml"
    path.write_text('[client]\nname = "Rae"\nage = 60\n', encoding="utf-8")
    first = Consultation.from_file(service.kb, path)
    second = Consultation.from_file(service.kb, path)
    first.set_conditions(["osteoporosis"])
    first.save()
    second.set_age_text("61")
    with pytest.raises(ChangedOnDisk):
        second.save()
    saved = service.read_case(path)
    assert [c.id for c in saved.client.conditions] == ["osteoporosis"]
    assert saved.client.age == 60
    first.set_age_text("62")
    first.save()  # the session that saved last can go on saving
    assert service.read_case(path).client.age == 62


def test_new_client_files_are_private_and_so_is_a_new_clients_folder(service, tmp_path):
    os.umask(0o022)
    state = Consultation(service.kb)
    state.set_name("Kim")
    folder = tmp_path / "clients"
    saved = state.save(state.default_path(folder))
    assert stat.S_IMODE(saved.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_save_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path, stamp = _saved_file(tmp_path, mode=0o640)
    save_case_file(path, NEW, stamp)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_symlinked_case_file_is_not_written_through_without_asking(tmp_path):
    target, stamp = _saved_file(tmp_path)
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    with pytest.raises(SymlinkRefused, match="is a link to") as refused:
        save_case_file(link, NEW, stamp)
    assert refused.value.target == target.resolve()
    assert target.read_text(encoding="utf-8") == OLD
    saved = save_case_file(link, NEW, stamp, follow_link=True)
    assert saved.path == target.resolve() and link.is_symlink()
    assert link.read_text(encoding="utf-8") == NEW


def test_an_inline_comment_inside_an_array_survives_an_edit_of_that_array(service):
    text = ('[client]\nname = "A"\ngoals = [\n  "walk",  # the dog, daily\n  "ski",\n]\n\n'
            '[assessment]\nohsa = [\n  "feet_turn_out",  # both sides\n  "knee valgus",\n]\n')
    state = Consultation.from_text(service.kb, text)
    state.set_observed("ohsa", "low_back_arches", "both", True)
    state.set_observed("ohsa", "feet_turn_out", "both", False)
    state.set_goals_text("walk; ski; run")
    out = state.to_toml()
    assert '"walk",  # the dog, daily' in out
    assert '"knee valgus",' in out  # kept as the trainer spelled it
    assert "feet_turn_out" not in out and "both sides" not in out  # went with its entry
    case = service.parse_case(out)
    assert case.client.goals == ("walk", "ski", "run") or list(case.client.goals) == [
        "walk", "ski", "run"]
    assert {o.finding for o in case.observations} == {"knees_move_inward", "low_back_arches"}


def test_a_fifo_in_the_clients_folder_is_refused_not_read(service, tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    info = describe_case_file(fifo)
    assert not info.readable and "not a regular file" in info.detail
    with pytest.raises(CaseError, match="not a regular file"):
        Consultation.from_file(service.kb, fifo)


def test_a_huge_file_is_refused_with_its_size(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text("# " + "x" * 200, encoding="utf-8")
    with pytest.raises(casefile.CaseFileError, match="202 bytes: too big for a case file"):
        casefile.read_bytes(path, limit=100)
