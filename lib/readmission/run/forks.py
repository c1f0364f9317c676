"""Work spread over forks of this process, made once what they read is loaded (nothing is pickled but
the results), this process doing the first share and one fork each other share: the restricted
phase's assessments (release_step.py).
"""

from __future__ import annotations

import multiprocessing
import signal
from typing import Callable, TypeVar

Share = TypeVar("Share")
Result = TypeVar("Result")


def forked_start() -> None:
    """A fork's start: SIGTERM ends it at once, as it ends any process (the command's own handler,
    inherited, would raise KeyboardInterrupt instead), and Ctrl-C is the command's to handle (it
    ends the forks)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def do_share(work: Callable[[Share], Result], share: Share, sender) -> None:
    """In a fork: `work(share)`, sent back as (True, result), or (False, the exception)."""
    forked_start()
    try:
        answer = (True, work(share))
    except BaseException as exc:  # the command raises it
        answer = (False, exc)
    try:
        sender.send(answer)
    except Exception as exc:  # an exception that does not pickle: its words
        sender.send((False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]} ({exc})")))
    finally:
        sender.close()


def spread(work: Callable[[Share], Result], shares: list[Share]) -> list[Result]:
    """[work(share) for share in shares]: the first share in this process, each other in a fork of its
    own. A fork's error is raised here; on any error the forks are ended."""
    if len(shares) <= 1:
        return [work(share) for share in shares]
    context, forks = multiprocessing.get_context("fork"), []
    try:
        for share in shares[1:]:
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=do_share, args=(work, share, sender), daemon=True)
            process.start()
            sender.close()
            forks.append((process, receiver))
        results = [work(shares[0])]
        for process, receiver in forks:
            try:
                ok, value = receiver.recv()
            except EOFError:
                process.join()
                raise RuntimeError(f"a fork ended without an answer (exit code {process.exitcode})") from None
            if not ok:
                raise value
            results.append(value)
    except BaseException:
        for process, _ in forks:
            if process.is_alive():
                process.terminate()
        raise
    finally:
        for process, receiver in forks:
            process.join()
            receiver.close()
    return results
