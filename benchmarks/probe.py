"""The steps of one country's run timed one by one in one process (run by the benchmark in its project).

Usage: probe.py YEAR NOTEBOOK; prints `PROBE {json}`. A step that fails is recorded as its error.
"""

import inspect
import json
import sys
import time
from pathlib import Path

TIMES: dict = {}


def step(name, fn):
    """Time fn(); record its error instead when it fails."""
    start = time.perf_counter()
    try:
        out = fn()
    except Exception as exc:
        TIMES[name] = f"error: {type(exc).__name__}: {exc}"
        return None
    TIMES[name] = round(time.perf_counter() - start, 3)
    return out


def imports() -> None:
    step("import readmission.cli", lambda: __import__("readmission.cli"))
    step("import pandas + readmission.inputs.loading/editions/pipeline",
         lambda: [__import__(m) for m in ("pandas", "readmission.inputs.loading", "readmission.run.editions",
                                          "readmission.run.pipeline")])


def edition_steps(project, edition, method, year: int) -> tuple[list[str], object]:
    """Edition key, selection, public data, demo set and run keys; returns the codes and the demo folder."""
    from readmission.run import editions, runkeys
    from readmission.inputs import loading as inputs
    from readmission.base import paths as layout

    extra = ["public"] if "audience" in inspect.signature(runkeys.edition_digest).parameters else []
    step("edition key (hash every input file)", lambda: runkeys.edition_digest(
        project, year, project.public, project.restricted / str(year), *extra))
    selection = step("selection (read migr_eiord, classify)", lambda: editions.run_selection(project, edition))
    codes = selection.codes if selection else []
    # as the command reads them (with the caveats): parsed and validated, then from the on-disk cache
    # that an earlier run left (public_cache.py; absent in older code)
    public = step("load_public (read + validate all public data, first time in this process)",
                  lambda: inputs.load_public(project.public, [], project.reference))
    if "cache_dir" in inspect.signature(inputs.load_public).parameters:
        def from_cache():
            inputs._CACHE.clear()
            return inputs.load_public(project.public, [], project.reference, project.cache)

        public = step("load_public from the disk cache (an earlier run's; what the command and each "
                      "kernel do)", from_cache) or public

    def demo():
        from readmission.data.demo import make_demo

        states = inputs.edition_states(project, edition)
        from readmission.run.editions import public_rates

        return make_demo(public_rates(public, codes, year, states, method), year)

    step("demo generation for all countries (public rates + make_demo)", demo)
    confidential = layout.demo_folder(project, edition)  # written by the tool's --demo run
    loaded = step("load_inputs for all countries (after the above)", lambda: inputs.load_inputs(
        project, edition, method, codes, restricted_dir=confidential))

    def keys():
        from readmission.run.pipeline import notebook_parameters

        shared = runkeys.shared_digests(project, year)
        slices = runkeys.slice_digests(loaded, codes)
        return [runkeys.run_key(project, c, notebook_parameters(project, edition, c, project.public, confidential),
                                shared, slices[c]) for c in codes]

    step("run keys for all countries (hash slices)", keys)
    return codes, confidential


def start_kernel(manager, folder: Path):
    """A kernel started in `folder` as the tool starts its own, with a client ready to execute."""
    from readmission.run.kernels import KERNEL_ARGUMENTS

    manager.start_kernel(cwd=str(folder), extra_arguments=KERNEL_ARGUMENTS)
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=120)
    return client


def kernel_steps(notebook: Path, parameters: str) -> None:
    """Kernel start, the notebook's imports, its inputs twice (the set-up cell), and the warm reset."""
    from jupyter_client.manager import KernelManager

    cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    source = lambda c: "".join(c["source"])  # noqa: E731
    manager = KernelManager(kernel_name="python3")
    client = step("kernel start (until ready)", lambda: start_kernel(manager, notebook.parent))
    if client is None:
        return

    def run(code):
        reply = client.execute_interactive(code, timeout=600, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")

    # the set-up cell: its imports, then (from `project = `) the settings and inputs
    imports, _, rest = next(source(c) for c in cells if "load_inputs(" in source(c)).partition("\nproject = ")
    step("kernel: notebook imports (set-up cell)", lambda: run(imports))
    run(parameters)
    step("kernel: inputs (set-up cell, first country)", lambda: run("project = " + rest))
    step("kernel: inputs (set-up cell, again, same kernel)", lambda: run("project = " + rest))
    try:
        from readmission.run.kernels import RESET_CODE
        step("kernel: warm reset between notebooks", lambda: run(RESET_CODE))
    except ImportError:
        pass
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def main() -> None:
    year, notebook = int(sys.argv[1]), Path(sys.argv[2])
    imports()
    from readmission.settings.params import load_edition, load_method
    from readmission.base.paths import Project

    project = Project.default()
    edition, method = load_edition(year, project), load_method(project)
    codes, confidential = edition_steps(project, edition, method, year)
    if codes:
        kernel_steps(notebook, f"country = {codes[0]!r}\nyear = {year}\npublic_dir = {str(project.public)!r}\n"
                               f"restricted_dir = {str(confidential)!r}\nrelease = ''\n")
    print("PROBE " + json.dumps(TIMES))


if __name__ == "__main__":
    main()
