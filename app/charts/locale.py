"""Plotly.js in Vietnamese: the toolbar's tooltips, the legend's hint, dates and numbers.

Plotly.js takes a locale per chart through its config (`locale` and `locales`); every chart
the dashboard draws gets `PLOTLY_CONFIG`. The keys are Plotly.js's own English texts, as
its bundle in Streamlit spells them.
"""

from __future__ import annotations

_DICTIONARY = {
    "Autoscale": "Tự co giãn trục",
    "Box Select": "Chọn theo khung",
    "Compare data on hover": "So sánh số liệu khi di chuột",
    "Double-click on legend to isolate one trace": "Bấm đúp vào chú giải để chỉ xem một đường",
    "Double-click to zoom back out": "Bấm đúp để thu nhỏ lại",
    "Download plot": "Tải biểu đồ",
    "Download plot as a PNG": "Tải biểu đồ (ảnh PNG)",
    "Download plot as JSON": "Tải biểu đồ (JSON)",
    "Lasso Select": "Chọn tự do",
    "Pan": "Kéo biểu đồ",
    "Produced with Plotly.js": "Vẽ bằng Plotly.js",
    "Reset axes": "Đặt lại trục",
    "Reset view": "Đặt lại khung nhìn",
    "Reset views": "Đặt lại khung nhìn",
    "Show closest data on hover": "Hiện số liệu gần nhất khi di chuột",
    "Snapshot succeeded": "Đã tải ảnh",
    "Sorry, there was a problem downloading your image!": "Không tải được ảnh biểu đồ.",
    "Sorry, there was a problem downloading your JSON file!": "Không tải được tệp JSON.",
    "Taking snapshot - this may take a few seconds": "Đang chụp ảnh biểu đồ, xin chờ vài giây",
    "Toggle Spike Lines": "Bật/tắt đường gióng",
    "Toggle show closest data on hover": "Bật/tắt hiện số liệu gần nhất",
    "Zoom": "Phóng to vùng chọn",
    "Zoom in": "Phóng to",
    "Zoom out": "Thu nhỏ",
    "trace": "đường",
    "new text": "chữ mới",
}

_FORMAT = {
    "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
    "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "months": [f"Tháng {m}" for m in range(1, 13)],
    "shortMonths": [f"Th{m}" for m in range(1, 13)],
    "date": "%d/%m/%Y",
    "decimal": ",",
    "thousands": ".",
}

# the toolbar keeps what a reader uses: download the picture, zoom, reset
PLOTLY_CONFIG: dict = {
    "displaylogo": False,
    "locale": "vi",
    "locales": {"vi": {"dictionary": _DICTIONARY, "format": _FORMAT}},
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "toggleSpikelines", "hoverCompareCartesian"],
}
