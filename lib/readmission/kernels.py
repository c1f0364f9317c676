"""Jupyter kernels and worker processes: a warm kernel per process, and their end with the run.

Kernel start-up and imports dominate a country's cost, so each process keeps one kernel and resets
it between notebooks. Every process a run starts must end with it: workers ignore Ctrl-C (the run
stops them) and exit when their parent dies; a kernel exits when its parent dies (ipykernel's
parent poller, via JPY_PARENT_PID), and the warm kernel is shut down when a command ends.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from papermill.engines import NBClientEngine, papermill_engines

KERNEL = "python3"
PARENT_POLL_SECONDS = 0.5

RESET_CODE = """\
%reset -f
import matplotlib as _mpl, matplotlib.pyplot as _plt
_plt.close("all")
_mpl.rcdefaults()
del _mpl, _plt
"""


class WarmKernelEngine(NBClientEngine):
    """A papermill engine that keeps one kernel per process and resets it between notebooks.

    Between notebooks the namespace is wiped, figures closed and matplotlib's settings restored;
    execution counts are renumbered afterwards (execute.clean_notebook), so outputs equal a cold run's.
    """

    kernel_manager = None
    kernel_key: tuple = ()

    @classmethod
    def warm_kernel(cls, kernel_name: str):
        from jupyter_client.manager import KernelManager
        from multiprocessing import util

        # a kernel keeps the folder and environment it was started with: a new project needs a new one
        key = (kernel_name, os.getcwd(), os.environ.get("READMISSION_ROOT"),
               os.environ.get("READMISSION_SYNTHETIC_COUNTRIES"))
        km = cls.kernel_manager
        if km is not None and key != cls.kernel_key:
            shutdown_warm_kernel()
            km = None
        if km is None or not km.is_alive():
            km = KernelManager(kernel_name=kernel_name)
            # the kernel process's own stderr (start-up warnings, crashes) goes to a log, not the console
            log = Path(os.getcwd()).parent / "logs" / "kernels.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            km.start_kernel(cwd=os.getcwd(), stderr=open(log, "ab"))
            cls.kernel_manager, cls.kernel_key = km, key
            util.Finalize(cls, shutdown_warm_kernel, exitpriority=10)
        else:
            reset(km)
        return km

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        kwargs["km"] = cls.warm_kernel(kernel_name)
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


papermill_engines.register("warm", WarmKernelEngine)


def reset(km) -> None:
    """Wipe a warm kernel's namespace and figures before the next notebook."""
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        client.execute_interactive(RESET_CODE, store_history=False, timeout=60,
                                   output_hook=lambda msg: None)
    finally:
        client.stop_channels()


def shutdown_warm_kernel() -> None:
    """Stop this process's warm kernel, if any (at the end of a command, or on an interrupt)."""
    km, WarmKernelEngine.kernel_manager = WarmKernelEngine.kernel_manager, None
    if km is not None:
        try:
            km.shutdown_kernel(now=True)
        except Exception:  # already gone: nothing left to stop
            pass


def exit_with_parent(parent: int, poll: float = PARENT_POLL_SECONDS) -> None:
    """End this process soon after its parent `parent` dies, even if it died while this one started
    (a killed CLI must not leave workers behind)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(1)  # the kernel's own parent poller ends it in turn

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


@contextmanager
def starting_workers():
    """Processes started in this block begin with Ctrl-C ignored (kept across exec), so a Ctrl-C
    while a worker still imports is the run's to handle, not a traceback of the worker's."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def init_worker(parent: int) -> None:
    """A worker process's start: Ctrl-C is the run's to handle; the death of `parent` ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(1))
    exit_with_parent(parent)
