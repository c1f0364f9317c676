"""The import contract: lib/readmission's layers as folders, each importing only itself and the layers
below it (anywhere in a module, function bodies included); imports at the top of a module, but for the
function-body imports LAZY_IMPORTS lists with their reasons; and no module over 400 lines."""

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib" / "readmission"
# lowest first; the commands (cli.py, cli_outputs.py, __main__.py) sit above every layer
LAYERS = ["base", "settings", "data", "inputs", "method", "pages", "publish", "run"]
TOP = len(LAYERS)
MAX_LINES = 400


def layer_of(module: str) -> int:
    """The layer index of a dotted module name under readmission ('' is the package's own __init__)."""
    head = module.split(".")[0]
    if module == "":
        return -1  # the package root holds only __version__
    return LAYERS.index(head) if head in LAYERS else TOP


def module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(LIB).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module under readmission) of every import of the package inside one file."""
    name, is_package = module_name(path)
    package = name.split(".") if is_package else name.split(".")[:-1]
    package = [part for part in package if part]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1] if node.level > 1 else package
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").split(".")[0] == "readmission":
                target = node.module.partition(".")[2]
            else:
                continue
            for alias in node.names:  # `from . import x` imports the module x
                candidate = f"{target}.{alias.name}" if target else alias.name
                found.append((node.lineno, candidate if _exists(candidate) else target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name.partition(".")[2]) for a in node.names
                      if a.name.split(".")[0] == "readmission"]
    return found


def _exists(dotted: str) -> bool:
    path = LIB.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def modules() -> list[Path]:
    return sorted(LIB.rglob("*.py"))


def upward_imports(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        own = layer_of(module_name(path)[0])
        for line, target in imported(path):
            if layer_of(target) > own:
                found.append(f"{path.relative_to(LIB)}:{line} imports {target} "
                             f"({LAYERS[own] if own < TOP else 'commands'} -> "
                             f"{LAYERS[layer_of(target)] if layer_of(target) < TOP else 'commands'})")
    return found


def test_every_module_sits_in_a_layer():
    loose = [p.name for p in LIB.glob("*.py") if p.stem not in ("__init__", "__main__", "cli", "cli_data", "cli_outputs")]
    assert loose == [], "modules outside the layer folders"
    assert sorted(p.name for p in LIB.iterdir() if p.is_dir() and (p / "__init__.py").exists()) == sorted(LAYERS)


def test_no_layer_imports_one_above_it():
    assert upward_imports(modules()) == []


def probed(name: str, source: str, check) -> list[str]:
    """What `check` finds in a probe module method/<name>.py holding `source` (removed after)."""
    probe = LIB / "method" / f"{name}.py"
    probe.write_text(source)
    try:
        return check([probe])
    finally:
        probe.unlink()


def test_the_contract_catches_an_upward_import(tmp_path):
    """The check can fail: a method module importing the run layer is named, even in a function body."""
    found = probed("_probe_upward", "def f():\n    from ..run import kernels\n    return kernels\n", upward_imports)
    assert found == ["method/_probe_upward.py:2 imports run.kernels (method -> run)"]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(LIB)))
def test_no_module_over_400_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(LIB)} has {lines} lines: split it by concept"


# Imports sit at the top of a module. A function body may import only what is listed here, each entry
# with its reason: code that runs in a Jupyter kernel, not in this process; a module whose cost shows on
# a light path (each in one small documented function per importing module: a docstring, the imports,
# one return); or an import cycle (none is left). A new entry needs its evidence (`python -X importtime`).
KERNEL_SIDE = ("kernel-side: the file runs in each kernel as it starts (IPKernelApp.exec_files) and deletes "
               "the function after its one call, so the notebook's namespace gets no module name")
CLI_START = ("costly on the CLI's start (`readmission --help`, ~0.3 s, whose imports are typer, rich, base/ "
             "and settings/): loaded by the command that needs it")
NO_CHANGE_RUN = ("costly on a run with nothing to do (benchmarks: noop_rerun_s < 1 s, pandas-free): loaded "
                 "only once the run has work to do")
LAZY_IMPORTS = {
    # run/kernel_setup.py: code that runs inside a Jupyter kernel
    ("run/kernel_setup.py", "_readmission_setup", "logging"): KERNEL_SIDE,
    ("run/kernel_setup.py", "_readmission_setup", "os"): KERNEL_SIDE,
    ("run/kernel_setup.py", "_readmission_setup", "sys"): KERNEL_SIDE,
    ("run/kernel_setup.py", "_readmission_setup", "warnings"): KERNEL_SIDE,
    # the commands: measured after `import readmission.cli`
    ("cli.py", "_editions", "run.editions"): f"{CLI_START} (pandas, pandera: ~0.4 s)",
    ("cli.py", "_loading", "inputs.loading"): f"{CLI_START} (pandas, pandera: ~0.4 s)",
    ("cli.py", "_pipeline", "run.pipeline"): f"{CLI_START} (papermill, nbformat: ~1 s)",
    ("cli.py", "_site", "publish.site"): f"{CLI_START} (pandas, nbformat: ~2 s)",
    ("cli.py", "_shown_candidates", "pandas"): f"{CLI_START} (~0.3 s)",
    ("cli.py", "_known_failures", "publish.bundle"): f"{CLI_START} (pandas, nbformat: ~2 s; on a failure only)",
    ("cli.py", "_known_failures", "data.fetch"): f"{CLI_START} (+18 ms; on a failure only)",
    ("cli.py", "_known_failures", "method.selection"): f"{CLI_START} (pandas: ~0.4 s; on a failure only)",
    ("cli.py", "_known_failures", "publish.gate"): f"{CLI_START} (pandas, pandera: ~0.5 s; on a failure only)",
    ("cli_data.py", "_loading", "inputs.loading"): f"{CLI_START} (pandas, pandera: ~0.4 s)",
    ("cli_data.py", "_editions", "run.editions"): f"{CLI_START} (pandas, pandera: ~0.4 s)",
    ("cli_data.py", "_confidential", "data.confidential"): f"{CLI_START} (pandas, pandera: ~0.5 s)",
    ("cli_data.py", "_coverage_lines", "data.coverage"): f"{CLI_START} (pandas: ~0.3 s)",
    ("cli_outputs.py", "_document", "publish.document"): f"{CLI_START} (pypdf, pandas, nbformat: ~2 s)",
    ("cli_outputs.py", "_bundle", "publish.bundle"): f"{CLI_START} (pandas, nbformat: ~2 s)",
    # a run with nothing to do: measured after its own imports (cli, run.edition_run, rich.progress)
    ("run/edition_run.py", "_pipeline", "run.pipeline"): f"{NO_CHANGE_RUN} (papermill, nbformat: ~1 s)",
    ("run/edition_run.py", "_kernels", "run.kernels"): f"{NO_CHANGE_RUN} (jupyter_client, papermill: ~1 s)",
    ("run/edition_run.py", "_execute", "run.execute"): f"{NO_CHANGE_RUN} (papermill, nbformat: ~1 s)",
    ("run/edition_run.py", "_loading", "inputs.loading"): f"{NO_CHANGE_RUN} (pandas, pandera: ~0.5 s)",
    ("run/edition_run.py", "_slices", "inputs.slices"): f"{NO_CHANGE_RUN} (pandas, pandera: ~0.5 s)",
    ("run/edition_run.py", "_selection", "method.selection"): f"{NO_CHANGE_RUN} (pandas: ~0.4 s)",
    ("run/edition_run.py", "_editions", "run.editions"): f"{NO_CHANGE_RUN} (pandas, pandera: ~0.6 s)",
    ("run/edition_run.py", "_release_step", "run.release_step"): f"{NO_CHANGE_RUN} (pandas, the method: ~0.5 s)",
    ("run/edition_run.py", "_site_sources", "publish.site_sources"): f"{NO_CHANGE_RUN} (pandas, nbformat: ~1.5 s)",
    ("run/runkeys.py", "_provenance", "data.confidential"): f"{NO_CHANGE_RUN} (pandas, pandera: ~0.4 s)",
    ("run/runkeys.py", "_reporting_rule", "method.indicators"): f"{NO_CHANGE_RUN} (pandas: ~0.2 s)",
    ("run/dry_run.py", "_country_keying", "inputs.loading"): f"{NO_CHANGE_RUN}, as `run --dry-run` with "
                                                             "nothing changed (pandas, pandera: ~0.5 s)",
    ("run/dry_run.py", "_country_keying", "run.editions"): f"{NO_CHANGE_RUN}, as `run --dry-run` (with inputs.loading)",
    ("run/dry_run.py", "_country_keying", "run.release_step"): f"{NO_CHANGE_RUN}, as `run --dry-run` (the method)",
}


def function_body_imports(path: Path) -> list[tuple[str, int, str]]:
    """(function, line, module) of every import inside a function body of one file: the function by its
    dotted name within the module, the module as `imported` names a package module (else as written)."""
    name, is_package = module_name(path)
    package = [part for part in (name.split(".") if is_package else name.split(".")[:-1]) if part]
    found = []

    def visit(node, scope: list[str], in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, scope + [child.name], True)
            elif isinstance(child, ast.ClassDef):
                visit(child, scope + [child.name], in_function)
            elif isinstance(child, ast.Import) and in_function:
                found.extend((".".join(scope), child.lineno, a.name.removeprefix("readmission."))
                             for a in child.names)
            elif isinstance(child, ast.ImportFrom) and in_function:
                if child.level:
                    base = package[: len(package) - child.level + 1] if child.level > 1 else package
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module.removeprefix("readmission.")
                modules = {f"{target}.{a.name}" if target else a.name for a in child.names}
                modules = {m for m in modules if child.level and _exists(m)} or {target}
                found.extend((".".join(scope), child.lineno, m) for m in sorted(modules))
            else:
                visit(child, scope, in_function)

    visit(ast.parse(path.read_text()), [], False)
    return found


def unlisted_function_body_imports(paths: list[Path]) -> list[str]:
    return [f"{path.relative_to(LIB)}:{line} imports {module} in {function}()"
            for path in paths for function, line, module in function_body_imports(path)
            if (path.relative_to(LIB).as_posix(), function, module) not in LAZY_IMPORTS]


def test_imports_sit_at_the_top_of_modules():
    """Every function-body import is in LAZY_IMPORTS, and every entry still names one."""
    assert unlisted_function_body_imports(modules()) == []
    present = {(p.relative_to(LIB).as_posix(), f, m) for p in modules() for f, _, m in function_body_imports(p)}
    assert sorted(set(LAZY_IMPORTS) - present) == [], "entries naming no import: remove them"


def test_each_costly_import_waits_behind_one_documented_function():
    """A module imports each costly module in one function: a docstring (why, and what it protects), the
    imports, one return; the code that needs the module calls that function."""
    functions = {}
    for path in modules():
        rel = path.relative_to(LIB).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                functions[(rel, node.name)] = node
    costly = [key for key, why in LAZY_IMPORTS.items() if why.startswith((CLI_START, NO_CHANGE_RUN))]
    for rel, function, module in costly:
        body = functions[(rel, function)].body
        assert ast.get_docstring(functions[(rel, function)]), f"{rel}: {function}() says why it is lazy"
        assert all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body[1:-1]) \
            and isinstance(body[-1], ast.Return), f"{rel}: {function}() only imports and returns"
    owners = {}
    for rel, function, module in costly:
        owners.setdefault((rel, module), set()).add(function)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}, "a costly module imported in two functions"


def test_the_contract_catches_a_function_body_import():
    """The check can fail: an import in a function body that LAZY_IMPORTS does not list is named."""
    found = probed("_probe_lazy", "def f():\n    from .indicators import STATE\n    return STATE\n",
                   unlisted_function_body_imports)
    assert found == ["method/_probe_lazy.py:2 imports method.indicators in f()"]
