"""The import contract: lib/readmission's layers as folders, each importing only itself and the layers
below it (anywhere in a module, function bodies included), and no module over 400 lines."""

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


def test_the_contract_catches_an_upward_import(tmp_path):
    """The check can fail: a method module importing the run layer is named, even in a function body."""
    probe = LIB / "method" / "_probe_upward.py"
    probe.write_text("def f():\n    from ..run import kernels\n    return kernels\n")
    try:
        found = upward_imports([probe])
    finally:
        probe.unlink()
    assert found == ["method/_probe_upward.py:2 imports run.kernels (method -> run)"]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(LIB)))
def test_no_module_over_400_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(LIB)} has {lines} lines: split it by concept"
