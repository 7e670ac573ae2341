"""Sphinx configuration of the documentation site. Build with `make docs` (docs/build.py), not sphinx-build directly:
the page sources in docs/_build/src/ are generated from the notebooks by docs/build.py."""
import json
import posixpath
from configparser import ConfigParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from docutils import nodes
from sphinx.transforms import SphinxTransform

ROOT = Path(__file__).resolve().parent.parent
_settings = ConfigParser(delimiters=["="])
_settings.read(ROOT / "settings.ini", encoding="utf-8")
cfg = _settings["DEFAULT"]

project = cfg["lib_name"]
author = cfg["author"]
copyright = cfg["copyright"]
release = version = cfg["version"]
# Where nbdev's links (batchbald_redux/_modidx.py, show_doc) point: rewritten to pages of this site.
SITE_URL = cfg["doc_host"].rstrip("/") + cfg["doc_baseurl"].rstrip("/") + "/"

extensions = [
    "myst_nb",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/mathjax: no CDN
]
root_doc = "index"
exclude_patterns = []
source_suffix = {".ipynb": "myst-nb"}

# myst-nb: the notebooks keep their outputs (plots included) and are never executed here.
nb_execution_mode = "off"
nb_render_markdown_format = "myst"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "attrs_inline", "attrs_block", "colon_fence"]
myst_dmath_double_inline = True
# Links are left as written; the transform below turns links into this site into relative ones.
myst_all_links_external = True
suppress_warnings = ["myst.header"]  # show_doc headings are H3 wherever the cell stands

html_theme = "furo"
html_title = project
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {"source_repository": cfg["git_url"], "source_branch": cfg["branch"]}


def _site_index(app):
    "docs/build.py's record of the pages and the nbdev anchor of each show_doc heading."
    path = Path(app.srcdir) / "_anchors.json"
    if not hasattr(app, "_nbdev_site"):
        app._nbdev_site = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"pages": [], "anchors": {}}
    return app._nbdev_site


class NbdevAnchors(SphinxTransform):
    """Give each show_doc section nbdev's anchor (`#get_batchbald_batch`, `#exactjointentropy.compute`) as its id,
    so that links written by nbdev (`_modidx.py`, backticked names in prose) land on it."""

    default_priority = 200

    def apply(self):
        anchors = _site_index(self.app)["anchors"].get(self.env.docname, {})
        for section in self.document.findall(nodes.section):
            title = section.next_node(nodes.title)
            anchor = anchors.get(title.astext().strip()) if title is not None else None
            if anchor:
                section["classes"].append("api-entry")
                if anchor not in section["ids"]:
                    section["ids"].insert(0, anchor)
                    self.document.ids[anchor] = section


class SiteLinks(SphinxTransform):
    """Links into this site, written by nbdev as absolute URLs (`https://.../batchbald.html#x`) or by authors as
    notebook names (`06_batchbald.ipynb#x`), become relative links to the pages built here."""

    default_priority = 210

    def apply(self):
        site = _site_index(self.app)
        pages = set(site["pages"])
        # A notebook's name (06_batchbald) or its page's (batchbald) -> the page.
        by_notebook = {posixpath.basename(p): p for p in pages}
        by_notebook |= {posixpath.splitext(posixpath.basename(nb))[0]: p for p, nb in site.get("notebooks", {}).items()}
        here = posixpath.dirname(self.env.docname)
        for ref in self.document.findall(nodes.reference):
            uri = ref.get("refuri")
            if not uri:
                continue
            target, fragment = urldefrag(uri)
            page = None
            if target.startswith(SITE_URL):
                page = target[len(SITE_URL):].removesuffix(".html") or "index"
                documented = set(site["anchors"].get(page, {}).values())
                while fragment and fragment not in documented:
                    # A method without its own show_doc links to its class; a private helper to the page.
                    fragment = fragment.rsplit(".", 1)[0] if "." in fragment else ""
            elif target.endswith(".ipynb") and not urlsplit(target).scheme:
                stem = posixpath.normpath(posixpath.join(here, target)).removesuffix(".ipynb")
                name = posixpath.basename(stem)
                page = by_notebook.get(name) if stem.split("/")[0] != ".." else None
            if page is None or page not in pages:
                continue
            relative = posixpath.relpath(page + ".html", here or ".")
            ref["refuri"] = relative + (f"#{fragment}" if fragment else "")
            ref["internal"] = True
            ref["classes"] = [c for c in ref.get("classes", []) if c != "external"]


def _source_links(app, pagename, templatename, context, doctree):
    "The theme's view/edit buttons open the page's notebook (nbs/06_batchbald.ipynb), not the generated source."
    notebook = _site_index(app).get("notebooks", {}).get(pagename)
    if notebook:
        base = cfg["git_url"].rstrip("/")
        context["theme_source_edit_link"] = f"{base}/edit/{cfg['branch']}/{notebook}"
        context["theme_source_view_link"] = f"{base}/blob/{cfg['branch']}/{notebook}"


def _mathjax_svg(app, config):
    # SVG output needs no web fonts, so maths renders the same from file:// as when served.
    config.mathjax_path = "mathjax/tex-svg.js"


def setup(app):
    app.add_transform(NbdevAnchors)
    app.add_transform(SiteLinks)
    app.connect("config-inited", _mathjax_svg, priority=900)
    app.connect("html-page-context", _source_links)
    return {"parallel_read_safe": True}
