"""Where everything is (base/paths.py): a project's folders, each audience's output tree, and the rule
that no other module of lib/readmission joins a folder name."""

from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from readmission.base.paths import (AUDIENCES, INPUT_PATHS, OutputTree, Project, beside, findings_link,
                                    page_link, rendering, restricted_out)
from readmission.settings.params import load_edition

LIB = REPO / "lib" / "readmission"
PATHS_MODULES = {"base/paths.py"}  # the only modules that may join folder names
FOLDER = re.compile(r"\.?[A-Za-z0-9_-]+")  # no suffix: 'logs', '.runkeys', '_site' (not 'run.json')
PROJECT = Project(Path("/p"))


def folder_joins(paths: list[Path]) -> list[str]:
    """Every `<path> / "folder"` (or `.joinpath("folder")`) outside the paths module, as file:line."""
    found = []
    for path in paths:
        rel = path.relative_to(LIB).as_posix()
        if rel in PATHS_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
                names = [node.right]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "joinpath":
                names = node.args
            else:
                continue
            for name in names:
                if isinstance(name, ast.Constant) and isinstance(name.value, str) and FOLDER.fullmatch(name.value):
                    found.append(f"{rel}:{name.lineno} joins folder {name.value!r}")
    return sorted(set(found))


def test_only_the_paths_module_joins_folder_names():
    assert folder_joins(sorted(LIB.rglob("*.py"))) == [], "name the folder in base/paths.py"


def test_the_folder_join_check_can_fail():
    """A probe module joining folder names is named, file and line; a file's name may be joined anywhere."""
    probe = LIB / "method" / "_probe_join.py"
    probe.write_text('def f(project, tree):\n    log = tree.countries / "IQ.log"\n'
                     '    return project.root / "logs" / "kernels.log", tree.countries.joinpath(".runkeys"), log\n')
    try:
        found = folder_joins([probe])
    finally:
        probe.unlink()
    assert found == ["method/_probe_join.py:3 joins folder '.runkeys'", "method/_probe_join.py:3 joins folder 'logs'"]


# ---- a project's folders ----

def test_a_copy_has_the_inputs_but_no_data_and_no_outputs(tmp_path):
    copy = Project(REPO).copy_inputs(tmp_path / "copy")
    assert all((copy.root / rel).exists() for rel in INPUT_PATHS if (REPO / rel).exists())
    assert not copy.public.exists() and not copy.restricted.exists()
    assert not copy.country_pages.exists() and not copy.edition_results(2016).exists()


def test_a_written_edition_loads_with_the_settings_given(tmp_path):
    project = Project(REPO).copy_inputs(tmp_path / "copy")
    project.write_edition(2016, {"data_year": 2016, "selection_year": 2015, "threshold": 12000,
                                 "reference_date": dt.date(2016, 12, 31), "label": "a test"})
    edition = load_edition(2016, project)
    assert (edition.threshold, edition.reference_date, edition.label) == (12000, dt.date(2016, 12, 31), "a test")


def test_readmission_root_moves_the_default_project(tmp_path, monkeypatch):
    monkeypatch.setenv("READMISSION_ROOT", str(tmp_path))
    assert Project.default().root == tmp_path.resolve()
    monkeypatch.delenv("READMISSION_ROOT")
    assert Project.default().root == REPO.resolve()


def test_settings_and_public_outputs_where_the_readme_says():
    assert PROJECT.edition_params(2016) == Path("/p/params/editions/2016.yml")
    assert PROJECT.country_params("IQ") == Path("/p/params/countries/IQ.yml")
    assert PROJECT.edition_results(2016) == Path("/p/notebooks/selection/2016")
    assert (PROJECT.site, PROJECT.restricted_site, PROJECT.generated) == (
        Path("/p/_site"), Path("/p/data/restricted/out/_site"), Path("/p/notebooks/_generated"))
    assert (PROJECT.demo, PROJECT.kernel_log) == (Path("/p/data/restricted/out/demo"),
                                                  Path("/p/data/restricted/out/kernels.log"))
    assert rendering(PROJECT.root) == beside(PROJECT.site, "next") == Path("/p/_site-next")
    assert beside(PROJECT.public, "import-1", hidden=True) == Path("/p/data/.public-import-1")
    assert PROJECT.release_folder(2016, synthetic=True) == Path("/p/data/restricted/releases/2016-demo")


def test_site_links_follow_the_public_tree():
    public = OutputTree(PROJECT, 2016, "public")
    assert PROJECT.root / page_link(2016, "IQ") == public.countries / "IQ.ipynb"
    assert PROJECT.root / findings_link(2016) == public.summary
    assert page_link("2016", "IQ", "html") == "notebooks/countries/2016/IQ.html"


# ---- each audience's output tree: two trees that never meet ----

def tree(audience: str) -> OutputTree:
    return OutputTree(PROJECT, 2016, audience)


def test_public_pages_live_under_notebooks_and_restricted_ones_under_data_restricted():
    assert tree("public").countries == Path("/p/notebooks/countries/2016")
    assert tree("public").summary == Path("/p/notebooks/findings/2016.ipynb")  # one per edition
    assert tree("restricted").countries == Path("/p/data/restricted/out/2016/countries")
    assert tree("restricted").summary == Path("/p/data/restricted/out/2016/summary.ipynb")
    assert tree("public").site_sources == Path("/p")
    assert tree("restricted").site_sources == Path("/p/data/restricted/out/2016/site")
    assert tree("restricted").generated == Path("/p/data/restricted/out/2016/site/notebooks/_generated")


@pytest.mark.parametrize("audience", AUDIENCES)
def test_staging_full_results_and_logs_are_restricted_whatever_the_audience(audience):
    root = restricted_out(PROJECT, 2016)
    t = tree(audience)
    for folder in (t.staging, t.store, t.store_next, t.store_old, t.logs, t.documents, t.dry_run,
                   t.country_inputs("IQ").parent):
        assert folder.parent == root, folder
        assert "notebooks" not in folder.parts


def test_no_restricted_path_ends_in_the_public_countries_folder():
    restricted = tree("restricted")
    paths = [restricted.countries, restricted.summary, restricted.site_sources, restricted.next, restricted.old]
    assert all(not p.is_relative_to(PROJECT.notebooks) for p in paths)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_keys_and_swap_folders_are_hidden_beside_or_inside_the_countries(audience):
    t = tree(audience)
    assert t.keys.parent == t.countries and t.keys.name.startswith(".")
    assert t.run_file.parent == t.keys
    assert t.next.parent == t.old.parent == t.countries.parent
    assert (t.next.name, t.old.name) == (f".{t.countries.name}-next", f".{t.countries.name}-old")
    assert t.next != t.countries and t.next.name.startswith(".")


def test_an_unknown_audience_is_refused():
    with pytest.raises(ValueError, match="unknown audience"):
        tree("press")


def test_every_file_a_run_writes_is_git_ignored():
    """Run outputs are regenerated, never committed: a committed page would be published stale."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    project, paths = Project(REPO), []
    for audience in AUDIENCES:
        t = OutputTree(project, 2016, audience)
        paths += [t.countries / "IQ.ipynb", t.countries / "IQ.json", t.summary, t.run_file, t.generated / "x.md",
                  t.next / "IQ.ipynb", t.staging / "IQ" / "IQ.json", t.store / "IQ.json", t.logs / "IQ.log",
                  t.documents / "council-2016.pdf", t.country_inputs("IQ") / "questionnaire.csv"]
    paths += [project.edition_results(2016) / "selection.csv", project.site / "index.html",
              project.restricted_site / "index.html", rendering(project.root) / "index.html",
              project.kernel_log, project.render_cache / "public.json", project.dist / "x.tar.gz",
              project.demo / "2016" / "questionnaire.csv", project.release_folder(2016, False) / "release-0001.json"]
    rel = [str(p.relative_to(REPO)) for p in paths]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *rel], cwd=REPO, capture_output=True,
                             text=True).stdout.split()
    assert sorted(set(rel) - set(ignored)) == []


# ---- one output root per audience: what .gitignore and `make clean-outputs` name ----

PROJECT_INPUTS = {"params", "edition_settings", "country_settings", "reference", "templates", "public",
                  "public_fixture", "default_snapshot", "restricted", "notebooks", "git", "cache", "render_cache",
                  "restricted_outputs"}  # committed, imported or confidential inputs; the cache; the roots
APART = {"site", "dist", "quarto_state", "quarto_listing_cache"}  # Quarto's output and state, the bundles
TREE_INPUTS = {"site_sources"}  # the public site's sources are the project root


def outputs(project: Project) -> dict[str, Path]:
    """Every output folder or file the paths module names, by name: each property of Project and of
    both audiences' trees that is not an input (a property added later is an output until listed)."""
    def properties(cls) -> list[str]:
        return [name for name, value in vars(cls).items() if isinstance(value, property)]

    found = {name: getattr(project, name) for name in properties(Project) if name not in PROJECT_INPUTS | APART}
    found["edition_results"] = project.edition_results(2016)
    for audience in AUDIENCES:
        tree = OutputTree(project, 2016, audience)
        found |= {f"{audience}.{name}": getattr(tree, name) for name in properties(OutputTree)
                  if name not in TREE_INPUTS}
        found[f"{audience}.country_inputs"] = tree.country_inputs("IQ")
    return found


def apart(project: Project) -> dict[str, Path]:
    """The outputs kept apart from the two roots, and said so: Quarto's site with its swap folders,
    Quarto's state (the bundles in dist/ are ignored on their own line)."""
    return {"site": project.site, "rendering": rendering(project.root), "old site": beside(project.site, "old"),
            "quarto": project.quarto_state}


def clean_outputs_targets() -> list[str]:
    """The paths `make clean-outputs` removes (its `rm -rf` lines, comments aside)."""
    recipe = (REPO / "Makefile").read_text(encoding="utf-8").split("\nclean-outputs:\n", 1)[1]
    lines = [line.split("#")[0] for line in recipe.splitlines() if line.startswith("\trm -rf ")]
    return [target for line in lines for target in line.split()[2:]]


def test_every_output_is_under_one_root_per_audience():
    roots = {PROJECT.notebooks, PROJECT.restricted_outputs}
    for name, path in outputs(PROJECT).items():
        root = next((r for r in roots if path.is_relative_to(r)), None)
        assert root is not None, f"{name}: {path} is under neither output root"
        if root == PROJECT.notebooks:  # a folder of notebooks/, never a template beside them
            assert len(path.relative_to(root).parts) >= 2 or path.suffix == "", f"{name}: {path}"
    restricted = [name for name, path in outputs(PROJECT).items() if path.is_relative_to(PROJECT.restricted_outputs)]
    for kind in ("store", "staging", "logs", "documents", "country_inputs"):  # always restricted
        assert {f"public.{kind}", f"restricted.{kind}"} <= set(restricted), kind
    assert {"demo", "kernel_log", "restricted_site"} <= set(restricted)


def test_gitignore_and_clean_outputs_name_each_root_once_and_cover_every_output(tmp_path):
    lines = [line for line in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert "/notebooks/*/" in lines and "data/restricted/*" in lines and "/_site*/" in lines
    targets = clean_outputs_targets()
    assert targets[:2] == ["notebooks/*/", "data/restricted/out"] and set(targets[2:]) == {"_site*/", ".quarto"}
    project = Project(tmp_path)
    made = outputs(project) | apart(project)
    for path in made.values():
        path.mkdir(parents=True, exist_ok=True)
    for template in INPUT_PATHS:
        (tmp_path / template).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / template).touch()
    rel = [path.relative_to(tmp_path).as_posix() + "/" for path in made.values()]
    shutil.copy(REPO / ".gitignore", tmp_path / ".gitignore")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    checked = subprocess.run(["git", "-C", str(tmp_path), "check-ignore", "--no-index", *rel],
                             capture_output=True, text=True)
    assert sorted(set(rel) - set(checked.stdout.split())) == [], "outputs git would not ignore"
    kept = subprocess.run(["git", "-C", str(tmp_path), "check-ignore", "--no-index", *INPUT_PATHS],
                          capture_output=True, text=True)
    assert kept.stdout.split() == [], "inputs git would ignore"
    subprocess.run(["sh", "-c", "rm -rf " + " ".join(targets)], cwd=tmp_path, check=True)
    assert [p for p in made.values() if p.exists()] == [] and all((tmp_path / t).exists() for t in INPUT_PATHS)
