"""Write README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which these machines cannot install).

Markdown cells are copied as they are, code cells become ```python blocks followed by their stored text
output, and cells marked `#| hide` are left out. A link to a page of the docs site (settings.ini's doc_host and
doc_baseurl, which the site's own build makes relative) becomes a link to its notebook in the repository, since the
site is not online. `--check` exits 1, changing nothing, if README.md differs.
"""
import argparse
import configparser
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = "<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, then run `make readme`. -->\n\n"


def cell_text(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def output_text(output) -> str:
    if output["output_type"] == "stream" and output.get("name") == "stdout":
        text = output["text"]
    elif output["output_type"] in ("execute_result", "display_data"):
        text = output.get("data", {}).get("text/plain", "")
    else:
        return ""
    return "".join(text) if isinstance(text, list) else text


def site_url() -> str:
    "The docs site's address, from settings.ini."
    settings = configparser.ConfigParser()
    settings.read(ROOT / "settings.ini")
    return settings["DEFAULT"]["doc_host"].rstrip("/") + "/" + settings["DEFAULT"]["doc_baseurl"].strip("/") + "/"


def notebook_links(markdown: str) -> str:
    "Links to pages of the docs site as links to their notebooks (`.../your_model.html#x` -> `nbs/22_your_model.ipynb#x`)."
    notebooks = {re.sub(r"^\d+_", "", path.stem): path.name for path in (ROOT / "nbs").glob("*.ipynb")}

    def to_notebook(match: re.Match) -> str:
        page, anchor = match.group(1), match.group(2) or ""
        if page not in notebooks:
            raise SystemExit(f"nbs/index.ipynb links to {match.group(0)}, a page no notebook makes")
        return f"nbs/{notebooks[page]}{anchor}"

    return re.sub(re.escape(site_url()) + r"([\w-]+)\.html(#[\w-]+)?", to_notebook, markdown)


def render(notebook) -> str:
    blocks = []
    for cell in notebook["cells"]:
        lines = cell_text(cell).splitlines()
        directives = [line for line in lines if line.startswith("#|")]
        if any(line.replace(" ", "") in ("#|hide", "#|exporthide") for line in directives):
            continue
        body = "\n".join(line for line in lines if not line.startswith("#|")).strip("\n")
        if cell["cell_type"] == "markdown":
            blocks.append(notebook_links(body))
        elif cell["cell_type"] == "code" and body:
            blocks.append(f"```python\n{body}\n```")
            shown = "".join(output_text(output) for output in cell.get("outputs", [])).rstrip("\n")
            if shown:
                blocks.append(f"```\n{shown}\n```")
    return HEADER + "\n\n".join(blocks) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if README.md is out of date")
    args = parser.parse_args()
    readme = render(json.loads((ROOT / "nbs" / "index.ipynb").read_text(encoding="utf-8")))
    path = ROOT / "README.md"
    if args.check:
        if not path.exists() or path.read_text(encoding="utf-8") != readme:
            print("README.md is out of date with nbs/index.ipynb: run `make readme` and commit it.", file=sys.stderr)
            return 1
        print("README.md is in sync with nbs/index.ipynb.")
        return 0
    path.write_text(readme, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
