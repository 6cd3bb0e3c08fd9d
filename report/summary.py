"""The yearly summary report: "BÁO CÁO Kết quả công tác dân vận ngành Y tế năm YYYY".

The NĐ 30 frame around four numbered parts: I. what was achieved (who reported, then one
subsection per domain, report.sections), II. shortcomings drawn from the figures and the
difficulties the units wrote, III. next year's tasks with the units' good practices to
spread, IV. proposals, the units' own included. The units' words are grouped with the unit
named, and highlighted notes tell the writer what to check, so a person edits and signs.
"""

from __future__ import annotations

import io
from datetime import date

import polars as pl

from app import tables
from app.fmt import fmt_int, fmt_num, fmt_pct
from report import facts
from report.docx_kit import new_document
from report.frame import add_closing, add_heading_block, add_title, date_line, issuer_from_meta
from report.images import ChartImages
from report.sections import write_part_one
from report.source import Source, load_source
from report.texts import grouped, unit_texts
from report.wording import named_values, names, whole_pct
from report.writer import Built, Writer

CCHC_LOW = 80.0  # a CCHC score under this is named as a shortcoming
RESOLUTION_LOW = 80.0  # so is a complaint resolution rate under this
RECIPIENTS = (
    "UBND tỉnh (để báo cáo)",
    "Ban Dân vận Tỉnh ủy (để báo cáo)",
    "Giám đốc, các Phó Giám đốc Sở",
    "Các đơn vị trực thuộc Sở",
    "Lưu: VT, TCCB",
)


def _top_notes(w: Writer, src: Source, today: date, reason: str | None) -> None:
    version = src.meta.get("data_version", "?")
    w.note(
        f"Dự thảo do trang theo dõi công tác dân vận lập ngày {today:%d/%m/%Y} từ số liệu phiên bản {version} "
        "(các báo cáo đơn vị đã nạp đến lúc lập). Các dòng tô vàng là ghi chú cho người soạn: đọc, sửa nội dung, "
        "rồi xóa các dòng này trước khi trình ký."
    )
    if src.is_demo:
        w.note("Số liệu minh họa của một tỉnh giả định: văn bản này chỉ để xem thử, không dùng để báo cáo.")
    if reason:
        w.note(reason)


def _reporting(w: Writer, src: Source, rep: facts.Reporting) -> None:
    if not rep.expected:
        return
    deadline = f"{src.due:%d/%m/%Y}"
    text = (
        f"Năm {src.year}, Sở Y tế nhận được báo cáo của {fmt_int(rep.reported)}/{fmt_int(rep.expected)} đơn vị "
        f"trực thuộc (đạt {whole_pct(100 * rep.reported / rep.expected)}), trong đó {fmt_int(rep.on_time)} đơn vị "
        f"gửi đúng hạn (đến ngày {deadline})"
    )
    if rep.late:
        late = [(src.name(c), f"ngày {d}") for c, d in rep.late]
        text += f"; {fmt_int(len(rep.late))} đơn vị gửi sau thời hạn: {named_values(late)}"
    w.para(text + ".")
    if rep.missing or rep.rejected:
        parts = []
        if rep.missing:
            parts.append(
                f"{fmt_int(len(rep.missing))} đơn vị chưa gửi báo cáo: {names([src.name(c) for c in rep.missing])}"
            )
        if rep.rejected:
            parts.append(
                f"{fmt_int(len(rep.rejected))} đơn vị có tệp báo cáo không đạt yêu cầu, chưa gửi lại: "
                f"{names([src.name(c) for c in rep.rejected])}"
            )
        w.para(f"Đến thời điểm tổng hợp, còn {'; '.join(parts)}. Số liệu dưới đây chưa gồm các đơn vị này.")


def limitations(src: Source, rep: facts.Reporting, found: dict) -> list[str]:
    """The shortcomings the figures show, one sentence each, naming the units."""
    out = []
    chase = rep.missing + rep.rejected
    if chase:
        out.append(
            f"Việc chấp hành chế độ báo cáo chưa nghiêm: {fmt_int(len(chase))} đơn vị chưa gửi báo cáo hoặc báo cáo "
            f"chưa đạt yêu cầu ({names([src.name(c) for c in chase])})."
        )
    if rep.late:
        out.append(
            f"{fmt_int(len(rep.late))} đơn vị gửi báo cáo sau thời hạn {src.due:%d/%m/%Y}: "
            f"{names([src.name(c) for c, _ in rep.late])}."
        )
    low = found["cchc"].league.filter(pl.col("cchc_score") < CCHC_LOW).sort("cchc_score")
    if not low.is_empty():
        pairs = [
            (src.name(c), f"{fmt_num(v, 1)} điểm")
            for c, v in low.select("unit_code", "cchc_score").iter_rows()
        ]
        out.append(f"Kết quả cải cách hành chính của một số đơn vị còn thấp, dưới {fmt_int(CCHC_LOW)} điểm: "
                   f"{named_values(pairs)}.")  # fmt: skip
    for survey in found["satisfaction"].surveys[:2]:
        if not survey.below.is_empty():
            what = survey.label[:1].lower() + survey.label[1:]
            who = names([src.name(c) for c in survey.below["unit_code"].to_list()])
            out.append(f"Tỷ lệ {what} tại {fmt_int(survey.below.height)} đơn vị còn dưới mục tiêu "
                       f"{fmt_pct(facts.SATISFACTION_TARGET, 0)}: {who}.")  # fmt: skip
    zero = found["training"].none.filter(pl.col("status") == "Báo cáo 0 lớp")["unit_code"].to_list()
    if zero:
        out.append(f"{fmt_int(len(zero))} đơn vị chưa tổ chức lớp tập huấn, bồi dưỡng nào trong năm: "
                   f"{names([src.name(c) for c in zero])}.")  # fmt: skip
    by_unit = found["complaints"].by_unit
    slow = by_unit.filter(pl.col("rate_pct") < RESOLUTION_LOW).sort("rate_pct")
    if not slow.is_empty():
        due = pl.col("received") + pl.col("carried_in").fill_null(0)
        pairs = [
            (src.name(c), f"{fmt_pct(v)}; giải quyết {fmt_int(r)}/{fmt_int(d)} đơn")
            for c, v, r, d in slow.select("unit_code", "rate_pct", "resolved", due).iter_rows()
        ]
        out.append(f"Tỷ lệ giải quyết đơn thư tại một số đơn vị còn thấp: {named_values(pairs)}.")
    hard = by_unit.filter(pl.col("protracted") > 0)
    if not hard.is_empty():
        out.append(
            f"Còn {fmt_int(hard['protracted'].sum())} vụ việc phức tạp, kéo dài chưa được giải quyết dứt điểm tại "
            f"{names([src.name(c) for c in hard['unit_code'].to_list()])}."
        )
    dv = found["dan_van"]
    if dv.self_higher:
        out.append(f"Việc tự đánh giá công tác dân vận ở {fmt_int(len(dv.self_higher))} đơn vị còn cao hơn kết quả "
                   f"Sở Y tế đánh giá: {names([src.name(c) for c in dv.self_higher])}.")  # fmt: skip
    weak = dv.table.filter(pl.col("dv_official_rating").is_in(["Trung bình", "Yếu"]))["unit_code"].to_list()
    if weak:
        out.append(f"{fmt_int(len(weak))} đơn vị được đánh giá công tác dân vận ở mức Trung bình, Yếu: "
                   f"{names([src.name(c) for c in weak])}.")  # fmt: skip
    return out


def _unit_words(w: Writer, src: Source, code: str, none_text: str) -> None:
    """The units' texts under `code`, grouped by point with the (short) unit names."""
    year_rows = src.in_year()
    points = grouped(unit_texts(year_rows, code, tables.labels_for(year_rows)))
    if not points:
        w.para(none_text)
        return
    w.note("Tổng hợp nguyên văn ý kiến trong báo cáo của các đơn vị (tên đơn vị viết tắt trong ngoặc); "
           "người soạn biên tập, lược bớt.")  # fmt: skip
    for point, who in points:
        w.dash(f"{point} ({names(who)}).")


def write_part_two(w: Writer, src: Source, rep: facts.Reporting, found: dict) -> None:
    w.part("II. Hạn chế, khó khăn và nguyên nhân")
    w.section("1. Hạn chế")
    issues = limitations(src, rep, found)
    for issue in issues:
        w.dash(issue)
    if not issues:
        w.para("Qua tổng hợp số liệu báo cáo của các đơn vị, chưa có hạn chế nổi bật.")
    w.note("Người soạn bổ sung các hạn chế khác qua theo dõi, kiểm tra thực tế tại các đơn vị.")
    w.section("2. Khó khăn, vướng mắc")
    _unit_words(w, src, "difficulties", "Các đơn vị không nêu khó khăn, vướng mắc trong báo cáo.")
    w.section("3. Nguyên nhân")
    w.note("Người soạn nêu nguyên nhân khách quan và chủ quan của các hạn chế, khó khăn nêu trên.")


def write_part_three(w: Writer, src: Source, found: dict) -> None:
    nxt = src.year + 1
    w.part(f"III. Phương hướng, nhiệm vụ năm {nxt}")
    par = found["cchc"].par
    rank = f" (năm {src.year} xếp hạng {par['rank_label']})" if par else ""
    below = {c for s in found["satisfaction"].surveys[:2] for c in s.below["unit_code"].to_list()}
    focus = f", nhất là tại {names([src.name(c) for c in sorted(below)])}" if below else ""
    hard = int(found["complaints"].by_unit["protracted"].fill_null(0).sum())
    tasks = [
        "Tiếp tục quán triệt, triển khai thực hiện hiệu quả các chủ trương của Đảng, chính sách, pháp luật của "
        "Nhà nước về công tác dân vận; tăng cường vai trò lãnh đạo của cấp ủy, trách nhiệm của người đứng đầu; "
        "thực hiện tốt Quy chế dân chủ ở cơ sở và Quy tắc ứng xử của viên chức, người lao động ngành Y tế.",
        f"Đẩy mạnh cải cách hành chính, ứng dụng công nghệ thông tin trong tiếp nhận, giải quyết thủ tục hành chính; "
        f"phấn đấu nâng thứ hạng chỉ số cải cách hành chính của Sở Y tế{rank}.",
        "Nâng cao chất lượng khám bệnh, chữa bệnh và tinh thần, thái độ phục vụ người bệnh; duy trì khảo sát sự hài "
        f"lòng hằng năm, phấn đấu tỷ lệ hài lòng của người bệnh đạt từ {fmt_pct(facts.SATISFACTION_TARGET, 0)} trở "
        f"lên tại tất cả các đơn vị{focus}.",
        "Tiếp tục tổ chức tập huấn, bồi dưỡng kỹ năng công tác dân vận, giao tiếp, ứng xử cho viên chức, người lao "
        "động; đưa nội dung dân vận vào sinh hoạt chuyên môn của các khoa, phòng.",
        "Thực hiện nghiêm công tác tiếp công dân, đối thoại; giải quyết kịp thời, dứt điểm đơn thư khiếu nại, tố cáo, "
        "kiến nghị, phản ánh ngay từ cơ sở"
        + (
            f"; tập trung giải quyết {fmt_int(hard)} vụ việc phức tạp, kéo dài còn tồn đọng." if hard else "."
        ),
    ]
    for i, task in enumerate(tasks, start=1):
        w.para(f"{i}. {task}")
    w.para(
        f"{len(tasks) + 1}. Duy trì, nhân rộng các mô hình “Dân vận khéo”, các cách làm hay đã được các đơn vị triển "
        f"khai hiệu quả trong năm {src.year}:"
    )
    _unit_words(w, src, "highlights", "Các đơn vị chưa nêu kết quả nổi bật trong báo cáo.")


def write_part_four(w: Writer, src: Source) -> None:
    w.part("IV. Đề xuất, kiến nghị")
    w.section("1. Đối với Ủy ban nhân dân tỉnh, Ban Dân vận Tỉnh ủy")
    w.para(
        "Tiếp tục quan tâm lãnh đạo, chỉ đạo công tác dân vận trong ngành Y tế; hỗ trợ kinh phí triển khai, nhân "
        "rộng các mô hình “Dân vận khéo”; tăng cường phối hợp kiểm tra, giám sát việc thực hiện Quy chế dân chủ ở "
        "cơ sở tại các đơn vị y tế."
    )
    w.note("Người soạn bổ sung các kiến nghị cụ thể của Sở Y tế.")
    w.section("2. Đề xuất, kiến nghị của các đơn vị")
    _unit_words(w, src, "proposals", "Các đơn vị không có đề xuất, kiến nghị.")


def build_summary(
    snapshot: str,
    year: int,
    *,
    year_from: int | None = None,
    today: date | None = None,
    charts: ChartImages | None = None,
    due: date | None = None,
) -> Built:
    """The yearly report on `year` as .docx bytes; trend charts from `year_from` (default year - 4);
    `due`: the year's reporting deadline as the Sở set it (default 20/11).

    Raises report.source.NoData (Vietnamese message) for a year without data. Without a
    browser the report has its tables and says, highlighted, that the charts are missing.

    Example:
        >>> build_summary(snapshot, 2025).docx[:2]  # doctest: +SKIP
        b'PK'
    """
    src = load_source(snapshot, year, year_from, due)
    today = today or date.today()
    charts = charts or ChartImages()
    reason = charts.check()
    title = f"Báo cáo kết quả công tác dân vận ngành Y tế năm {year}"
    doc = new_document(title)
    w = Writer(doc, charts)
    _top_notes(w, src, today, reason)
    issuer = issuer_from_meta(src.meta)
    add_heading_block(doc, issuer, f"Số: …/BC-{issuer.symbol}", date_line(issuer.place, today))
    add_title(doc, "Báo cáo", f"Kết quả công tác dân vận ngành Y tế năm {year}")
    ref = src.meta.get("programme_ref")
    w.para(
        "Thực hiện Chương trình phối hợp giữa Ban Dân vận Tỉnh ủy và Sở Y tế về công tác dân vận"
        f"{f' ({ref})' if ref else ''}, trên cơ sở báo cáo của các đơn vị trực thuộc, Sở Y tế báo cáo kết quả "
        f"công tác dân vận ngành Y tế {issuer.province} năm {year} như sau:"
    )
    w.part("I. Kết quả đạt được")
    rep = facts.reporting(src)
    _reporting(w, src, rep)
    found = write_part_one(w, src)
    write_part_two(w, src, rep, found)
    write_part_three(w, src, found)
    write_part_four(w, src)
    w.para(
        f"Trên đây là báo cáo kết quả công tác dân vận ngành Y tế năm {year}, Sở Y tế kính báo cáo Ủy ban nhân dân "
        "tỉnh, Ban Dân vận Tỉnh ủy./."
    )
    add_closing(doc, issuer, list(RECIPIENTS))
    buf = io.BytesIO()
    doc.save(buf)
    return Built(buf.getvalue(), title, charts.reason)
