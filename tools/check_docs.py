"""Open the built documentation site (`make docs`) in headless Chromium and check what a reader would see.

Every page is opened twice, from file:// and from a local server on 127.0.0.1, with Debian's chromium driven by
the `playwright` package (its own browser download is not used). For every page:
- it loads, with no failed request, no HTTP error, no uncaught script error, and no request to any other host
  (every such request is refused and counted as a failure: the site must need no CDN);
- maths is typeset: every math element Sphinx wrote holds a rendered `mjx-container`, MathJax reports no TeX
  error, and no raw `$...$`, `\\(...\\)` or `\\[...\\]` is left in the visible text outside code;
- every image (the plots stored in the notebooks) has loaded, with a non-zero natural size;
- every link inside the site lands on an existing page and, if it names one, an existing anchor.
Across the site, against nbs/sidebar.yml (read here on its own, not through docs/build.py): every notebook of nbs/
is a page, in the file's order; the sidebar of every page shows the parts' captions, visible and in order, each with
exactly its pages under it in order (index first, under no caption); every page's previous and next links follow
that order. Each show_doc entry has nbdev's anchor (`batchbald.html#get_batchbald_batch`); as many plots are shown
as the processed notebooks hold.

A screenshot of the BatchBALD page (nbs/06_batchbald.ipynb) is saved, after MathJax has finished.
Exit status 0 when everything holds; the last line reads 'N passed, N failed'.
Usage: python tools/check_docs.py [--site docs/_build/html] [--screenshot docs/_build/screenshots/06_batchbald.png]
"""
import argparse
import functools
import http.server
import json
import re
import shutil
import sys
import threading
from configparser import ConfigParser
from pathlib import Path
from urllib.parse import unquote, urldefrag

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces: even a request that slipped past the router could not resolve any host but this one.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

# Runs in the page once MathJax (if the page loads it) has finished typesetting.
PAGE_REPORT_JS = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const maths = Array.from(document.querySelectorAll('article .math'));
  const untypeset = maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80));
  // Visible text outside code and outside rendered maths.
  const article = document.querySelector('article') || document.body;
  const clone = article.cloneNode(true);
  clone.querySelectorAll('pre, code, mjx-container, script, style, .highlight').forEach(n => n.remove());
  const text = clone.innerText || clone.textContent || '';
  const images = Array.from(document.querySelectorAll('img')).map(img => ({
    src: img.getAttribute('src'), complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,
    plot: !!img.closest('.cell_output'),
  }));
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
  const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id);
  // The sidebar as furo draws it: each toctree's caption (a heading), then its list of pages. A list with no
  // caption before it (the index page's) is a part of its own, with caption null.
  const parts = [];
  for (const el of (document.querySelector('.sidebar-tree') || document.createElement('div')).children) {
    if (el.matches('p.caption')) {
      const box = el.getBoundingClientRect();
      parts.push({caption: el.textContent.trim(), heading: el.getAttribute('role') === 'heading',
                  visible: box.width > 0 && box.height > 0 && getComputedStyle(el).visibility === 'visible', links: null});
    } else if (el.matches('ul')) {
      if (!parts.length || parts[parts.length - 1].links !== null) parts.push({caption: null, heading: false, visible: true, links: null});
      parts[parts.length - 1].links = Array.from(el.querySelectorAll('a.reference')).map(a => a.href);
    }
  }
  const related = cls => { const a = document.querySelector(`.related-pages a.${cls}`); return a ? a.href : null; };
  return {
    title: document.title, mathjax: !!window.MathJax, maths: maths.length, untypeset,
    containers: document.querySelectorAll('mjx-container').length,
    merrors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
    text, images, links, ids, parts, prev: related('prev-page'), next: related('next-page'),
  };
}
"""
RAW_MATH = [("$...$", r"\$[^$\n]+\$"), ("$$", r"\$\$"), ("\\(...\\)", r"\\\(.+?\\\)"), ("\\[...\\]", r"\\\[.+?\\\]")]


class Checks:
    "Named checks, each passed or failed with the reasons; printed as they are made."

    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, name: str, problems: list) -> None:
        if problems:
            self.failed += 1
            print(f"FAIL {name}")
            for problem in problems[:20]:
                print(f"     {problem}")
            if len(problems) > 20:
                print(f"     ... and {len(problems) - 20} more")
        else:
            self.passed += 1
            print(f"ok   {name}")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site: Path):
    "A server for the site on 127.0.0.1 (a free port), in a thread."
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def open_page(context, url: str, is_own):
    "Load one page; return the page (still open), its report, and the problems seen while loading."
    problems = []
    page = context.new_page()
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("request", lambda r: None if is_own(r.url) else problems.append(f"request leaves the site: {r.url}"))
    response = page.goto(url, wait_until="load")
    if response is not None and not response.ok:
        problems.append(f"{url}: HTTP {response.status}")
    page.wait_for_load_state("networkidle")
    report = page.evaluate(PAGE_REPORT_JS)
    return page, report, problems


def page_problems(report: dict) -> list:
    "What a reader would see wrong on a loaded page."
    problems = []
    if report["untypeset"]:
        problems += [f"maths not typeset: {m!r}" for m in report["untypeset"]]
    if report["maths"] and not report["mathjax"]:
        problems.append("page has maths but MathJax did not load")
    if report["merrors"]:
        problems.append(f"{report['merrors']} TeX errors rendered by MathJax")
    for label, pattern in RAW_MATH:
        for match in re.finditer(pattern, report["text"]):
            problems.append(f"raw {label} in the visible text: {match.group(0)[:80]!r}")
    for image in report["images"]:
        if not image["complete"] or not image["width"] or not image["height"]:
            problems.append(f"image not loaded or empty: {image['src']} ({image['width']}x{image['height']})")
    return problems


def sidebar_yml(nbs: Path) -> list[tuple[str | None, list[str]]]:
    """nbs/sidebar.yml's parts, as (caption, notebooks relative to nbs/); notebooks outside any `section` (index)
    make a part with caption None. Read here, not with docs/build.py's reader, so that a slip there shows."""
    parts = []
    for entry in yaml.safe_load((nbs / "sidebar.yml").read_text(encoding="utf-8"))["website"]["sidebar"]["contents"]:
        caption, notebooks = (entry["section"], entry["contents"] or []) if isinstance(entry, dict) else (None, [entry])
        if caption is None and parts and parts[-1][0] is None:
            parts[-1][1].extend(notebooks)
        else:
            parts.append((caption, list(notebooks)))
    return parts


def notebooks_in(nbs: Path) -> list[str]:
    "Every notebook of nbs/ that nbdev makes a page of (none in a `.` or `_` folder), relative to nbs/, sorted."
    found = [p.relative_to(nbs) for p in nbs.rglob("*.ipynb")]
    return sorted(p.as_posix() for p in found if not any(part.startswith((".", "_")) for part in p.parts))


def sidebar_problems(name: str, shown: list, expected: list) -> list:
    "How the sidebar of one page differs from the expected parts, [(caption, [page]), ...]."
    got = [(part["caption"], part["pages"]) for part in shown]
    problems = []
    if got != expected:
        # The first part that differs says what is wrong; the whole sidebar would hide it in a long line.
        at = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
        shows = f"{got[at][0]!r}: {got[at][1]}" if at < len(got) else "nothing more"
        wanted = f"{expected[at][0]!r}: {expected[at][1]}" if at < len(expected) else "nothing more"
        problems.append(f"{name}.html sidebar, part {at + 1} of {len(got)}: shows {shows}, sidebar.yml says {wanted}")
    for part in shown:
        if part["caption"] is not None and not (part["heading"] and part["visible"]):
            problems.append(f"{name}.html: the caption {part['caption']!r} is not a visible heading")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "docs" / "_build" / "html")
    parser.add_argument("--screenshot", type=Path, default=ROOT / "docs" / "_build" / "screenshots" / "06_batchbald.png")
    parser.add_argument("--screenshot-notebook", default="06_batchbald.ipynb", help="the notebook whose page is captured")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()

    site = args.site.resolve()
    index_file = site.parent / "src" / "_anchors.json"  # written by docs/build.py
    if not (site / "index.html").exists() or not index_file.exists():
        print(f"no built site in {site}: run `make docs` first", file=sys.stderr)
        return 2
    if not Path(args.chromium).exists():
        print(f"chromium not found ({args.chromium}): apt-get install -y chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    config = ConfigParser(delimiters=["="])
    config.read(ROOT / "settings.ini", encoding="utf-8")
    site_url = config["DEFAULT"]["doc_host"].rstrip("/") + config["DEFAULT"]["doc_baseurl"].rstrip("/") + "/"
    built = json.loads(index_file.read_text(encoding="utf-8"))
    pages = built["pages"]
    extra = sorted(p.relative_to(site).with_suffix("").as_posix() for p in site.glob("*.html"))
    all_pages = pages + [p for p in extra if p not in pages]  # genindex, search
    checks = Checks()

    # The page order is nbs/sidebar.yml's, and it lists every notebook of nbs/ (the build refuses it otherwise).
    nbs = ROOT / config["DEFAULT"].get("nbs_path", "nbs")
    parts = sidebar_yml(nbs)
    expected = [nb for _, part in parts for nb in part]
    notebook_of = {page: Path(built["notebooks"][page]).relative_to(nbs.relative_to(ROOT)).as_posix() for page in pages}
    notebooks = [notebook_of[page] for page in pages]
    order_problems = [] if notebooks == expected else [f"sidebar.yml lists {expected}, the pages are from {notebooks}"]
    if sorted(expected) != notebooks_in(nbs):
        order_problems.append(f"sidebar.yml lists {sorted(expected)}, nbs/ holds {notebooks_in(nbs)}")
    checks.check(f"every notebook is a page, in the order of sidebar.yml: {', '.join(notebooks)}", order_problems)
    # What every page's sidebar must show: the parts, each with the pages of its notebooks.
    page_of = {notebook: page for page, notebook in notebook_of.items()}
    expected_parts = [(caption, [page_of.get(nb, nb) for nb in part]) for caption, part in parts]

    # How many plots the processed notebooks hold (all must be on the pages).
    stored_plots = 0
    for page in pages:
        nb = json.loads((site.parent / "src" / f"{page}.ipynb").read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                stored_plots += any(k.startswith("image/") for k in output.get("data", {}))

    server = serve(site)
    base_http = f"http://127.0.0.1:{server.server_address[1]}/"
    base_file = site.as_uri() + "/"

    def is_own(url: str) -> bool:
        return url.startswith((base_http, base_file, "data:", "blob:", "about:"))

    def target_of(url: str):
        "A link's page and anchor within the site, or None for links elsewhere."
        bare, fragment = urldefrag(url)
        for base in (base_http, base_file):
            if bare.startswith(base):
                return unquote(bare[len(base):]) or "index.html", fragment
        return None

    def page_at(link):
        "The page a sidebar or previous/next link opens (the link itself if it leaves the site, None for none)."
        target = target_of(link) if link else None
        return target[0].removesuffix(".html") if target else link

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 2000})
        # Refuse every request that would leave the site (it is also counted as a failure by open_page).
        context.route("**/*", lambda route: route.continue_() if is_own(route.request.url) else route.abort())
        for mode, base in (("file://", base_file), ("served", base_http)):
            ids, links, plots, math_pages, reports, texts = {}, [], 0, [], {}, {}
            for name in all_pages:
                page, report, problems = open_page(context, base + name + ".html", is_own)
                problems += page_problems(report)
                checks.check(
                    f"{mode} {name}.html: loads, maths typeset ({report['containers']} formulas), "
                    f"{len(report['images'])} images loaded",
                    problems,
                )
                ids[name] = set(report["ids"])
                texts[name] = report["text"]
                links += [(name, link) for link in report["links"]]
                plots += sum(image["plot"] for image in report["images"])
                if report["containers"]:
                    math_pages.append(name)
                if name in pages:
                    reports[name] = report
                if mode == "file://" and built["notebooks"].get(name, "").endswith("/" + args.screenshot_notebook):
                    args.screenshot.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(args.screenshot))
                    print(f"     screenshot: {args.screenshot}")
                page.close()

            broken = []
            for name, link in links:
                target = target_of(link)
                if target is None:
                    continue
                path, fragment = target
                page = path.removesuffix(".html")
                if not path.endswith(".html"):
                    if not (site / path).is_file():
                        broken.append(f"{name}.html links to a missing file: {link}")
                elif page not in ids:
                    broken.append(f"{name}.html links to a missing page: {link}")
                elif fragment and fragment not in ids[page] and not fragment.startswith("svg-"):
                    broken.append(f"{name}.html links to a missing anchor: {link}")
            checks.check(f"{mode} every link inside the site lands on a page and anchor ({len(links)} links)", broken)
            public = sorted({f"{name}.html links to {link}" for name, link in links if link.startswith(site_url)})
            public += [f"{name}.html shows the address as text" for name in all_pages if site_url in texts.get(name, "")]
            checks.check(f"{mode} no link to the site's public address {site_url}, which is not online", public)

            shown_problems, related_problems = [], []
            for name, report in reports.items():
                shown = [part | {"pages": [page_at(link) for link in part["links"] or []]} for part in report["parts"]]
                shown_problems += sidebar_problems(name, shown, expected_parts)
                at = pages.index(name)
                prev, next_ = pages[at - 1] if at else None, pages[at + 1] if at + 1 < len(pages) else None
                if (page_at(report["prev"]), page_at(report["next"])) != (prev, next_):
                    related_problems.append(
                        f"{name}.html: previous {page_at(report['prev'])}, next {page_at(report['next'])}; "
                        f"sidebar.yml's order says {prev}, {next_}"
                    )
            listing = " | ".join(f"{caption}: {', '.join(part)}" if caption else ", ".join(part) for caption, part in expected_parts)
            checks.check(f"{mode} the sidebar of every page shows the parts in order, each with its pages: {listing}", shown_problems)
            checks.check(f"{mode} every page's previous and next links follow sidebar.yml's order", related_problems)

            missing_anchors = [
                f"{page}.html#{anchor} ({heading})"
                for page, anchors in built["anchors"].items()
                for heading, anchor in anchors.items()
                if anchor not in ids.get(page, set())
            ]
            count = sum(len(a) for a in built["anchors"].values())
            checks.check(f"{mode} every show_doc entry has its nbdev anchor ({count} entries)", missing_anchors)
            checks.check(
                f"{mode} every stored plot is shown ({plots} of {stored_plots})",
                [] if plots == stored_plots else [f"{stored_plots} plots in the notebooks, {plots} on the pages"],
            )
            checks.check(
                f"{mode} maths is typeset somewhere on the site ({', '.join(math_pages)})",
                [] if math_pages else ["no page has any typeset formula"],
            )
        browser.close()
    server.shutdown()

    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
