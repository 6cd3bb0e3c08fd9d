"""Links from one page to another that open a given view (a unit's profile, with the year).

A page's widgets are bound to the address by their key, and a bound selectbox reads the
option's label from the address, so a link to a unit's profile carries the unit's name
as the profile picker shows it (tables.profile_labels).
"""

from __future__ import annotations

from urllib.parse import urlencode

PROFILE_PAGE = "pages/unit_profile.py"
PROFILE_URL = "ho-so-don-vi"  # its url_path in app/navigation.py
PROFILE_KEY = "don_vi"  # the profile picker's key, hence its query parameter


def profile_params(label: str, year: int | None = None) -> dict[str, str]:
    """The query parameters of a link to a unit's profile (its picker label; the sidebar year).

    >>> profile_params("Bệnh viện Mắt tỉnh An Lạc", 2025)
    {'don_vi': 'Bệnh viện Mắt tỉnh An Lạc', 'nam': '2025'}
    """
    params = {PROFILE_KEY: label}
    if year is not None:
        params["nam"] = str(year)
    return params


def profile_href(label: str, year: int | None = None) -> str:
    """A relative link to a unit's profile, for Markdown: it resolves beside the page it sits
    on, so it works at the root and behind a proxy's path prefix alike.

    >>> profile_href("CDC", 2025)
    'ho-so-don-vi?don_vi=CDC&nam=2025'
    """
    return f"{PROFILE_URL}?{urlencode(profile_params(label, year))}"
