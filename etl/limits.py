"""What a submitted file may be: the size limits, and the checks made before a reader opens it.

A hostile or broken file (a zip bomb named .xlsx, a 200 MB file, a sheet with a million rows
or one cell at the sheet's far corner, binary garbage named .csv) must be refused quickly,
with bounded memory and a Vietnamese message that names the file, says what is wrong and
what to do. The workbook reader (calamine, through fastexcel) builds the whole rectangle
from the first to the last cell of a sheet in memory, so a sheet is measured here first:
the archive's entries are inflated in chunks, counting bytes and rows and looking for cells
beyond the column limit, without building anything. The same pass finds formulas whose
result the file does not hold (a workbook saved by a program that never calculates) and
links to other workbooks; formulas are never evaluated, only their stored results read.

The limits are named constants here and documented in the README (Tệp được nhận); the
browser's upload limit (.streamlit/config.toml `server.maxUploadSize`) is MAX_FILE_MB.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from etl.staging import Message, ParsedFile

MAX_FILE_MB = 50  # one file (a year's workbook is well under 1 MB; a national history ~15 MB)
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_UNZIPPED_MB = 300  # all of a workbook's parts once unpacked (a national history: ~90 MB)
MAX_UNZIPPED_BYTES = MAX_UNZIPPED_MB * 1024 * 1024
MAX_ZIP_RATIO = 100  # unpacked / packed size of a part above 1 MB (real workbooks: 3-20)
MAX_ZIP_ENTRIES = 10_000  # parts in a workbook archive (a real one: 10-100)
MAX_ROWS = 100_000  # rows of one sheet or CSV file (a national history: 5.000+ units x 11 years)
MAX_COLUMNS = 256  # columns of one sheet or CSV file (column IV; the catalogue has ~50 indicators)

WHERE = "toàn tệp"
_RATIO_FLOOR = 1024 * 1024  # parts smaller than this are harmless whatever their ratio
_CHUNK = 1024 * 1024
_OVERLAP = 4096  # bytes carried between chunks so that a tag split by a chunk is still seen
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_EXTERNAL_PART = "xl/externalLinks/"
_READ_PART = re.compile(
    r"^(?:xl/(?:worksheets/[^/]+|sharedStrings|styles|workbook)\.(?:xml|bin)|content\.xml)$"
)
# a cell or row reference past the limits, in one pass (rare in a real sheet, so cheap):
# a column beyond IV (three letters, or two from IW to ZZ; MAX_COLUMNS is IV's 256), or a row
# number with as many digits as MAX_ROWS (compared in Python)
_FAR_REF = re.compile(rb'r="(?:(?:[A-Z]{3,}|[J-Z][A-Z]|I[W-Z])\d|[A-Z]{0,2}(\d{%d,})")' % len(str(MAX_ROWS)))
# a cell that holds a formula and no stored result (<v> missing or empty)
_UNCACHED = re.compile(
    rb'<c\b[^>]*?\sr="([A-Z]+\d+)"[^>]*>\s*(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)
# the end of such a cell, searched first: _UNCACHED tries every cell of a sheet, and a sheet
# whose formulas all hold their result (every sheet Excel saved) has no such end at all
_UNCACHED_ENDS = (
    re.compile(rb"</f>\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"),
    re.compile(rb"<f\b[^>]*/>\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"),
)
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")
# control characters no text file holds (tab and line ends aside)
_BINARY_CHARS = tuple(chr(i) for i in (*range(9), 11, 12, *range(14, 32), 127))


@dataclass
class ZipReport:
    """What the pass over a workbook archive found: a refusal, or what the reader must know."""

    refusal: str | None = None
    uncached: set[str] = field(default_factory=set)  # "Sheet!F12" of formulas without a result
    external_links: bool = False


def size_vi(n_bytes: int) -> str:
    """A file size for a sentence: '200 MB', '1,5 MB', '12 KB'."""
    if n_bytes >= 1024 * 1024:
        mb = n_bytes / 1024 / 1024
        return (f"{mb:.0f}" if mb >= 10 else f"{mb:.1f}".replace(".", ",")) + " MB"
    return f"{max(1, round(n_bytes / 1024))} KB"


def too_large(path: Path, size: int) -> Message | None:
    """The refusal of a file above MAX_FILE_BYTES, before anything of it is read."""
    if size <= MAX_FILE_BYTES:
        return None
    return Message(
        WHERE,
        None,
        f"Tệp «{path.name}»: tệp nặng {size_vi(size)}, quá giới hạn {MAX_FILE_MB} MB cho một tệp (một báo cáo "
        "năm thường dưới 1 MB), nên không được đọc. Cách sửa: kiểm tra đã chọn đúng tệp báo cáo; xoá các trang, "
        "hình ảnh không cần thiết rồi lưu lại dạng .xlsx; bảng số liệu nhiều năm rất lớn hãy chia thành nhiều tệp.",
    )


def file_sha256(path: Path) -> str:
    """The hash of a file read in chunks (for a file too large to hold in memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def rows_message(path: Path, sheet: str | None) -> str:
    place = f"Tệp «{path.name}», trang «{sheet}»" if sheet is not None else f"Tệp «{path.name}»"
    limit = f"{MAX_ROWS:,}".replace(",", ".")
    return (
        f"{place}: có hơn {limit} dòng (kể cả dòng trống có định dạng), quá giới hạn {limit} dòng cho một "
        "trang, nên không được đọc. Cách sửa: xoá các dòng trống hoặc thừa ở cuối trang (chọn các dòng đó, "
        "«Xoá» (Delete) cả dòng) rồi lưu lại; bảng số liệu nhiều năm rất lớn hãy chia thành nhiều tệp."
    )


def columns_message(path: Path, sheet: str | None) -> str:
    place = f"Tệp «{path.name}», trang «{sheet}»" if sheet is not None else f"Tệp «{path.name}»"
    return (
        f"{place}: có ô nằm ngoài {MAX_COLUMNS} cột đầu của trang (quá cột IV), nên tệp không được đọc. "
        "Cách sửa: xoá các cột thừa ở bên phải bảng (chọn các cột đó, «Xoá» (Delete) cả cột) rồi lưu lại và gửi lại."
    )


def _bomb_message(path: Path) -> str:
    return (
        f"Tệp «{path.name}»: tệp bảng tính khi giải nén lớn bất thường (quá {MAX_UNZIPPED_MB} MB, hoặc nén "
        f"hơn {MAX_ZIP_RATIO} lần), không giống một báo cáo, nên không được đọc. Cách sửa: mở tệp bằng Excel, "
        "xoá các trang, hình ảnh và vùng định dạng thừa, chọn «Lưu thành» (Save As) kiểu «Excel Workbook "
        "(*.xlsx)» rồi gửi lại; nếu không tự tạo tệp này, đừng mở nó và báo cán bộ quản trị của Sở."
    )


def _broken_message(path: Path) -> str:
    return (
        f"Tệp «{path.name}»: tệp bảng tính bị hỏng (các phần nén bên trong không đọc được). Cách sửa: mở tệp "
        "bằng Excel, chọn «Lưu thành» (Save As) kiểu «Excel Workbook (*.xlsx)» rồi gửi lại."
    )


def uncached_message(path: Path, where: str) -> Message:
    sheet, _, cell = where.rpartition("!")
    return Message(
        where,
        None,
        f"Tệp «{path.name}», trang «{sheet}», ô {cell}: ô có công thức nhưng tệp không lưu kết quả của công "
        "thức (tệp được lưu bằng một chương trình không tính công thức), nên không biết giá trị; hệ thống "
        "không tự tính công thức. Cách sửa: mở tệp bằng Excel hoặc LibreOffice để công thức được tính, lưu "
        "lại rồi gửi; hoặc chép ô đó và dán dạng giá trị (Paste Values).",
    )


def formula_errors(path: Path, parsed: ParsedFile, uncached: set[str]) -> list[Message]:
    """An error for each value read blank because its formula has no stored result."""
    if not uncached:
        return []
    blank = [(rec.unit_where, rec.unit_text) for rec in parsed.records]
    blank += [(rec.year_where, rec.year_text) for rec in parsed.records]
    blank += [(cell.where, cell.value) for rec in parsed.records for cell in rec.cells]
    found = sorted({where for where, value in blank if value is None and where in uncached})
    return [uncached_message(path, where) for where in found]


def looks_binary(text: str) -> bool:
    """True for a decoded 'CSV' that is no text: a NUL, or more than 1 in 100 control characters."""
    sample = text[:65536]
    controls = sum(map(sample.count, _BINARY_CHARS))
    return "\x00" in sample or controls * 100 > len(sample)


def external_links_message(path: Path) -> Message:
    return Message(
        WHERE,
        None,
        f"Tệp «{path.name}»: tệp có công thức lấy số liệu từ tệp khác (liên kết ngoài); hệ thống chỉ đọc "
        "giá trị đã lưu trong tệp, không mở tệp kia và không tính lại. Cách sửa: kiểm tra các số đó là số "
        "mới nhất; tốt nhất chép và dán dạng giá trị (Paste Values) rồi gửi lại.",
    )


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Archive part of each worksheet -> its name, from the workbook and its relationships."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, zlib.error):
        return {}
    targets = {
        m["id"]: m["target"].lstrip("/").removeprefix("xl/")
        for m in re.finditer(
            r'<Relationship\b(?=[^>]*\bId="(?P<id>[^"]+)")(?=[^>]*\bTarget="(?P<target>[^"]+)")', rels
        )
    }
    names = {}
    for m in re.finditer(
        r'<sheet\b(?=[^>]*\bname="(?P<name>[^"]*)")(?=[^>]*\br:id="(?P<id>[^"]+)")', workbook
    ):
        target = targets.get(m["id"])
        if target:
            names[f"xl/{target}"] = _unescape(m["name"])
    return names


def _unescape(text: str) -> str:
    for entity, ch in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, ch)
    return text


def _packed(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """The part's compressed bytes, found from its local header (what any reader will inflate)."""
    start = info.header_offset
    header = _LOCAL_HEADER.unpack_from(data, start)
    if header[0] != b"PK\x03\x04":
        raise ValueError("local header")
    begin = start + _LOCAL_HEADER.size + header[9] + header[10]
    return memoryview(data)[begin : begin + info.compress_size]


def _inflate(packed: bytes | memoryview, method: int, budget: int) -> Iterator[bytes]:
    """The part's bytes in chunks, whatever the archive declares; raises OverflowError past
    `budget` bytes, ValueError or zlib.error for an unreadable part."""
    if method == zipfile.ZIP_STORED:
        if len(packed) > budget:
            raise OverflowError
        for i in range(0, len(packed), _CHUNK):
            yield bytes(packed[i : i + _CHUNK])
        return
    if method != zipfile.ZIP_DEFLATED:
        raise ValueError("method")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    for i in range(0, len(packed), _CHUNK):
        chunk = inflater.decompress(packed[i : i + _CHUNK], _CHUNK)
        while True:
            produced += len(chunk)
            if produced > budget:
                raise OverflowError
            if chunk:
                yield chunk
            if not inflater.unconsumed_tail:
                break
            chunk = inflater.decompress(inflater.unconsumed_tail, _CHUNK)


def _may_hold_uncached(window: bytes) -> bool:
    """False when no formula cell in `window` can lack its result (most sheets): every match of
    _UNCACHED ends with a match of one of _UNCACHED_ENDS."""
    return any(end.search(window) for end in _UNCACHED_ENDS)


@dataclass(frozen=True)
class _PartScan:
    """What the pass over one part found."""

    size: int  # bytes inflated
    past_limits: str | None = None  # a sheet past the limits: "columns" or "rows" (inflating stopped)
    uncached: frozenset[str] = frozenset()  # a sheet's cells (F12) holding a formula without its result


def _scan_part(packed: bytes | memoryview, method: int, budget: int, is_sheet: bool) -> _PartScan:
    """Inflate a part, never more than `budget` bytes, and measure a sheet on the way (raises as _inflate)."""
    size, n_rows, tail, uncached = 0, 0, b"", set()
    for chunk in _inflate(packed, method, budget):
        size += len(chunk)
        if not is_sheet:
            continue
        window = tail + chunk
        n_rows += chunk.count(b"<row")  # rows may leave out their number
        far = next((m for m in _FAR_REF.finditer(window) if not m[1] or int(m[1]) > MAX_ROWS), None)
        if far is not None and not far[1]:
            return _PartScan(size, "columns")
        if far is not None or n_rows > MAX_ROWS:
            return _PartScan(size, "rows")
        if b"<f" in window and _may_hold_uncached(window):
            uncached.update(ref.decode() for ref in _UNCACHED.findall(window))
        tail = window[-_OVERLAP:]
    return _PartScan(size, uncached=frozenset(uncached))


# The same parts come again and again in a folder of reports made from one template (its
# instructions, lists and styles): a part whose compressed bytes, method and budget were
# scanned before gives the same result, so a worker remembers the last few small ones.
_scan_repeated_part = functools.lru_cache(maxsize=32)(_scan_part)
_REPEATED_PART_BYTES = 256 * 1024


def _scan(data: bytes, info: zipfile.ZipInfo, budget: int, is_sheet: bool) -> _PartScan:
    packed = _packed(data, info)
    if len(packed) > _REPEATED_PART_BYTES:
        return _scan_part(packed, info.compress_type, budget, is_sheet)
    return _scan_repeated_part(bytes(packed), info.compress_type, budget, is_sheet)


def check_workbook_zip(path: Path, data: bytes) -> ZipReport:
    """Measure an .xlsx/.xlsm/.xlsb/.ods archive before a reader opens it (see the module doc)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return ZipReport()  # not an archive after all: the reader says the file is broken
    if len(entries) > MAX_ZIP_ENTRIES:
        return ZipReport(refusal=_bomb_message(path))
    declared = sum(e.file_size for e in entries)
    big_ratio = any(
        e.file_size > _RATIO_FLOOR and e.file_size > MAX_ZIP_RATIO * max(e.compress_size, 1) for e in entries
    )
    if declared > MAX_UNZIPPED_BYTES or big_ratio:
        return ZipReport(refusal=_bomb_message(path))
    report = ZipReport(external_links=any(e.filename.startswith(_EXTERNAL_PART) for e in entries))
    names: dict[str, str] = {}
    budget = MAX_UNZIPPED_BYTES
    for entry in entries:
        if entry.is_dir() or not _READ_PART.match(entry.filename):
            continue  # parts no reader opens (themes, pictures, properties): their declared size was enough
        try:
            # never more than the part declares (a lie is a bomb) nor than the whole budget
            scan = _scan(data, entry, min(budget, entry.file_size), bool(_SHEET_PART.match(entry.filename)))
        except OverflowError:
            return ZipReport(refusal=_bomb_message(path))
        except (ValueError, struct.error, zlib.error):
            return ZipReport(refusal=_broken_message(path))
        budget -= scan.size
        if scan.past_limits or scan.uncached:
            names = names or _sheet_names(archive)
            sheet = names.get(entry.filename, entry.filename.rsplit("/", 1)[-1])
            if scan.past_limits == "columns":
                return ZipReport(refusal=columns_message(path, sheet))
            if scan.past_limits == "rows":
                return ZipReport(refusal=rows_message(path, sheet))
            report.uncached.update(f"{sheet}!{ref}" for ref in scan.uncached)
    return report
