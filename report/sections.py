"""Part I of the yearly report: one subsection per domain, in the register of a Sở report.

Each subsection says the province-wide figures of the year against the year before, names
the best and the weakest units, then gives the table by unit and the dashboard's chart.
Figures come from report.facts (the dashboard's tables) and read as on the pages (app.fmt).
"""

from __future__ import annotations

import polars as pl

from app import charts
from app.fmt import fmt_int, fmt_num, fmt_pct
from etl.catalogue import load_catalogue
from report import facts
from report.cells import BLANK, NEW_UNIT, NOTHING_DUE, edges, num, pct, period, rate
from report.source import Source
from report.wording import capitalise, change, delta, named_values, names, rank_change, with_change
from report.writer import Writer

_SURVEY_HEADERS = {"sat_inpatient_pct": "Nội trú (%)", "sat_outpatient_pct": "Ngoại trú (%)",
                   "sat_staff_pct": "Nhân viên y tế (%)"}  # fmt: skip
_SCORE_NAMES = {"sat_inpatient_score": "nội trú", "sat_outpatient_score": "ngoại trú"}


# ----------------------------------------------------------------------------- 1. CCHC


def write_cchc(w: Writer, src: Source, f: facts.Cchc) -> None:
    w.section("1. Công tác cải cách hành chính")
    if f.par:
        previous = (f.par_previous["rank"], f.par_previous["rank_of"]) if f.par_previous else None
        ranked = rank_change(
            f.par["rank"], f.par["rank_of"], previous, f.par_previous and f.par_previous["year"],
            pool=" trong các sở, ban, ngành tỉnh",
        )  # fmt: skip
        score = f" đạt {fmt_num(f.par['cchc_score'], 1)} điểm," if f.par.get("cchc_score") is not None else ""
        w.para(f"Chỉ số cải cách hành chính (PAR Index) năm {src.year} của Sở Y tế{score} {ranked}.")
    else:
        w.note(
            f"Chưa có kết quả xếp hạng chỉ số cải cách hành chính của Sở Y tế năm {src.year}; bổ sung khi có."
        )
    league = f.league
    if not league.is_empty():
        mean = with_change(
            f"điểm bình quân đạt {fmt_num(f.mean, 1)} điểm",
            change(f.mean, f.mean_previous, src.previous, unit="điểm", decimals=1),
        )
        w.para(
            f"Sở Y tế chấm điểm, xếp hạng công tác cải cách hành chính của {fmt_int(league.height)} đơn vị "
            f"trực thuộc; {mean}."
        )
        best, weakest = edges(league, "cchc_score", src, lambda r: f"{fmt_num(r['cchc_score'], 1)} điểm")
        if best:
            w.para(f"Các đơn vị dẫn đầu: {named_values(best)}; thấp nhất: {named_values(weakest)}.")
    t = f.tthc
    if t["received"] is not None:
        ontime = with_change(
            f"giải quyết đúng hạn {fmt_int(t['ontime'])} hồ sơ (đạt {fmt_pct(t['ontime_pct'])})",
            change(t["ontime_pct"], t.get("ontime_pct_prev"), src.previous, decimals=1, points=True),
        )
        online = f"; tiếp nhận trực tuyến {fmt_int(t['online'])} hồ sơ ({fmt_pct(t['online_pct'])})"
        w.para(
            f"Các đơn vị tiếp nhận {fmt_int(t['received'])} hồ sơ thủ tục hành chính, {ontime}"
            f"{online if t['online_pct'] is not None else ''}."
        )
    rows = [
        [
            r["rank_label"] or BLANK,
            src.name(r["unit_code"]),
            num(r["cchc_score"], 1),
            r["previous_label"] or (NEW_UNIT if src.is_new(r["unit_code"]) else BLANK),
        ]
        for r in league.iter_rows(named=True)
    ]
    w.table(
        f"Kết quả chấm điểm, xếp hạng cải cách hành chính các đơn vị năm {src.year}",
        ["Thứ hạng", "Đơn vị", "Điểm CCHC", f"Thứ hạng năm {src.previous}"],
        rows,
        (2.2, 9.2, 2.3, 2.8),
        right=(0, 2, 3),
    )
    if not f.chart.is_empty():
        w.chart(
            f"Phân bố điểm cải cách hành chính của các đơn vị, {period(src)}",
            lambda: charts.score_distribution_chart(f.chart),
        )


# ----------------------------------------------------------------------------- 2. satisfaction


def write_satisfaction(w: Writer, src: Source, f: facts.Satisfaction) -> None:
    w.section("2. Sự hài lòng của người bệnh và nhân viên y tế")
    if not f.surveys:
        w.para(f"Năm {src.year}, chưa có đơn vị nào báo cáo kết quả khảo sát sự hài lòng.")
        return
    cat = load_catalogue()
    w.para(
        f"Các đơn vị tiếp tục khảo sát sự hài lòng của người bệnh và nhân viên y tế theo hướng dẫn của "
        f"Bộ Y tế. Kết quả năm {src.year} (gộp số phiếu khảo sát của các đơn vị):"
    )
    for s in f.surveys:
        value = (
            f"{cat[s.code].name_vi} đạt {fmt_pct(s.pct)} ({fmt_int(s.n)} phiếu, {fmt_int(s.n_units)} đơn vị)"
        )
        w.dash(with_change(value, change(s.pct, s.pct_previous, src.previous, decimals=1, points=True)) + ";")
    scores = [
        f"{_SCORE_NAMES[code]} {fmt_num(now, 2)}/5 điểm"
        for code, (now, _) in f.scores.items()
        if now is not None
    ]
    if scores:
        w.dash(f"Điểm hài lòng trung bình của người bệnh: {names(scores)}.")
    for s in f.surveys[:2]:
        best, weakest = edges(
            s.by_unit, "pct", src, lambda r: f"{fmt_pct(r['pct'])}, {fmt_int(r['n'])} phiếu"
        )
        full = cat[s.code].name_vi
        what = full[:1].lower() + full[1:]
        if best:
            w.para(f"{full} cao nhất tại {named_values(best)}; thấp nhất tại {named_values(weakest)}.")
        below = s.below
        target = fmt_pct(facts.SATISFACTION_TARGET, 0)
        if below.is_empty():
            w.para(f"Tất cả các đơn vị có khảo sát đều đạt {what} từ {target} trở lên.")
            continue
        pairs = [(src.name(c), fmt_pct(p)) for c, p in below.select("unit_code", "pct").iter_rows()]
        sure = [src.name(c) for c in below.filter(pl.col("certain"))["unit_code"].to_list()]
        text = f"Còn {fmt_int(below.height)} đơn vị có {what} dưới mục tiêu {target}: {named_values(pairs)}"
        if sure:
            text += f"; trong đó {names(sure)} vẫn dưới mục tiêu khi đã tính sai số chọn mẫu"
        w.para(text + ".")
    codes = [s.code for s in f.surveys]
    headers = ["Đơn vị"]
    for s in f.surveys:
        headers += [_SURVEY_HEADERS[s.code], "Số phiếu"]
    rows = [
        [src.name(r["unit_code"]), *[v for c in codes for v in (pct(r[f"{c}_pct"]), num(r[f"{c}_n"]))]]
        for r in src.ordered(f.table).iter_rows(named=True)
    ]
    widths = (16.5 - 3.5 * len(codes), *([1.75, 1.75] * len(codes)))
    w.table(
        f"Tỷ lệ hài lòng theo đơn vị năm {src.year}",
        headers,
        rows,
        widths,
        right=tuple(range(1, 1 + 2 * len(codes))),
    )
    w.chart(
        f"Tỷ lệ hài lòng toàn ngành, {period(src)}",
        lambda: charts.satisfaction_trend_chart(f.chart, facts.SATISFACTION_TARGET),
    )


# ----------------------------------------------------------------------------- 3. training


def write_training(w: Writer, src: Source, f: facts.Training) -> None:
    w.section("3. Công tác tập huấn, bồi dưỡng")
    if f.sessions is None:
        w.para(f"Năm {src.year}, chưa có đơn vị nào báo cáo số liệu tập huấn, bồi dưỡng.")
        return
    text = (
        f"Năm {src.year}, {fmt_int(f.n_units)} đơn vị báo cáo đã tổ chức {fmt_int(f.sessions)} lớp tập huấn, bồi "
        "dưỡng về công tác dân vận, Quy chế dân chủ ở cơ sở, quy tắc ứng xử và kỹ năng giao tiếp, với "
        f"{fmt_int(f.participants)} lượt người tham dự"
    )
    moved = [
        f"{what} {d}"
        for what, d in (
            ("số lớp", delta(f.sessions, f.sessions_previous)),
            ("số lượt người tham dự", delta(f.participants, f.participants_previous)),
        )
        if d
    ]
    w.para(text + (f"; so với năm {src.previous}, {', '.join(moved)}." if moved else "."))
    if f.per_staff is not None:
        best, weakest = edges(
            f.coverage, "per_staff", src, lambda r: f"{fmt_num(r['per_staff'], 2)} lượt/người"
        )
        text = f"Bình quân mỗi viên chức, người lao động tham dự {fmt_num(f.per_staff, 2)} lượt tập huấn"
        if best:
            text += f"; cao nhất là {named_values(best)}; thấp nhất là {named_values(weakest)}"
        w.para(text + ".")
    zero = f.none.filter(pl.col("status") == "Báo cáo 0 lớp")["unit_code"].to_list()
    blank = f.none.filter(pl.col("status") == "Chưa báo cáo chỉ tiêu này")["unit_code"].to_list()
    if zero:
        w.para(f"Có {fmt_int(len(zero))} đơn vị không tổ chức lớp tập huấn nào trong năm: "
               f"{names([src.name(c) for c in zero])}.")  # fmt: skip
    if blank:
        w.para(
            f"{fmt_int(len(blank))} đơn vị chưa báo cáo số liệu tập huấn: {names([src.name(c) for c in blank])}."
        )
    rows = [
        [src.name(r["unit_code"]), num(r["sessions"]), num(r["participants"]), num(r["staff"]),
         num(r["per_staff"], 2)]
        for r in src.ordered(f.coverage).iter_rows(named=True)
    ]  # fmt: skip
    w.table(
        f"Kết quả tập huấn, bồi dưỡng theo đơn vị năm {src.year}",
        ["Đơn vị", "Số lớp", "Lượt người dự", "Số viên chức, NLĐ", "Lượt dự/người"],
        rows,
        (7.2, 1.9, 2.5, 2.6, 2.3),
        right=(1, 2, 3, 4),
    )
    w.chart(
        f"Lớp tập huấn và lượt người dự theo loại đơn vị, {period(src)}",
        lambda: charts.training_by_year_chart(f.chart),
    )


# ----------------------------------------------------------------------------- 4. complaints


def write_complaints(w: Writer, src: Source, f: facts.Complaints) -> None:
    w.section("4. Tiếp công dân, giải quyết khiếu nại, tố cáo, kiến nghị, phản ánh")
    flow, before = f.flow, f.flow_previous or {}
    if flow is None:
        w.para(f"Năm {src.year}, chưa có đơn vị nào báo cáo số liệu đơn thư.")
        return
    received = with_change(
        f"{fmt_int(flow['received'])} đơn thư khiếu nại, tố cáo, kiến nghị, phản ánh",
        change(flow["received"], before.get("received"), src.previous, unit="đơn"),
    )
    resolution = with_change(
        f"đạt tỷ lệ {fmt_pct(flow['rate_pct'])}",
        change(flow["rate_pct"], before.get("rate_pct"), src.previous, decimals=1, points=True),
    )
    carried = (
        f"cùng với {fmt_int(flow['carried_in'])} đơn tồn năm trước chuyển sang, "
        if flow["carried_in"]
        else ""
    )
    text = (
        f"Năm {src.year}, các đơn vị tiếp nhận {received}; {carried}đã giải quyết {fmt_int(flow['resolved'])} đơn, "
        f"{resolution}. Còn {fmt_int(flow['outstanding'])} đơn chuyển sang năm sau"
    )
    if flow["protracted"]:
        text += f"; {fmt_int(flow['protracted'])} vụ việc phức tạp, kéo dài"
    w.para(text + ".")
    if f.channels:
        parts = [f"{label[:1].lower() + label[1:]} {fmt_int(v)} lượt" for label, v in f.channels]
        w.para(f"Ý kiến phản ánh, góp ý được tiếp nhận qua các kênh: {names(parts)}.")
    rec = f.reception
    if rec.get("citizen_reception_days") is not None:
        visits = f", tiếp {fmt_int(rec['citizen_visits'])} lượt công dân" if rec.get("citizen_visits") else ""
        dialogues = (
            f"; người đứng đầu các đơn vị tổ chức {fmt_int(rec['leader_dialogues'])} cuộc đối thoại với người "
            "bệnh và Nhân dân"
            if rec.get("leader_dialogues") is not None
            else ""
        )
        w.para(
            f"Các đơn vị tổ chức {fmt_int(rec['citizen_reception_days'])} buổi tiếp công dân{visits}{dialogues}."
        )
    rated = f.by_unit.filter(pl.col("rate_pct").is_not_null())
    full = rated.filter(pl.col("rate_pct") >= 100).height
    low = rated.filter(pl.col("rate_pct") < 100).sort("rate_pct", "unit_code").head(facts.EDGE)
    if not rated.is_empty():
        text = f"Có {fmt_int(full)}/{fmt_int(rated.height)} đơn vị giải quyết hết đơn thư trong năm"
        if not low.is_empty():
            pairs = [(src.name(c), fmt_pct(v)) for c, v in low.select("unit_code", "rate_pct").iter_rows()]
            text += f"; tỷ lệ giải quyết thấp nhất là {named_values(pairs)}"
        w.para(text + ".")
    hard = f.by_unit.filter(pl.col("protracted") > 0).sort(
        "protracted", "unit_code", descending=[True, False]
    )
    if not hard.is_empty():
        pairs = [
            (src.name(c), f"{fmt_int(v)} vụ") for c, v in hard.select("unit_code", "protracted").iter_rows()
        ]
        w.para(f"Vụ việc phức tạp, kéo dài còn tại: {named_values(pairs)}.")
    rows = [
        [src.name(r["unit_code"]), num(r["received"]), num(r["carried_in"]), num(r["resolved"]),
         rate(r), num(r["protracted"])]
        for r in src.ordered(f.by_unit).iter_rows(named=True)
    ]  # fmt: skip
    w.table(
        f"Tiếp nhận, giải quyết đơn thư theo đơn vị năm {src.year}",
        ["Đơn vị", "Tiếp nhận", "Tồn năm trước", "Đã giải quyết", "Tỷ lệ giải quyết", "Phức tạp, kéo dài"],
        rows,
        (6.0, 1.9, 2.0, 2.1, 2.3, 2.2),
        right=(1, 2, 3, 4, 5),
        legend=f"{NOTHING_DUE}: không có đơn thư phải giải quyết.",
    )
    w.chart(
        f"Đơn thư tiếp nhận, giải quyết và tỷ lệ giải quyết, {period(src)}",
        lambda: charts.complaint_flow_chart(f.chart),
    )


# ----------------------------------------------------------------------------- 5. dân vận


def write_dan_van(w: Writer, src: Source, f: facts.DanVan) -> None:
    w.section("5. Đánh giá công tác dân vận, phong trào “Dân vận khéo”")
    n_rated = sum(f.ratings.values())
    if n_rated:
        parts = [f"{fmt_int(n)} đơn vị {rating}" for rating, n in f.ratings.items() if n]
        value, total, previous, previous_total = f.good
        share = 100 * value / total if total else None
        share_before = 100 * previous / previous_total if previous is not None and previous_total else None
        good = with_change(
            f"tỷ lệ đơn vị đạt Xuất sắc, Tốt là {fmt_pct(share)}",
            change(share, share_before, src.previous, decimals=1, points=True),
        )
        w.para(
            f"Kết quả Sở Y tế đánh giá công tác dân vận năm {src.year} của {fmt_int(n_rated)} đơn vị: "
            f"{names(parts)}; {good}."
        )
    if f.self_higher:
        w.para(
            f"Có {fmt_int(len(f.self_higher))} đơn vị tự đánh giá cao hơn kết quả Sở Y tế đánh giá: "
            f"{names([src.name(c) for c in f.self_higher])}."
        )
    s, before = f.sums, f.sums_previous
    if s["dvk_models"] is not None:
        models = with_change(
            f"{fmt_int(s['dvk_models'])} mô hình “Dân vận khéo”",
            change(s["dvk_models"], before["dvk_models"], src.previous, unit="mô hình"),
        )
        recognised = (
            f"; {fmt_int(s['dvk_models_recognized'])} mô hình được công nhận, khen thưởng"
            if s["dvk_models_recognized"] is not None
            else ""
        )
        w.para(f"Các đơn vị đăng ký thực hiện {models}{recognised}.")
    if s["dv_awards"]:
        w.para(f"Có {fmt_int(s['dv_awards'])} lượt tập thể, cá nhân được khen thưởng về công tác dân vận.")
    if s["social_support_people"]:
        value = (
            f" với tổng giá trị {fmt_num(s['social_support_value'], 1)} triệu đồng"
            if s["social_support_value"]
            else ""
        )
        w.para(
            f"Thông qua các mô hình an sinh xã hội, các đơn vị đã hỗ trợ {fmt_int(s['social_support_people'])} "
            f"lượt người bệnh, người dân{value}."
        )
    conf, green = f.yes["qcdc_conference"], f.yes["xsd_achieved"]
    criteria = []
    if conf[1]:
        criteria.append(f"{fmt_int(conf[0])}/{fmt_int(conf[1])} đơn vị tổ chức Hội nghị viên chức, người lao động "
                        "theo Quy chế dân chủ ở cơ sở")  # fmt: skip
    if green[1]:
        criteria.append(
            f"{fmt_int(green[0])}/{fmt_int(green[1])} đơn vị đạt tiêu chí cơ sở y tế “Xanh - Sạch - Đẹp”"
        )
    if criteria:
        w.para(capitalise("; ".join(criteria)) + ".")
    rows = [
        [src.name(r["unit_code"]), r["dv_self_rating"] or BLANK, r["dv_official_rating"] or BLANK,
         f"{num(r['dvk_models'])}/{num(r['dvk_models_recognized'])}".strip("/"),
         r["qcdc_conference"] or BLANK, r["xsd_achieved"] or BLANK]
        for r in src.ordered(f.table).iter_rows(named=True)
    ]  # fmt: skip
    w.table(
        f"Kết quả đánh giá công tác dân vận theo đơn vị năm {src.year}",
        ["Đơn vị", "Tự đánh giá", "Sở đánh giá", "Mô hình “Dân vận khéo” (đăng ký/công nhận)",
         "Hội nghị viên chức", "Xanh - Sạch - Đẹp"],
        rows,
        (5.7, 2.2, 2.2, 2.6, 1.9, 1.9),
        right=(3,),
    )  # fmt: skip


def write_part_one(w: Writer, src: Source) -> dict:
    """The five subsections; returns the facts, which Parts II-IV build on."""
    found = {
        "cchc": facts.cchc(src),
        "satisfaction": facts.satisfaction(src),
        "training": facts.training(src),
        "complaints": facts.complaints(src),
        "dan_van": facts.dan_van(src),
    }
    write_cchc(w, src, found["cchc"])
    write_satisfaction(w, src, found["satisfaction"])
    write_training(w, src, found["training"])
    write_complaints(w, src, found["complaints"])
    write_dan_van(w, src, found["dan_van"])
    return found
