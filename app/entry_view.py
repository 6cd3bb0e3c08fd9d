"""How the direct entry form («Nhập trực tiếp») is drawn: its fields, their messages, the summary.

The form itself (fields, typed values, validation) is app/entry_form.py; this module only lays
it out with Streamlit widgets. Every message is shown escaped, as text: a message may quote
what a person typed, and nothing typed is ever read as Markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from app.entry_form import Field, FormCheck, Section, summary_lines, verdict_message
from app.tables.markdown import escape_markdown
from app.upload import FileVerdict

BLANK_CHOICE = "— Chưa báo cáo —"  # a dropdown left blank: not reported, not zero
_NUMBER_PLACEHOLDER = "Để trống nếu chưa có số liệu"
LIVE_PAUSE = "700ms"  # a number is checked once the person stops typing this long


def field_key(prefix: str, code: str) -> str:
    """The widget key of a field (`prefix`: one form of one unit and year)."""
    return f"{prefix}{code}"


def start_form(prefix: str, sections: list[Section], typed: Mapping[str, str]) -> None:
    """Put the starting texts (a draft, or the values in force) into the form's widgets."""
    for section in sections:
        for f in section.fields:
            if not f.applies:
                continue
            text = typed.get(f.code, "")
            if f.options and text not in f.options:
                text = ""
            st.session_state[field_key(prefix, f.code)] = text


def typed_values(prefix: str, sections: list[Section]) -> dict[str, str | None]:
    """What the form's widgets hold now, by indicator code (the fields the unit is asked)."""
    return {
        f.code: st.session_state.get(field_key(prefix, f.code))
        for section in sections
        for f in section.fields
        if f.applies
    }


def _messages(errors: list[str], warnings: list[str]) -> None:
    for m in errors:
        st.error(escape_markdown(m), icon=":material/error:")
    for m in warnings:
        st.warning(escape_markdown(m), icon=":material/warning:")


def _widget(f: Field, key: str) -> None:
    if f.kind in ("category", "bool"):
        st.selectbox(
            f.label,
            ["", *f.options],
            format_func=lambda o: o or BLANK_CHOICE,
            key=key,
            help=f.hint,
            persist_state="session",
        )
    elif f.kind == "text":
        st.text_area(f.label, key=key, help=f.hint, height=110, persist_state="session")
    else:
        st.text_input(
            f.label,
            key=key,
            help=f.hint,
            placeholder=_NUMBER_PLACEHOLDER,
            live=LIVE_PAUSE,
            persist_state="session",
        )


def draw_field(f: Field, prefix: str, check: FormCheck) -> None:
    """One field with its errors and warnings right below it; a field that does not apply says so."""
    if not f.applies:
        st.markdown(
            f"**{escape_markdown(f.label)}**  \n:gray[{escape_markdown(f.not_applicable)}: không hỏi.]"
        )
        return
    _widget(f, field_key(prefix, f.code))
    _messages(check.field_errors.get(f.code, []), check.field_warnings.get(f.code, []))


def draw_sections(sections: list[Section], prefix: str, check: FormCheck) -> None:
    """Every domain as a bordered section; short fields two a row, free text across."""
    for section in sections:
        with st.container(border=True):
            st.subheader(section.title)
            short = [f for f in section.fields if f.kind != "text"]
            long = [f for f in section.fields if f.kind == "text"]
            for i in range(0, len(short), 2):
                cols = st.columns(2)
                for col, f in zip(cols, short[i : i + 2], strict=False):
                    with col:
                        draw_field(f, prefix, check)
            for f in long:
                draw_field(f, prefix, check)


def draw_summary(check: FormCheck, sections: list[Section]) -> None:
    """Above the form: how many errors stop the report from being sent, and every warning."""
    if check.is_blank:
        st.info("Biểu mẫu chưa có số liệu nào: điền các ô bên dưới rồi nộp.", icon=":material/edit:")
        return
    errors, warnings = summary_lines(check, sections)
    if errors:
        lines = "\n".join(f"- {escape_markdown(m)}" for m in errors)
        st.error(f"**Còn {len(errors)} lỗi, cần sửa trước khi nộp:**\n{lines}", icon=":material/error:")
    if warnings:
        lines = "\n".join(f"- {escape_markdown(m)}" for m in warnings)
        st.warning(
            f"**{len(warnings)} cảnh báo** (vẫn nộp được, nên kiểm tra lại):\n{lines}",
            icon=":material/warning:",
        )
    if not errors and not warnings:
        st.success("Chưa thấy lỗi nào: báo cáo nộp được.", icon=":material/check_circle:")


def draw_verdict(v: FileVerdict, unit_name: str, year: int) -> None:
    """What the ingest said of the submitted report: the CLI's verdict, the file it became, its messages."""
    line = f"**{v.verdict}** — báo cáo năm {year} của {escape_markdown(unit_name)}"
    with st.container(border=True):
        if v.status == "accepted":
            st.success(
                f"{line}: đã vào cơ sở dữ liệu, thay thế lần gửi trước.", icon=":material/check_circle:"
            )
        elif v.status == "unchanged":
            st.info(f"{line}: đã có đúng tệp này, không có gì thay đổi.", icon=":material/sync_disabled:")
        else:
            st.error(f"{line}: chưa được nhận, không có gì thay đổi.", icon=":material/cancel:")
        st.caption(f"Lưu thành tệp «{escape_markdown(v.name)}»; tải lại được ở trang «Nộp báo cáo».")
        _messages([verdict_message(m) for m in v.errors], [verdict_message(m) for m in v.warnings])
