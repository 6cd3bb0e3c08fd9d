"""A document as PDF through LibreOffice (`soffice --headless --convert-to pdf`), for reading on a phone.

Each conversion runs with a throwaway LibreOffice profile, so it neither waits for nor
disturbs a LibreOffice the user has open, and two conversions at once do not collide.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_S = 180
NO_SOFFICE = (
    "Không tìm thấy LibreOffice (lệnh soffice) nên chưa tạo được tệp PDF; tệp .docx vẫn dùng được. "
    "Cài LibreOffice Writer (apt-get install libreoffice-writer) rồi chạy lại lệnh với --pdf."
)


class PdfUnavailable(RuntimeError):
    """No PDF could be made (the message is Vietnamese, for the person who asked)."""


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(docx: Path, out_dir: Path | None = None) -> Path:
    """Convert `docx` to PDF beside it (or in `out_dir`); returns the PDF's path.

    Raises PdfUnavailable when LibreOffice is missing, fails or takes over TIMEOUT_S.
    """
    soffice = find_soffice()
    if soffice is None:
        raise PdfUnavailable(NO_SOFFICE)
    target = Path(out_dir or docx.parent)
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
        cmd = [
            soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(target), str(docx),
        ]  # fmt: skip
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(f"LibreOffice không chuyển xong tệp PDF trong {TIMEOUT_S} giây.") from exc
    pdf = target / f"{docx.stem}.pdf"
    if proc.returncode != 0 or not pdf.exists():
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["không rõ lý do"]
        raise PdfUnavailable(f"LibreOffice không chuyển được tệp sang PDF: {detail[0]}")
    return pdf


def pdf_bytes(docx_bytes: bytes, stem: str = "bao_cao") -> bytes:
    """The PDF of a document given as bytes (for a download button)."""
    with tempfile.TemporaryDirectory(prefix="bao_cao_pdf_") as tmp:
        docx = Path(tmp) / f"{stem}.docx"
        docx.write_bytes(docx_bytes)
        return convert(docx).read_bytes()
