"""PY-ZIPSLIP-001's fixes, run for real: tidy archives extract exactly as before;
members named `../...` are refused instead of landing outside the folder."""

from __future__ import annotations

import io
import tarfile
import zipfile

import pytest

from tests.rules.fixrun import findings_of, fix_once, load_module

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SOURCE = '''
import os
import tarfile
import zipfile


def import_tar(archive_path, dest):
    with tarfile.open(archive_path) as tar:
        tar.extractall(dest)


def import_zip(zip_path, dest):
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            if name.endswith("/"):
                continue
            target = os.path.join(dest, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:
                out.write(archive.read(name))
'''

BENIGN = {"readme.txt": b"hello", "docs/guide.md": b"# guide"}
HOSTILE = {"ok.txt": b"fine", "../escaped.txt": b"pwned"}


def _tar(path, members):
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.fixture
def modules(tmp_path):
    assert len(findings_of(SOURCE, "PY-ZIPSLIP-001")) == 2
    fixed = fix_once(SOURCE, "PY-ZIPSLIP-001")
    assert not findings_of(fixed, "PY-ZIPSLIP-001")
    return load_module(SOURCE, tmp_path), load_module(fixed, tmp_path)


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_tidy_archives_extract_as_before(modules, tmp_path, kind) -> None:
    archive = tmp_path / f"benign.{kind}"
    (_tar if kind == "tar" else _zip)(archive, BENIGN)
    results = []
    for index, module in enumerate(modules):
        dest = tmp_path / f"out{index}" / "dest"
        dest.mkdir(parents=True)
        getattr(module, f"import_{kind}")(str(archive), str(dest))
        results.append(_tree(dest))
    assert results[0] == results[1] == BENIGN


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_escaping_members_are_refused(modules, tmp_path, kind) -> None:
    archive = tmp_path / f"hostile.{kind}"
    (_tar if kind == "tar" else _zip)(archive, HOSTILE)
    original, fixed = modules
    dest = tmp_path / "before" / "dest"
    dest.mkdir(parents=True)
    getattr(original, f"import_{kind}")(str(archive), str(dest))
    assert (dest.parent / "escaped.txt").read_bytes() == b"pwned", "the original writes outside its folder"

    dest = tmp_path / "after" / "dest"
    dest.mkdir(parents=True)
    with pytest.raises((ValueError, tarfile.TarError)):
        getattr(fixed, f"import_{kind}")(str(archive), str(dest))
    assert not (dest.parent / "escaped.txt").exists()
