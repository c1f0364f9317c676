"""Jupyter kernels and worker processes: a warm kernel per process, and their end with the run.

Kernel start-up and imports dominate a country's cost, so each process keeps one kernel and resets
it between notebooks; papermill's own nbclient engine executes every notebook on it, with nbclient's
semantics and papermill's options (execution timeout, stdout/stderr files, logging). The kernel
starts as early as its process (a worker's initializer, or the CLI before it loads inputs), and one
client talks to it for its whole life, its channels connected and checked once. The reset between
notebooks restores what a notebook may change in its kernel (names, figures, matplotlib's, pandas'
and numpy's settings, warnings filters, logging, the working folder, the environment); a notebook
that fails on a timeout, or whose kernel died or left, hands no kernel on: the next notebook starts
a fresh one. Every process a run starts must end with it: workers ignore Ctrl-C (the run stops
them) and exit when their parent dies; a kernel exits when its parent dies (ipykernel's parent
poller, via JPY_PARENT_PID), and the warm kernel is shut down when a command ends.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from contextlib import contextmanager
from multiprocessing import util
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import KernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from papermill.engines import NBClientEngine, papermill_engines

from ..base.outputs import EnvironmentFault
from ..base.paths import Project

KERNEL = "python3"
PARENT_POLL_SECONDS = 0.5
# IPython's input history is off in the tool's kernels: a notebook's cells are in the notebook, and
# otherwise every run appends every country's cells to the user's ~/.ipython history database, on a
# thread that writes to SQLite after each cell.
# At start, before any notebook, each kernel records what the reset restores and makes exit() fail
# its notebook (kernel_setup.py).
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False",
                    f"--IPKernelApp.exec_files={str(Path(__file__).with_name('kernel_setup.py'))!r}"]


# Cheaper than `%reset -f` (which also rebuilds the namespace, clears aliases and history and runs a
# full gc.collect): drop the notebook's own names and the output cache, close figures, and restore
# every setting a notebook may change in its kernel to what it was when the kernel started
# (kernel_setup.py). What a notebook computes never depends on what the previous one left.
RESET_CODE = """\
def _readmission_reset(ip=get_ipython()):
    import logging, os, sys, warnings
    import matplotlib as mpl, matplotlib.pyplot as plt
    for name in [n for n in ip.user_ns if n not in ip.user_ns_hidden]:
        del ip.user_ns[name]
    ip.user_ns["Out"].clear()
    for name in ("_", "__", "___"):
        setattr(ip.displayhook, name, "")
    plt.close("all")
    mpl.rcdefaults()
    cwd, environ, filters, handlers, level = sys._readmission_baseline
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(environ)
    warnings.filters[:] = filters
    warnings._filters_mutated()
    logging.root.handlers[:] = handlers
    logging.root.setLevel(level)
    if "pandas" in sys.modules:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sys.modules["pandas"].reset_option("all")
    if "numpy" in sys.modules:
        sys.modules["numpy"].set_printoptions(edgeitems=3, threshold=1000, floatmode="maxprec", precision=8,
                                              suppress=False, linewidth=75, nanstr="nan", infstr="inf",
                                              sign="-", formatter=None, legacy=False)
_readmission_reset()
"""


def no_backend_env():
    """MPLBACKEND taken out of the environment while a kernel starts or runs (the notebooks set
    `%matplotlib inline` themselves); returns a function that puts it back."""
    value = os.environ.pop("MPLBACKEND", None)

    def restore() -> None:
        if value is not None:
            os.environ["MPLBACKEND"] = value
    return restore


class WarmClient(AsyncKernelClient):
    """The kernel's one client, asynchronous as nbclient's own (its timeout and its check that the
    kernel lives run beside the wait for output). Its channels start, and are checked ready, once:
    nbclient asks again for every notebook, and each check would wait for the kernel's messages to
    settle."""

    started = ready = False

    def start_channels(self, *args, **kwargs) -> None:
        if not self.started:
            super().start_channels(*args, **kwargs)
            self.started = True

    async def wait_for_ready(self, timeout=None) -> None:
        if not self.ready:
            await super().wait_for_ready(timeout=timeout)
            self.ready = True


class WarmManager(KernelManager):
    """A kernel manager with one client for the kernel's life, its channels started at once (the
    first notebook, or the first reset, waits for the kernel to be ready)."""

    warm_client = None

    def client(self, **kwargs):
        if self.warm_client is None:
            self.client_factory = WarmClient
            self.warm_client = super().client(**kwargs)
            self.warm_client.start_channels()
        return self.warm_client


def killed_by_signal(km) -> str:
    """'signal SIGKILL' when the kernel's process ended on a signal (the OOM killer, `kill`), else ''
    (a kernel that ended itself, os._exit, is the notebook's own failure)."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    code = process.poll() if process is not None else None
    if code is None or code >= 0:
        return ""
    try:
        return f"signal {signal.Signals(-code).name}"
    except ValueError:
        return f"signal {-code}"


def run_code(km, code: str, timeout: float) -> dict:
    """Run `code` on the warm kernel and return its reply, on this thread's event loop (nbclient's
    too). Outputs are not asked for (silent); a kernel that dies meanwhile is noticed within a
    second (nbclient's DeadKernelError), not at the timeout."""

    async def run() -> dict:
        client = km.client()
        await client.wait_for_ready(timeout=120)
        msg_id = client.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = await client.get_shell_msg(timeout=1)
            except queue.Empty:
                if not km.is_alive():
                    raise DeadKernelError("the warm kernel died") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the warm kernel did not answer within {timeout} s") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    return run_sync(run)()


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine on this process's warm kernel, reset between notebooks.

    Execution counts are renumbered afterwards (execute.clean_notebook), so outputs equal a cold
    run's (papermill's default engine on a fresh kernel: tests/test_warm_kernel.py compares them
    byte for byte, tests/test_engine_semantics.py each way a notebook can behave)."""

    kernel_manager = None
    new_log: list = []  # the kernel log (and its folder) this process created, until a command ends
    kernel_key: tuple = ()
    used = False  # a notebook ran since the kernel started or was reset

    @classmethod
    def start(cls, kernel_name: str):
        """This process's kernel, started now if there is none for this folder and project."""
        # a kernel keeps the folder and environment it was started with: a new project needs a new one
        key = (kernel_name, os.getcwd(), os.environ.get("READMISSION_ROOT"),
               os.environ.get("READMISSION_SYNTHETIC_COUNTRIES"))
        km = cls.kernel_manager
        if km is not None and key != cls.kernel_key:
            shutdown_warm_kernel()
            km = None
        if km is not None and not km.is_alive():  # it died: its channels and connection file go too
            stop_kernel(km)
            km = None
        if km is None:
            km = WarmManager(kernel_name=kernel_name)
            # the kernel process's own stderr (start-up warnings, crashes) goes to a log, not the console
            log = Project(Path(os.getcwd()).parent).kernel_log  # started in the project's notebooks/
            if not log.exists():  # a command that then fails removes what it created (shutdown_warm_kernel)
                cls.new_log = [p for p in (log.parent, log) if not p.exists()]
            log.parent.mkdir(parents=True, exist_ok=True)
            restore = no_backend_env()
            try:
                km.start_kernel(cwd=os.getcwd(), stderr=open(log, "ab"), extra_arguments=KERNEL_ARGUMENTS)
            finally:
                restore()
            cls.kernel_manager, cls.kernel_key, cls.used = km, key, False
            util.Finalize(cls, shutdown_warm_kernel, exitpriority=10)
        return km

    @classmethod
    def warm_kernel(cls, kernel_name: str):
        """The kernel for the next notebook: started, or reset if a notebook ran on it."""
        km = cls.start(kernel_name)
        if cls.used:
            try:
                reset(km)
            except (DeadKernelError, TimeoutError):  # it left after its last notebook: a fresh one
                shutdown_warm_kernel()
                km = cls.start(kernel_name)
        cls.used = True
        return km

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        """papermill's nbclient execution, handed the warm kernel. A notebook that did not finish
        (a cell past the execution timeout still runs in its kernel) or whose kernel died or left
        hands no kernel on: the next notebook starts a fresh one."""
        km = kwargs["km"] = cls.warm_kernel(kernel_name)
        try:
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
        except DeadKernelError as exc:
            killed = killed_by_signal(km)
            shutdown_warm_kernel()
            if killed:  # out of memory, or killed by hand: the machine failed, not the calculation
                raise EnvironmentFault(f"the notebook's kernel was killed from outside ({killed}; out of "
                                       "memory?)") from exc
            raise
        except BaseException:
            shutdown_warm_kernel()
            raise
        finally:
            if cls.kernel_manager is not None and not cls.kernel_manager.is_alive():
                shutdown_warm_kernel()


papermill_engines.register("warm", WarmKernelEngine)


def reset(km) -> None:
    """Wipe a warm kernel's namespace and restore its settings before the next notebook."""
    answer = run_code(km, RESET_CODE, timeout=60)
    if answer["content"]["status"] != "ok":
        raise RuntimeError(f"the warm kernel's reset failed: {answer['content'].get('evalue')}")


def prestart(kernel_name: str, cwd: Path) -> None:
    """Start this process's kernel in `cwd` now, without waiting for it: it boots while the caller
    goes on (loading inputs); the first notebook finds it ready or nearly."""
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        WarmKernelEngine.start(kernel_name)
    finally:
        os.chdir(previous)


# What every notebook's first cells import and read, done in a kernel while the CLI still selects
# countries and loads the inputs (the reset before the first notebook drops these names; the modules
# and the per-process memo of public statistics stay). The statistics come from the disk cache only:
# when it is stale the CLI is parsing the files meanwhile, and the first notebook reads what it stores.
WARM_UP_CODE = """\
%matplotlib inline
from pathlib import Path
from readmission.method import assessment, cooperation, findings, history, results
from readmission.pages import charts, presentation
from readmission.inputs.loading import preload_public
from readmission.base.paths import Project
_project = Project.default()
preload_public(Path({public!r}), _project.reference, _project.cache)
import gc, logging
# the kernel's logger passes every debug record (four a cell) to a handler that drops them
get_ipython().kernel.log.setLevel(logging.WARNING)
gc.freeze()  # modules and public data live as long as the kernel: no collection walks them again
"""


def warm_up(public_dir: str) -> None:
    """Imports and public statistics loaded in this process's kernel before its first notebook,
    queued as a request the kernel runs as soon as it is up: this process goes on meanwhile, and
    the first notebook's cells run after it (a kernel answers requests in order).

    A failure here is left for the notebook to meet and report (a missing file, a bad row)."""
    km = WarmKernelEngine.kernel_manager
    if km is None:
        return
    km.client().execute(WARM_UP_CODE.format(public=public_dir), silent=True, store_history=False)
    WarmKernelEngine.used = True  # the first notebook starts from a reset namespace


def stop_kernel(km) -> None:
    """Close a kernel's client and stop it (a dead one too: its connection file is removed)."""
    try:
        if km.warm_client is not None:
            km.warm_client.stop_channels()
        km.shutdown_kernel(now=True)
    except Exception:  # already gone: nothing left to stop
        pass


def shutdown_warm_kernel(failed: bool = False) -> None:
    """Stop this process's warm kernel, if any (at the end of a command, or on an interrupt); after
    a failed command, also remove the kernel log it created, so a refused input leaves no file."""
    km, WarmKernelEngine.kernel_manager = WarmKernelEngine.kernel_manager, None
    new_log, WarmKernelEngine.new_log = WarmKernelEngine.new_log, []
    if km is not None:
        stop_kernel(km)
    if failed:
        for path in reversed(new_log):  # the file, then its folder if the command made it
            try:
                path.unlink() if path.suffix else path.rmdir()
            except OSError:
                pass


def kill_warm_kernel() -> None:
    """Kill this process's kernel at once (a worker told to stop: no time for a clean shutdown),
    and remove its connection file, which only a clean shutdown would (a file in the temporary
    folder, holding the kernel's ports and key, left behind by every interrupted run)."""
    km = WarmKernelEngine.kernel_manager
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is not None:
        try:
            process.kill()
        except OSError:
            pass
    if km is not None:
        km.cleanup_connection_file()


def exit_with_parent(parent: int, poll: float = PARENT_POLL_SECONDS) -> None:
    """End this process soon after its parent `parent` dies, even if it died while this one started
    (a killed CLI must not leave workers behind)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        kill_warm_kernel()  # (its own parent poller would end it too, a little later)
        os._exit(1)

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


def init_worker(parent: int, notebooks: str | None = None, public_dir: str | None = None) -> None:
    """A worker process's start: Ctrl-C is the run's to handle; the death of `parent` ends it, and
    its kernel with it. With `notebooks`, the worker starts its kernel there at once, and with
    `public_dir` warms it up (imports, public statistics) before taking its first country."""

    def stop(*_) -> None:
        kill_warm_kernel()
        os._exit(1)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)
    exit_with_parent(parent)
    if notebooks is not None:
        prestart(KERNEL, Path(notebooks))
        if public_dir is not None:
            warm_up(public_dir)
