"""The dashboard's pages: file, title, icon and link of each, grouped in sidebar sections.

Plain data, so the server launcher (app/server.py), the tests and the benchmark read the
page list without running dashboard.py, which builds the navigation from it.
"""

from __future__ import annotations

APP_TITLE = "Công tác dân vận ngành Y tế"  # the browser tab's title
DEFAULT_URL = "tong-quan"  # the page the root URL opens

# section -> [(file, title, icon, url path)]
PAGES: dict[str, list[tuple[str, str, str, str]]] = {
    "Theo dõi chung": [
        ("pages/overview.py", "Tổng quan", ":material/dashboard:", "tong-quan"),
    ],
    "Lĩnh vực": [
        ("pages/cchc.py", "Xếp hạng CCHC", ":material/leaderboard:", "xep-hang-cchc"),
        ("pages/satisfaction.py", "Sự hài lòng", ":material/sentiment_satisfied:", "su-hai-long"),
        ("pages/training.py", "Tập huấn", ":material/school:", "tap-huan"),
        ("pages/complaints.py", "Khiếu nại, phản ánh", ":material/forum:", "khieu-nai-phan-anh"),
    ],
    "So sánh": [
        ("pages/compare.py", "So sánh đơn vị", ":material/compare_arrows:", "so-sanh-don-vi"),
        ("pages/unit_profile.py", "Hồ sơ đơn vị", ":material/badge:", "ho-so-don-vi"),
    ],
    "Quản lý số liệu": [
        ("pages/intake.py", "Tiếp nhận báo cáo", ":material/inbox:", "tiep-nhan-bao-cao"),
        ("pages/upload.py", "Nộp báo cáo", ":material/upload_file:", "nop-bao-cao"),
        ("pages/data_entry.py", "Nhập trực tiếp", ":material/edit_note:", "nhap-truc-tiep"),
        ("pages/submission_detail.py", "Chi tiết báo cáo", ":material/difference:", "chi-tiet-bao-cao"),
        ("pages/data_checks.py", "Kiểm tra số liệu", ":material/rule:", "kiem-tra-so-lieu"),
        ("pages/units.py", "Danh sách đơn vị", ":material/account_tree:", "danh-sach-don-vi"),
    ],
    "Báo cáo": [
        ("pages/yearly_report.py", "Báo cáo tổng hợp", ":material/description:", "bao-cao-tong-hop"),
    ],
    "Quản trị": [
        ("pages/admin_users.py", "Tài khoản người dùng", ":material/manage_accounts:", "quan-tri-tai-khoan"),
        ("pages/audit_log.py", "Nhật ký hoạt động", ":material/history:", "nhat-ky-hoat-dong"),
    ],
    "Cá nhân": [
        ("pages/account.py", "Đổi mật khẩu", ":material/password:", "doi-mat-khau"),
    ],
}

# the roles that may open a page (by its link); a page not listed here is open to every role.
# Hiding a page is not the protection: the queries enforce each role's scope (accounts.scope).
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "bao-cao-tong-hop": ("lanh_dao", "quan_tri"),
    "nop-bao-cao": ("don_vi", "quan_tri"),  # the upload itself checks the role too (app/upload.py)
    "kiem-tra-so-lieu": ("lanh_dao", "quan_tri"),  # lanh_dao reads; only quan_tri marks (app/check_marks.py)
    "nhap-truc-tiep": ("don_vi", "quan_tri"),  # so does the form's save path (app/entry.py)
    "danh-sach-don-vi": ("lanh_dao", "quan_tri"),  # lanh_dao reads; only quan_tri changes (app/unit_admin.py)
    "quan-tri-tai-khoan": ("quan_tri",),
    "nhat-ky-hoat-dong": ("quan_tri",),
}


# pages about accounts, not data: no year and unit filters in the sidebar, and they work
# before any report has been received (an administrator's first task on a new database)
# data pages that draw no chart (their content is files to download)
WITHOUT_CHARTS = frozenset({"bao-cao-tong-hop", "chi-tiet-bao-cao", "kiem-tra-so-lieu"})
# (Nộp báo cáo and Nhập trực tiếp have their own year pickers and must work before the first report
# arrives; so must Danh sách đơn vị, the unit list a new database starts from)
WITHOUT_FILTERS = frozenset(
    {
        "quan-tri-tai-khoan",
        "nhat-ky-hoat-dong",
        "doi-mat-khau",
        "nop-bao-cao",
        "nhap-truc-tiep",
        "danh-sach-don-vi",
    }
)


def allowed(url: str, role: str) -> bool:
    """May `role` open the page at `url`?"""
    return role in PAGE_ROLES.get(url, (role,))


def url_paths() -> list[str]:
    """Every page's link path, in sidebar order."""
    return [url for entries in PAGES.values() for *_, url in entries]
