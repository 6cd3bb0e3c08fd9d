"""The "Kiểm tra số liệu" list as a reader sees it: findings (app/tables/data_checks.py) with
their marks (app/check_marks.py), narrowed by verification state and check, as the page's
table (Vietnamese text, a link to each submission) and as the downloaded file.

A mark counts only while the finding's figures are the ones it was made on: when the
unit's new version changed them, the finding reads unchecked again, saying so.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

import polars as pl

from app.accounts_view import VIETNAM_TIME
from app.tables.data_checks import CHECK_NAMES
from app.tables.markdown import escape_markdown

UNVERIFIED, VERIFIED, EVERY = "Chưa xác minh", "Đã xác minh", "Tất cả"
STATES = (UNVERIFIED, VERIFIED, EVERY)
DETAIL_URL = "chi-tiet-bao-cao"  # pages/submission_detail.py's url_path (app/navigation.py)
DETAIL_UNIT_KEY, DETAIL_YEAR_KEY = "don_vi", "ct_nam"  # the query parameters it reads
LINK_TEXT = "Chi\u00a0tiết\u00a0báo\u00a0cáo"  # on one line: the column stays narrow

DISPLAY_HEADERS = {
    "check_name": "Loại kiểm tra",
    "short_name": "Đơn vị",
    "year": "Năm",
    "indicator": "Chỉ tiêu",
    "detail": "Điều cần xác minh",
    "state": "Xác minh",
    "link": "Báo cáo",
}


def shown_headers(table: pl.DataFrame, state: str, checks: tuple[str, ...]) -> dict[str, str]:
    """DISPLAY_HEADERS without the columns that would say on every row of `table` (the output
    of display) what the filters above it already say: the check when one is chosen (`checks`),
    the state when the unverified are listed (`state`) and none of them has more to say (data
    changed since a verification). The explanation column gets their room instead of wrapping
    over five lines.

    >>> t = pl.DataFrame({"check_name": ["a", "a"], "state": [UNVERIFIED, UNVERIFIED]})
    >>> list(shown_headers(t, UNVERIFIED, ("outlier",)))
    ['short_name', 'year', 'indicator', 'detail', 'link']
    >>> list(shown_headers(t, EVERY, ()))[-2:]
    ['state', 'link']
    """
    dropped = {"check_name"} if len(checks) == 1 else set()
    if state == UNVERIFIED and table["state"].eq(UNVERIFIED).all():
        dropped.add("state")
    return {column: header for column, header in DISPLAY_HEADERS.items() if column not in dropped}


# the downloaded file: Vietnamese headers (year and short_name get theirs from app.downloads)
DOWNLOAD_COLUMNS = {
    "check_name": "Loại kiểm tra",
    "indicator": "Chỉ tiêu",
    "detail": "Điều cần xác minh",
    "value": "Giá trị",
    "state_word": "Tình trạng",
    "marked_by": "Người xác minh",
    "marked_at_text": "Thời điểm xác minh",
    "note": "Ghi chú xác minh",
}


def local_minute(iso: str | None) -> str | None:
    """'2026-12-01T03:04:05+00:00' -> '01/12/2026 10:04' (Vietnam time); None stays None.

    >>> local_minute("2026-12-01T03:04:05+00:00")
    '01/12/2026 10:04'
    """
    if not iso:
        return None
    return datetime.fromisoformat(iso).astimezone(VIETNAM_TIME).strftime("%d/%m/%Y %H:%M")


def with_marks(findings: pl.DataFrame, marks: pl.DataFrame) -> pl.DataFrame:
    """The findings with is_verified, mark_outdated (marked on other figures) and the mark's
    marked_by, marked_at (UTC ISO) and note; a mark that no longer matches is not one."""
    joined = findings.join(marks, on="finding_key", how="left")
    matches = pl.col("mark_fingerprint") == pl.col("fingerprint")
    valid = matches.fill_null(False)
    return joined.with_columns(
        is_verified=valid,
        mark_outdated=(pl.col("mark_fingerprint").is_not_null() & ~matches).fill_null(False),
    )


def in_state(df: pl.DataFrame, state: str, checks: tuple[str, ...] = ()) -> pl.DataFrame:
    """Rows in the chosen verification state (STATES) and, when given, of the chosen checks."""
    out = df.filter(pl.col("check").is_in(list(checks))) if checks else df
    if state == UNVERIFIED:
        return out.filter(~pl.col("is_verified"))
    if state == VERIFIED:
        return out.filter(pl.col("is_verified"))
    return out


def summary(df: pl.DataFrame) -> pl.DataFrame:
    """One row per check, in CHECK_NAMES order, every check listed: check_name, n_open
    (not verified), n_all."""
    return pl.DataFrame(
        [
            (name, rows.filter(~pl.col("is_verified")).height, rows.height)
            for code, name in CHECK_NAMES.items()
            for rows in [df.filter(pl.col("check") == code)]
        ],
        schema={"check_name": pl.String, "n_open": pl.Int64, "n_all": pl.Int64},
        orient="row",
    )


SUMMARY_HEADERS = {"check_name": "Loại kiểm tra", "n_open": "Chưa xác minh", "n_all": "Tất cả"}


def submission_href(unit_code: str, year: int) -> str:
    """A relative link to "Chi tiết báo cáo" on one unit-year (it resolves beside this page).

    >>> submission_href("BVM", 2024)
    'chi-tiet-bao-cao?don_vi=BVM&ct_nam=2024'
    """
    return f"{DETAIL_URL}?{urlencode({DETAIL_UNIT_KEY: unit_code, DETAIL_YEAR_KEY: year})}"


def _state_text(row: dict) -> str:
    if row["is_verified"]:
        text = f"Đã xác minh với đơn vị ({row['marked_by']}, {local_minute(row['marked_at'])})"
        return text + (f": {row['note']}" if row["note"] else "")
    if row["mark_outdated"]:
        return f"Chưa xác minh: số liệu đã đổi sau lần xác minh ngày {(local_minute(row['marked_at']) or '')[:10]}"
    return UNVERIFIED


def _state_word(row: dict) -> str:
    if row["is_verified"]:
        return "Đã xác minh với đơn vị"
    return "Chưa xác minh (số liệu đã đổi sau lần xác minh)" if row["mark_outdated"] else UNVERIFIED


def display(df: pl.DataFrame, with_report: set[tuple[str, int]]) -> pl.DataFrame:
    """The page's table: Vietnamese text in DISPLAY_HEADERS' columns; `link` is Markdown
    (escaped here), a link to the unit-year's submissions where `with_report` has it."""
    states, links = [], []
    for row in df.iter_rows(named=True):
        states.append(_state_text(row))
        if (row["unit_code"], row["year"]) in with_report:
            links.append(f"[{LINK_TEXT}]({submission_href(row['unit_code'], row['year'])})")
        else:
            links.append(escape_markdown("Chưa có báo cáo"))
    return df.select(
        check_name=pl.col("check").replace_strict(CHECK_NAMES, default=pl.col("check")),
        short_name="short_name",
        year=pl.col("year").cast(pl.String),
        indicator="indicator",
        detail="detail",
        state=pl.Series(states, dtype=pl.String),
        link=pl.Series(links, dtype=pl.String),
    )


def download(df: pl.DataFrame) -> pl.DataFrame:
    """The file a reader downloads: no codes, keys or fingerprints; who and when in words."""
    words = [_state_word(r) for r in df.iter_rows(named=True)]
    out = df.with_columns(
        check_name=pl.col("check").replace_strict(CHECK_NAMES, default=pl.col("check")),
        state_word=pl.Series(words, dtype=pl.String),
        marked_by=pl.when(pl.col("is_verified")).then(pl.col("marked_by")),
        note=pl.when(pl.col("is_verified")).then(pl.col("note")),
        marked_at_text=pl.when(pl.col("is_verified")).then(
            pl.col("marked_at").map_elements(local_minute, return_dtype=pl.String)
        ),
    )
    return out.select("year", "short_name", *DOWNLOAD_COLUMNS).rename(DOWNLOAD_COLUMNS)


def choice_label(row: dict) -> str:
    """One finding in the mark picker: 'BV Mắt · 2022 · Thứ hạng CCHC · Hạng lệch với điểm CCHC'."""
    return f"{row['short_name']} · {row['year']} · {row['indicator']} · {CHECK_NAMES.get(row['check'], '')}"
