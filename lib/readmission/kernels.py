"""Jupyter kernels and worker processes: a warm kernel per process, and their end with the run.

Kernel start-up and imports dominate a country's cost, so each process keeps one kernel and resets
it between notebooks. The kernel starts as early as its process (a worker's initializer, or the CLI
before it loads inputs), and one client talks to it for its whole life, its channels connected and
checked once. A notebook's cells go to the kernel in one execute request (cell_runner.py) rather
than one each, as nbclient sends them: the messaging per cell and per output was most of what a
country cost beyond its own work. Every process a run starts must end with it: workers ignore Ctrl-C
(the run stops them) and exit when their parent dies; a kernel exits when its parent dies
(ipykernel's parent poller, via JPY_PARENT_PID), and the warm kernel is shut down when a command ends.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient.exceptions import DeadKernelError
from papermill.engines import Engine, papermill_engines

from .cell_runner import PAYLOAD

KERNEL = "python3"
PARENT_POLL_SECONDS = 0.5
# IPython's input history is off in the tool's kernels: a notebook's cells are in the notebook, and
# otherwise every run appends every country's cells to the user's ~/.ipython history database, on a
# thread that writes to SQLite after each cell.
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]

# Cheaper than `%reset -f` (which also rebuilds the namespace, clears aliases and history and runs a
# full gc.collect): drop the notebook's own names and the output cache, close figures, restore
# matplotlib's settings. What a notebook computes never depends on what the previous one left.
RESET_CODE = """\
def _readmission_reset(ip=get_ipython()):
    import matplotlib as mpl, matplotlib.pyplot as plt
    for name in [n for n in ip.user_ns if n not in ip.user_ns_hidden]:
        del ip.user_ns[name]
    ip.user_ns["Out"].clear()
    for name in ("_", "__", "___"):
        setattr(ip.displayhook, name, "")
    plt.close("all")
    mpl.rcdefaults()
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


class WarmManager(KernelManager):
    """A kernel manager with one client for the kernel's life, its channels started and checked once."""

    warm_client = None

    def client(self, **kwargs):
        if self.warm_client is None:
            self.warm_client = super().client(**kwargs)
            self.warm_client.start_channels()
            self.warm_client.wait_for_ready(timeout=120)
        return self.warm_client


class WarmKernelEngine(Engine):
    """A papermill engine that keeps one kernel per process, resets it between notebooks and sends
    a notebook's cells to it in one request.

    Between notebooks the namespace is wiped, figures closed and matplotlib's settings restored;
    execution counts are renumbered afterwards (execute.clean_notebook), so outputs equal a cold
    run's (nbclient's, on a fresh kernel: tests/test_warm_kernel.py compares them byte for byte).
    """

    kernel_manager = None
    warming: threading.Thread | None = None  # warm_up running for this process's kernel (warm_up_soon)
    new_log: list = []  # the kernel log (and its folder) this process created, until a command ends
    kernel_key: tuple = ()
    used = False  # a notebook ran since the kernel started or was reset
    language_info: dict | None = None  # the kernel's, for the notebook's metadata (asked once)

    @classmethod
    def start(cls, kernel_name: str):
        """This process's kernel, started now if there is none for this folder and project."""
        from multiprocessing import util

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
            log = Path(os.getcwd()).parent / "logs" / "kernels.log"
            if not log.exists():  # a command that then fails removes what it created (shutdown_warm_kernel)
                cls.new_log = [p for p in (log.parent, log) if not p.exists()]
            log.parent.mkdir(parents=True, exist_ok=True)
            restore = no_backend_env()
            try:
                km.start_kernel(cwd=os.getcwd(), stderr=open(log, "ab"), extra_arguments=KERNEL_ARGUMENTS)
            finally:
                restore()
            cls.kernel_manager, cls.kernel_key, cls.used, cls.language_info = km, key, False, None
            util.Finalize(cls, shutdown_warm_kernel, exitpriority=10)
        return km

    @classmethod
    def warm_kernel(cls, kernel_name: str):
        """The kernel for the next notebook: started, or reset if a notebook ran on it."""
        if cls.warming is not None:  # its warm-up ends first (the client is not shared across threads)
            cls.warming.join()
            cls.warming = None
        km = cls.start(kernel_name)
        if cls.used:
            reset(km)
        cls.used = True
        return km

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        """Run the notebook's cells in the warm kernel and fill in their outputs, cell by cell
        through papermill's manager as nbclient would (it stops after the first failing cell)."""
        km = cls.warm_kernel(kernel_name)
        results = iter(run_cells(km, [cell.source for cell in nb_man.nb.cells if executes(cell)]))
        for index, cell in enumerate(nb_man.nb.cells):
            nb_man.cell_start(cell, index)
            try:
                if executes(cell):
                    result = next(results)
                    cell.outputs = [nbformat.from_dict(output) for output in result["outputs"]]
                    cell.execution_count = result["execution_count"]
                    if not result["ok"]:
                        nb_man.cell_exception(cell, cell_index=index)
                        break
            finally:
                nb_man.cell_complete(cell, cell_index=index)
        if cls.language_info is None:
            client = km.client()
            cls.language_info = reply(client, client.kernel_info())["content"]["language_info"]
        nb_man.nb.metadata["language_info"] = cls.language_info
        nbformat.validate(nb_man.nb)  # the outputs were built here, not by nbformat's output_from_msg


papermill_engines.register("warm", WarmKernelEngine)


def executes(cell) -> bool:
    """Whether nbclient would execute a cell: code, not blank, not tagged skip-execution."""
    return (cell.cell_type == "code" and bool(cell.source.strip())
            and "skip-execution" not in cell.metadata.get("tags", []))


def reply(client, msg_id: str) -> dict:
    """The kernel's reply to request `msg_id` (an earlier request's reply left unread is skipped)."""
    while True:
        msg = client.get_shell_msg(timeout=60)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def run_cells(km, sources: list[str]) -> list[dict]:
    """Each cell's outputs, execution count and status, from one execute request (cell_runner.py).

    Waits as long as the cells take, checking every second that the kernel still lives (nbclient's
    DeadKernelError if not). What reaches the client outside the cells' results is not kept:
    output written to the kernel's file descriptors by C code, and displays from other threads than
    the kernel's main one (the message hooks are per thread). The tool's notebooks make neither."""
    client = km.client()
    msg_id = client.execute(f"__import__('readmission.cell_runner').cell_runner.run_cells({sources!r})",
                            silent=True, store_history=False, allow_stdin=False)
    results, failure = None, None
    while True:
        try:
            msg = client.get_iopub_msg(timeout=1)
        except queue.Empty:
            if not km.is_alive():
                raise DeadKernelError("the kernel died while running the notebook's cells") from None
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "display_data" and PAYLOAD in content.get("data", {}):
            results = content["data"][PAYLOAD]
        elif kind == "error":
            failure = f"{content.get('ename')}: {content.get('evalue')}"
        elif kind == "status" and content.get("execution_state") == "idle":
            break
    reply(client, msg_id)
    if results is None:
        raise RuntimeError(f"the kernel could not run the notebook's cells: {failure or 'no results'}")
    return results


def reset(km) -> None:
    """Wipe a warm kernel's namespace and figures before the next notebook (on its one client)."""
    answer = km.client().execute_interactive(RESET_CODE, store_history=False, timeout=60,
                                             output_hook=lambda msg: None)
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
from readmission import assessment, charts, cooperation, findings, history, presentation, results
from readmission.inputs import preload_public
from readmission.project import Project
_project = Project.default()
preload_public(Path({public!r}), _project.reference, _project.cache)
import gc, logging
# the kernel's logger passes every debug record (four a cell) to a handler that drops them
get_ipython().kernel.log.setLevel(logging.WARNING)
gc.freeze()  # modules and public data live as long as the kernel: no collection walks them again
"""


def warm_up(public_dir: str) -> None:
    """Imports and public statistics loaded in this process's kernel before its first notebook.

    A failure here is left for the notebook to meet and report (a missing file, a bad row)."""
    km = WarmKernelEngine.kernel_manager
    if km is None:
        return
    try:
        km.client().execute_interactive(WARM_UP_CODE.format(public=public_dir), store_history=False,
                                        timeout=600, output_hook=lambda msg: None)
    except Exception:  # the kernel died or timed out: the first notebook will say so
        pass
    WarmKernelEngine.used = True  # the first notebook starts from a reset namespace


def warm_up_soon(public_dir: str) -> None:
    """warm_up in a thread: this process goes on (selection, inputs) while its kernel imports and
    reads; the first notebook on the kernel waits for the warm-up to end."""
    WarmKernelEngine.warming = threading.Thread(target=warm_up, args=(public_dir,), name="kernel-warm-up",
                                                daemon=True)
    WarmKernelEngine.warming.start()


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
    WarmKernelEngine.warming = None  # a warm-up still running ends with its kernel's channels
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
