"""Inside a warm kernel: a notebook's code cells run one after another within one execute request,
each cell's outputs recorded as nbclient records them, all sent back in one message.

A cell sent as its own execute request costs about 6 ms of messaging (the kernel's status, input and
reply messages, both sides' signing and parsing), and each output another 1.5 ms: a country page has
twenty cells and forty outputs (benchmarks/machinery.py). Here every cell still runs through
IPython's `run_cell` (magics, the display hook, post-execute hooks such as the inline backend's), so
what a cell computes and shows is unchanged; only how its outputs travel differs. Outputs are caught
where ipykernel would send them: the display publisher's and display hook's message hooks, the
traceback display, and the cell's own stdout and stderr. Output a C library writes to the process's
file descriptors, and displays from other threads, bypass these and reach the client as stray
messages (see kernels.run_cells).

Imported in the kernel only: no pandas, nothing from the rest of the package.
"""

from __future__ import annotations

import io
import sys

PAYLOAD = "application/x-readmission-cells+json"  # the one display message that carries the results


class _Stream:
    """A cell's sys.stdout or sys.stderr: what is written becomes its stream outputs, in order."""

    encoding, errors = "utf-8", "strict"

    def __init__(self, recorder: CellOutputs, name: str):
        self.recorder, self.name = recorder, name

    def write(self, text: str) -> int:
        self.recorder.stream(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise io.UnsupportedOperation("a cell's output stream has no file descriptor")  # as StringIO


class CellOutputs:
    """The outputs of the cell running now, as nbformat output dicts, and display ids for updates."""

    def __init__(self, displays: dict):
        self.outputs: list[dict] = []
        self.displays = displays  # display_id -> outputs showing it (updates reach earlier cells too)
        self.clear_before_next = False

    def add(self, output: dict) -> None:
        if self.clear_before_next:
            self.outputs.clear()
            self.clear_before_next = False
        self.outputs.append(output)

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        last = self.outputs[-1] if self.outputs and not self.clear_before_next else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.add({"output_type": "stream", "name": name, "text": text})

    def display(self, msg: dict) -> None:
        """A display_data or update_display_data message, kept instead of sent (a message hook)."""
        content = msg["content"]
        display_id = (content.get("transient") or {}).get("display_id")
        if msg["header"]["msg_type"] == "update_display_data":
            for output in self.displays.get(display_id, []):
                output["data"], output["metadata"] = content["data"], content["metadata"]
            return None
        output = {"output_type": "display_data", "data": content["data"], "metadata": content["metadata"]}
        self.add(output)
        if display_id:
            self.displays.setdefault(display_id, []).append(output)
        return None

    def result(self, msg: dict) -> None:
        """The cell's execute_result (the display hook's message), kept instead of sent."""
        content = msg["content"]
        self.add({"output_type": "execute_result", "data": content["data"],
                  "metadata": content["metadata"], "execution_count": content.get("execution_count")})
        return None

    def error(self, etype, evalue, stb) -> None:
        """The traceback ipykernel would send as an error message (its _showtraceback)."""
        self.add({"output_type": "error", "ename": str(etype.__name__), "evalue": str(evalue),
                  "traceback": list(stb)})

    def clear(self, wait: bool = False) -> None:
        if wait:
            self.clear_before_next = True
        else:
            self.outputs.clear()


def run_cell(ip, source: str, displays: dict) -> dict:
    """Run one cell as a notebook client would have it run; its outputs, count and status."""
    recorder = CellOutputs(displays)
    streams = sys.stdout, sys.stderr
    ip.display_pub.register_hook(recorder.display)
    ip.displayhook.register_hook(recorder.result)
    ip._showtraceback = recorder.error  # the instance's, over ipykernel's (removed below)
    ip.display_pub.clear_output = recorder.clear
    sys.stdout, sys.stderr = _Stream(recorder, "stdout"), _Stream(recorder, "stderr")
    try:
        result = ip.run_cell(source, store_history=True)
    finally:
        sys.stdout, sys.stderr = streams
        del ip.display_pub.clear_output, ip._showtraceback
        ip.displayhook.unregister_hook(recorder.result)
        ip.display_pub.unregister_hook(recorder.display)
    return {"outputs": recorder.outputs, "execution_count": result.execution_count,
            "ok": result.success}


def run_cells(sources: list[str]) -> None:
    """Run the cells in order, stopping after the first that fails (as papermill does); publish
    every cell's results in one display message of type PAYLOAD."""
    from IPython import get_ipython

    ip, displays, cells = get_ipython(), {}, []
    for source in sources:
        cells.append(run_cell(ip, source, displays))
        if not cells[-1]["ok"]:
            break
    ip.display_pub.publish(data={PAYLOAD: cells}, metadata={})
