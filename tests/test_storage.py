"""A failed write (full disk, read-only or forbidden folder) reads as one line, whatever
library raised it (zoo._storage)."""

import errno

import pytest

from zoo._cli import exit_on_user_error
from zoo._storage import storage_failure


def test_an_os_error_names_the_file_and_the_way_out():
    message = storage_failure(OSError(errno.ENOSPC, "No space left", "/runs/a/backup/x.npz"))
    assert message.startswith("cannot write /runs/a/backup/x.npz: no space left on the device")
    assert "--output-dir" in message and "resumes" in message


def test_a_library_error_that_keeps_only_the_text_is_recognised():
    try:
        try:
            raise RuntimeError("Unable to create file (name = '/ro/run/best.keras', errno = 30, "
                               "error message = 'Read-only file system')")  # fmt: skip
        except RuntimeError as inner:
            raise ValueError("saving failed") from inner
    except ValueError as error:
        message = storage_failure(error)
    assert message.startswith("cannot write /ro/run/best.keras: the file system is read-only")


def test_other_errors_are_not_storage_failures():
    assert storage_failure(ValueError("shapes (3,) and (4,) differ")) is None
    assert storage_failure(OSError(errno.ENOENT, "No such file", "x")) is None


def test_an_application_exits_2_with_the_line(capsys):
    @exit_on_user_error
    def main():
        raise OSError(errno.EROFS, "Read-only file system", "/ro/run/.lock")

    with pytest.raises(SystemExit) as exit_status:
        main()
    assert exit_status.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cannot write /ro/run/.lock: the file system is read-only" in err


def test_a_bug_keeps_its_traceback():
    @exit_on_user_error
    def main():
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        main()
