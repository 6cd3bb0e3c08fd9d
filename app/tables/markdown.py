"""A frame as a static Markdown table, the fastest table the browser can draw.

`st.dataframe` (and `st.table`) each load a component of their own in the browser, about
0,1-0,2 s a page; a Markdown table is drawn by the Markdown renderer every page already
has. Our tables are pre-formatted Vietnamese text, so sorting by a click would sort text
anyway; the numbers stay sortable in the downloads. Cells may carry Streamlit's coloured
backgrounds (`:blue-background[...]`) when the caller builds them with `highlight`.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from app.fmt import fmt_num

_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$:"})
NO_WRAP_CHARS = 20  # a cell this short never breaks over two lines (names, "Chưa báo cáo", "1.234")
# Streamlit's Markdown background colours for a standing against the median
STANDING_BACKGROUNDS = {"better": "blue", "same": "gray", "worse": "orange"}


def escape_markdown(text: str) -> str:
    """Text shown inside Markdown as it is: no links, images, formatting or colour directives."""
    return text.translate(_MARKDOWN_SPECIAL)


def highlight(text: str, color: str | None) -> str:
    """`text` (escaped) on one of Streamlit's Markdown background colours; plain when color is None."""
    safe = escape_markdown(text)
    return f":{color}-background[{safe}]" if color else safe


def _cell(value: object, column: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if column == "year" or not isinstance(value, int | float):
        return _no_wrap(escape_markdown(str(value)).replace("\n", " "))
    return fmt_num(value, 0 if float(value).is_integer() else 1)


def _no_wrap(text: str) -> str:
    # a wrapped short cell ("Chưa báo / cáo") reads worse than a wrapped long one
    return text.replace(" ", "\u00a0") if len(text) <= NO_WRAP_CHARS else text


def markdown_table(
    df: pl.DataFrame,
    headers: dict[str, str] | None = None,
    *,
    right: Sequence[str] = (),
    escaped: Sequence[str] = (),
) -> str:
    """The frame as a GitHub-flavoured Markdown table.

    `headers` renames (and selects, in its order) the columns; `right` aligns columns to the
    right (numbers); cells are escaped, except in the `escaped` columns, which the caller
    built with `highlight` or `escape_markdown` itself. Blank cells stay empty unless the
    frame spells them ("Chưa báo cáo").

    >>> print(markdown_table(pl.DataFrame({"a": ["x|y"], "b": [1234]}), {"a": "Tên", "b": "Số"}, right=["b"]))
    | Tên | Số |
    | :-- | --: |
    | x\\|y | 1.234 |
    """
    names = headers or {c: c for c in df.columns}
    cols = [c for c in names if c in df.columns]
    head = "| " + " | ".join(escape_markdown(names[c]) for c in cols) + " |"
    rule = "| " + " | ".join("--:" if c in right else ":--" for c in cols) + " |"
    lines = [head, rule]
    for row in df.select(cols).iter_rows():
        cells = [
            (str(v) if v is not None else "") if c in escaped else _cell(v, c)
            for c, v in zip(cols, row, strict=True)
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
