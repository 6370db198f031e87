"""A document as a standalone HTML page: the print-friendly client handout.

The CSS is inline and nothing is fetched from elsewhere; every piece of text is
escaped with `html.escape` after its control characters are made visible. A
figure's SVG is embedded only when it is a plain picture (one `<svg>` element,
no scripts, event handlers, foreign objects or outside references); otherwise
its text fallback stands in, as in the other formats. A picture (a photo in a
table) is embedded as a `data:` URI only when its media type is JPEG, PNG or WebP,
its data plain base64 and its first bytes that format's; otherwise its words
stand in.
"""

from __future__ import annotations

import base64
import binascii
import html
import re

from cexpert.present.document import (
    APPENDIX_TITLE,
    Block,
    Chain,
    ChainNode,
    Document,
    Figure,
    ItemList,
    Paragraph,
    Picture,
    Section,
    Table,
    cell_text,
)
from cexpert.present.escape import one_line

CSS = """
:root { color-scheme: light; }
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1d232a; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; padding-bottom: .2rem;
  border-bottom: 2px solid #2b6cb0; }
h3 { font-size: 1rem; margin: 1.1rem 0 .3rem; }
ul.facts { list-style: none; padding: 0; margin: 0; color: #4a5568; }
ol.items > li, ul.items > li { margin: .45rem 0; }
.detail { color: #2b6cb0; font-weight: 600; }
.note, p.muted { color: #4a5568; }
p.alert { font-weight: 600; }
section.alert { border: 2px solid #c53030; background: #fff5f5; padding: .2rem 1rem 1rem;
  border-radius: 6px; }
section.alert h2 { color: #c53030; border-color: #c53030; }
table { border-collapse: collapse; margin: .3rem 0 .8rem; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { text-align: left; padding: .15rem .8rem .15rem 0; border-bottom: 1px solid #e2e8f0; }
details { margin: .2rem 0 0; color: #4a5568; font-size: .9em; }
details summary { cursor: pointer; }
ul.chain { margin: .2rem 0; padding-left: 1.2rem; color: #4a5568; font-size: .9em; }
.rule { font-style: italic; }
dl.how { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .7rem;
  margin: .3rem 0 .2rem; font-size: .95em; }
dl.how dt { font-weight: 600; color: #4a5568; }
dl.how dd { margin: 0; }
a.why { font-size: .8em; color: #718096; }
figure { margin: .8rem 0; }
figure svg { max-width: 100%; height: auto; }
img.photo { display: block; max-width: 13rem; max-height: 20rem; height: auto; }
td:has(> img.photo) { vertical-align: top; }
pre.fallback { white-space: pre-wrap; }
section.appendix { margin-top: 2.5rem; border-top: 1px dashed #a0aec0; }
footer { margin-top: 2rem; font-size: .85em; color: #718096; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section { break-inside: avoid-page; }
  section.appendix { break-before: page; }
  ol.items > li, ul.items > li { break-inside: avoid; }
  details summary { list-style: none; }
  a { color: inherit; text-decoration: none; }
  a.why { display: none; }
}
"""


def _h(text: object) -> str:
    return html.escape(one_line(str(text)), quote=True)


def render_html(doc: Document) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_h(doc.title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           f"<header><h1>{_h(doc.title)}</h1>", '<ul class="facts">']
    out += [f"<li>{_h(fact)}</li>" for fact in doc.facts]
    out.append("</ul></header>")
    for section in doc.sections:
        out += _section(section, 2)
    if doc.appendix:
        out += ['<section class="appendix">', f"<h2>{_h(APPENDIX_TITLE)}</h2>"]
        for section in doc.appendix:
            out += _section(section, 3)
        out.append("</section>")
    if doc.footer:
        out.append(f"<footer>{_h(doc.footer)}</footer>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _section(section: Section, level: int) -> list[str]:
    tag = f"h{min(level, 6)}"
    out = ['<section class="alert">' if section.alert else "<section>",
           f"<{tag}>{_h(section.title)}</{tag}>"]
    for block in section.blocks:
        out += _block(block, level)
    out.append("</section>")
    return out


def _block(block: Block, level: int) -> list[str]:
    if isinstance(block, Section):
        return _section(block, level + 1)
    if isinstance(block, Paragraph):
        tone = f' class="{block.tone}"' if block.tone else ""
        return [f"<p{tone}>{_h(block.text)}</p>"]
    if isinstance(block, ItemList):
        return [*([f"<p>{_h(block.caption)}</p>"] if block.caption else []), _items(block)]
    if isinstance(block, Table):
        return [_table(block)]
    if isinstance(block, Figure):
        return [_figure(block)]
    if isinstance(block, Chain):
        anchor = f' id="{_h(block.key)}"' if block.key else ""
        return [f"<h4{anchor}>{_h(block.label)}</h4>", _chain(block.nodes)]
    raise TypeError(f"not a block: {block!r}")


def _items(block: ItemList) -> str:
    tag = "ol" if block.ordered else "ul"
    parts = [f'<{tag} class="items">']
    for item in block.items:
        title = f"<strong>{_h(item.title)}</strong>" if item.detail or item.note or item.why \
            or item.steps else _h(item.title)
        parts.append(f"<li>{title}")
        if item.detail:
            parts.append(f' <span class="detail">{_h(item.detail)}</span>')
        if item.note:
            parts.append(f'<div class="note">{_h(item.note)}</div>')
        if item.steps:
            parts.append('<dl class="how">' + "".join(
                f"<dt>{_h(label)}</dt><dd>{_h(text)}</dd>" for label, text in item.steps)
                + "</dl>")
        if item.why:
            parts.append(f"<details open><summary>Why</summary>{_chain(item.why)}</details>")
        if item.ref:
            parts.append(f' <a class="why" href="#{_h(item.ref)}">why</a>')
        parts.append("</li>")
    parts.append(f"</{tag}>")
    return "".join(parts)


def _table(block: Table) -> str:
    parts = ["<table>"]
    if block.caption:
        parts.append(f"<caption>{_h(block.caption)}</caption>")
    parts.append("<thead><tr>" + "".join(f"<th>{_h(c)}</th>" for c in block.header)
                 + "</tr></thead><tbody>")
    parts += ["<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>"
              for row in block.rows]
    parts.append("</tbody></table>")
    return "".join(parts)


def _cell(cell) -> str:
    if isinstance(cell, Picture):
        uri = picture_uri(cell)
        if uri is not None:
            return f'<img class="photo" src="{uri}" alt="{_h(cell.alt)}">'
    return _h(cell_text(cell))


# The image formats a picture may embed, by the bytes each starts with.
_IMAGE_MAGIC = {"image/jpeg": (0, b"\xff\xd8\xff"), "image/png": (0, b"\x89PNG\r\n\x1a\n"),
                "image/webp": (8, b"WEBP")}
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def picture_uri(picture: Picture) -> str | None:
    """The `data:` URI of a picture that is what it says (a JPEG, PNG or WebP image in
    plain base64), else None."""
    magic = _IMAGE_MAGIC.get(picture.media_type)
    if magic is None or not _BASE64.fullmatch(picture.data):
        return None
    at, expected = magic
    try:
        head = base64.b64decode(picture.data[:24], validate=True)
    except (binascii.Error, ValueError):
        return None
    if head[at:at + len(expected)] != expected:
        return None
    return f"data:{picture.media_type};base64,{picture.data}"


def _chain(nodes: tuple[ChainNode, ...]) -> str:
    parts = ['<ul class="chain">']
    for node in nodes:
        parts.append(f"<li>{_h(node.text)}")
        if node.rule:
            parts.append(f' <span class="rule">by {_h(node.rule)}</span>')
        if node.children:
            parts.append(_chain(node.children))
        parts.append("</li>")
    parts.append("</ul>")
    return "".join(parts)


# --- figures --------------------------------------------------------------------------------

_PROLOG = re.compile(r"\A\s*(<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<!--.*?-->\s*)*", re.S)
_UNSAFE = re.compile(r"<\s*(script|foreignObject|iframe|object|embed)\b|<!ENTITY"
                     r"|\son\w+\s*=|javascript:|\bhref\s*=\s*[\"'](?!#)|url\(\s*['\"]?(?!#)",
                     re.I)


def safe_svg(svg: str) -> str | None:
    """The `<svg>` element of `svg` when it is a plain, self-contained picture, else None."""
    body = _PROLOG.sub("", svg, count=1).strip()
    if not re.match(r"<svg[\s>]", body) or not body.endswith("</svg>"):
        return None
    return None if _UNSAFE.search(body) else body


def _figure(block: Figure) -> str:
    svg = safe_svg(block.svg) if block.svg else None
    picture = svg if svg is not None else (
        '<pre class="fallback">' + "\n".join(_h(line) for line in block.text) + "</pre>")
    return f"<figure>{picture}<figcaption>{_h(block.caption)}</figcaption></figure>"
