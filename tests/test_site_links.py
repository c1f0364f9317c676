"""The rendered site's last checks: every internal link resolves, Quarto's warnings are read."""

from __future__ import annotations

import pytest

from conftest import install_stand_in
from readmission.publish.gate import PublishRefused
from readmission.publish.site import RenderError, render
from readmission.publish.site_links import broken_links, quarto_warnings, unresolved_targets, warnings_summary
from test_site import site  # noqa: F401  (the tiny project fixture)


def page(path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><head><link href='../site_libs/a.css' rel=stylesheet></head><body>{body}</body></html>")


def test_every_internal_link_must_name_a_file_of_the_site(tmp_path):
    (tmp_path / "site_libs").mkdir()
    (tmp_path / "site_libs" / "a.css").write_text("")
    (tmp_path / "index.html").write_text("<a href='sub/a.html#x'>a</a> <a href='sub/'>folder</a>")
    page(tmp_path / "sub" / "a.html", "<a href='https://eur-lex.europa.eu/x'>law</a> <a href='#top'>top</a> "
                                      "<a href='mailto:a@b'>m</a> <img src='data:image/png;base64,AA'>")
    page(tmp_path / "sub" / "index.html", "<a href='../index.html?q=1'>home</a>")
    assert broken_links(tmp_path) == []
    page(tmp_path / "sub" / "b.html", "<a href='../notebooks/findings/2016.html'>findings</a>"
                                      "<img src='chart.png'><a href='../../outside.html'>out</a>")
    assert broken_links(tmp_path) == [
        "sub/b.html: link to '../notebooks/findings/2016.html' resolves to no file of the site",
        "sub/b.html: link to 'chart.png' resolves to no file of the site",
        "sub/b.html: link to '../../outside.html' resolves to no file of the site"]


def test_quarto_warnings_are_read_without_colour_and_with_their_page():
    printed = ("\x1b[1m[1/2] index.qmd\x1b[22m\n\x1b[33mWARN: Unable to resolve link target: a.ipynb\x1b[39m\n"
               "[2/2] notebooks/countries/2016/IQ.ipynb\nWARNING (x) something else\nOutput created: _site/index.html\n")
    warnings = quarto_warnings(printed)
    assert warnings == ["index.qmd: WARN: Unable to resolve link target: a.ipynb",
                        "notebooks/countries/2016/IQ.ipynb: WARNING (x) something else"]
    assert unresolved_targets(warnings) == warnings[:1]
    assert warnings_summary([]) == "0 Quarto warnings"
    assert warnings_summary([f"w{i}" for i in range(7)]).splitlines() == [
        "7 Quarto warnings:", "  w0", "  w1", "  w2", "  w3", "  w4", "  ... and 2 more"]


def test_an_unresolved_link_refuses_the_render_and_keeps_the_old_site(site, tmp_path, monkeypatch):  # noqa: F811
    (tmp_path / "bin").mkdir()
    install_stand_in(tmp_path / "bin", monkeypatch)
    first = render(site)
    assert first.warnings == [] and (first.site / "index.html").is_file()
    before = (first.site / "index.html").read_bytes()
    (site.root / "warn").write_text("")
    with pytest.raises(RenderError, match=r"(?s)unresolved link.*index.qmd: WARN: Unable to resolve link target: notebooks/gone.ipynb"):
        render(site)
    assert (site.root / "_site" / "index.html").read_bytes() == before
    assert not (site.root / "_site-next").exists()


def test_a_broken_link_in_the_rendered_site_refuses_it(site, tmp_path, monkeypatch):  # noqa: F811
    (tmp_path / "bin").mkdir()
    install_stand_in(tmp_path / "bin", monkeypatch)
    stand_in = tmp_path / "bin" / "quarto"
    # the stand-in's pages hold text; an anchor to a missing file is added to its home page
    stand_in.write_text(stand_in.read_text().replace("exec ", "").replace(
        '"$@"\n', '"$@" && echo "<a href=\'gone.html\'>x</a>" >> "_site-next/index.html"\n'))
    with pytest.raises(PublishRefused, match=r"(?s)broken links.*index.html: link to 'gone.html'"):
        render(site)
    assert not (site.root / "_site").exists() and not (site.root / "_site-next").exists()
