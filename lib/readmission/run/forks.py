"""Work spread over forks of this process, made once what they read is loaded (nothing is pickled but
the results), this process doing the first share: the restricted phase's assessments (release_step.py).
"""

from __future__ import annotations

import multiprocessing
import signal
from typing import Callable, TypeVar

Share = TypeVar("Share")
Result = TypeVar("Result")


def forked_start() -> None:
    """A fork's start: SIGTERM ends it at once, as it ends any process (the command's own handler,
    inherited, raises inside the pool's locks and can leave the pool waiting for ever), and Ctrl-C
    is the command's to handle (it ends the forks)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def spread(work: Callable[[Share], Result], shares: list[Share]) -> list[Result]:
    """[work(share) for share in shares]: the first share in this process, each other in a fork of it."""
    if len(shares) <= 1:
        return [work(share) for share in shares]
    pool = multiprocessing.get_context("fork").Pool(len(shares) - 1, initializer=forked_start)
    try:
        forked = [pool.apply_async(work, (share,)) for share in shares[1:]]
        results = [work(shares[0])] + [part.get() for part in forked]
        pool.close()  # the forks end once their work is done: none is killed holding the pool's locks
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return results
