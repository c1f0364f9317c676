"""Run once in each of the tool's kernels as it starts (IPKernelApp.exec_files), before any notebook.

It records what the reset between notebooks restores (kernels.RESET_CODE), and makes `exit()` and
`quit()` fail the notebook that calls them instead of ending the kernel under the next notebook.
Nothing from the rest of the package is imported here, and no name is left behind.
"""


def _readmission_setup():
    import logging
    import os
    import sys
    import warnings

    sys._readmission_baseline = (os.getcwd(), dict(os.environ), list(warnings.filters),
                                 list(logging.root.handlers), logging.root.level)

    class ExitFails:
        """What `exit` and `quit` are in a notebook run by the tool."""

        def __repr__(self) -> str:
            return "exit() stops this notebook with an error (its kernel serves the next notebook)"

        def __call__(self, *args, **kwargs):
            raise SystemExit("exit() was called: this notebook stops here, with an error")

    shell = get_ipython()  # noqa: F821 (IPython's, in the kernel)
    shell.user_ns["exit"] = shell.user_ns["quit"] = ExitFails()


_readmission_setup()
del _readmission_setup
