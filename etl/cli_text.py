"""argparse in Vietnamese: its own words (usage, help, errors) for the operators who read them;
and text from files made safe to print on the operator's terminal.

argparse looks its texts up through the module's `_` at the moment it prints them, so
giving it a translating `_` is enough. Texts it does not know stay as they are.
"""

from __future__ import annotations

import argparse
import unicodedata

_VIETNAMESE = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tuỳ chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "không hiểu các tham số: %s",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "expected one argument": "cần đúng một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "ambiguous option: %(option)s could match %(matches)s": "tuỳ chọn %(option)s chưa rõ, có thể là %(matches)s",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ (%(type)s): %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "not allowed with argument %s": "không dùng cùng tham số %s",
    "ignored explicit argument %r": "bỏ qua giá trị %r",
}


def _translate(text: str) -> str:
    return _VIETNAMESE.get(text, text)


def use_vietnamese() -> None:
    """Make argparse speak Vietnamese (idempotent)."""
    argparse._ = _translate  # type: ignore[attr-defined]


def terminal_safe(text: str) -> str:
    """Text from a file (a file name, a cell) with its control and format characters shown as
    «?»: an escape sequence in a file name must not recolour or rewrite the operator's terminal."""
    if text.isprintable():
        return text
    return "".join("?" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)
