"""Work spread over forks (run/forks.py): results in order, errors raised in the command, and no hang
when the command's own SIGTERM handler (cli._interrupt, which raises KeyboardInterrupt) is inherited:
a pool left with `with` terminated its forks through that handler and, now and then, waited for ever."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from readmission.run import forks


def pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def test_the_first_share_is_done_here_and_the_others_in_forks_in_order():
    results = forks.spread(pid_and_square, [1, 2, 3])
    assert [square for _, square in results] == [1, 4, 9]
    assert results[0][0] == os.getpid() and len({pid for pid, _ in results}) == 3
    assert forks.spread(pid_and_square, [5]) == [(os.getpid(), 25)] and forks.spread(pid_and_square, []) == []


def fails_on_two(x: int) -> int:
    if x == 2:
        raise ValueError("share 2 failed")
    return x


def test_an_error_in_a_fork_is_raised_here():
    with pytest.raises(ValueError, match="share 2 failed"):
        forks.spread(fails_on_two, [1, 2, 3])


@pytest.mark.slow
def test_many_spreads_under_the_commands_sigterm_handler_never_hang():
    """The pattern that hung the 50-country run with 3 workers (about one spread in a few hundred),
    repeated: with the forks' own start and no termination on success, each spread ends."""
    script = textwrap.dedent("""
        import signal, time
        from readmission.cli import _interrupt
        from readmission.run import forks
        signal.signal(signal.SIGTERM, _interrupt)
        def work(x):
            time.sleep(0.002 * x)
            return x
        for _ in range(300):
            assert forks.spread(work, [1, 2, 3]) == [1, 2, 3]
        print("done")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "done" and "KeyboardInterrupt" not in done.stderr, done.stderr[-500:]
