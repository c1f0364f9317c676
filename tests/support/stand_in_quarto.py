"""A stand-in for `quarto render --output-dir DIR`, for machines without Quarto.

It copies what Quarto would: each page of the render list (as DIR/<page>.html holding the page's
text) and each resource, with Quarto's glob rules: a glob without a leading '/' is read as
'**/glob', and only the current output folder is left out (so an unanchored glob also matches
copies inside an earlier site). It fails when a file named `fail` sits in the project, and prints
Quarto's warning for an unresolved link (after the page it renders) when a file named `warn` does.
"""

from __future__ import annotations

import html
import shutil
import sys
from pathlib import Path

import yaml


def matches(root: Path, pattern: str, output: Path, pages: bool) -> list[Path]:
    anchored = pattern.startswith("/")
    pattern = pattern.lstrip("/")
    if not any(ch in pattern for ch in "*?["):
        found = [root / pattern] if (root / pattern).is_file() else []
    else:
        found = sorted(root.glob(pattern if anchored else f"**/{pattern}"))
    keep = []
    for path in found:
        rel = path.relative_to(root)
        if not path.is_file() or rel.parts[0] == output.name:
            continue
        if pages and any(part.startswith((".", "_")) for part in rel.parts):
            continue  # Quarto renders no page under '.' or '_' folders
        keep.append(path)
    return keep


def main(argv: list[str]) -> int:
    root = Path.cwd()
    if (root / "fail").exists():
        print("ERROR: a page failed", file=sys.stderr)
        return 1
    output = root / argv[argv.index("--output-dir") + 1]
    config = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))["project"]
    banner = ""
    include = ((yaml.safe_load((root / "_quarto.yml").read_text()).get("format") or {}).get("html") or {}
               ).get("include-before-body")
    if include:
        banner = (root / include).read_text(encoding="utf-8")
    for entry in config.get("render") or []:
        for page in matches(root, entry, output, pages=True):
            target = output / page.relative_to(root).with_suffix(".html")
            target.parent.mkdir(parents=True, exist_ok=True)
            text = html.escape(page.read_text(encoding="utf-8", errors="replace"))
            target.write_text(f"<html><body>{banner}<div>{text}</div></body></html>\n", encoding="utf-8")
            print(f"[1/1] {page.relative_to(root).as_posix()}")
            if (root / "warn").exists():
                print("\x1b[33mWARN: Unable to resolve link target: notebooks/gone.ipynb\x1b[39m")
    for entry in config.get("resources") or []:
        for path in matches(root, entry, output, pages=False):
            target = output / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    (output / "site_libs").mkdir(parents=True, exist_ok=True)
    (output / "site_libs" / "quarto.js").write_text("// stand-in\n")
    (output / "search.json").write_text("[]\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
