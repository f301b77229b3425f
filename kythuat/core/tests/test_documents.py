"""The builder of Vietnamese official documents (.docx), on its own."""

import datetime
import io

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from kythuat.core.documents import (
    Column,
    OfficialDocument,
    Signature,
    Text,
    docx_response,
    vietnamese_date,
)


def test_vietnamese_date_pads_days_below_ten_and_months_one_and_two():
    assert vietnamese_date(datetime.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert vietnamese_date(datetime.date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"
    assert vietnamese_date(datetime.date(2026, 11, 22)) == "ngày 22 tháng 11 năm 2026"
    assert vietnamese_date(None) == "ngày …… tháng …… năm ……"


def _sample() -> Document:
    doc = OfficialDocument(title="Báo cáo thử")
    doc.header(bodies=["Ban Chỉ huy Bộ đội Biên phòng tỉnh Biên Hải", "Đồn Biên phòng Bắc Phong"],
               number="Số: 12/BC", place="Biên Hải", day=datetime.date(2026, 1, 7))
    doc.title("Báo cáo kết quả kiểm tra")
    doc.paragraph(Text("Kết quả: ", bold=True), "đạt yêu cầu.")
    doc.blanks("- Ông (bà):", "Chức vụ:", shares=(0.6, 0.4))
    rows = [[str(n), f"Súng tiểu liên AK số {n}", "1"] for n in range(1, 61)]
    doc.table([Column("STT", 1, "center"), Column("Tên", 6), Column("Số lượng", 2, "right")], rows,
              total=["Cộng", None, "60"])
    doc.signatures([Signature("Người lập"), Signature("Chỉ huy đơn vị", name="Thượng tá Nguyễn Văn Hùng")])
    return Document(io.BytesIO(doc.to_bytes()))


def test_page_is_a4_with_decree_30_margins_and_times_new_roman():
    document = _sample()
    section = document.sections[0]
    mm = {side: round(getattr(section, side).mm, 1) for side in (
        "page_width", "page_height", "top_margin", "bottom_margin", "left_margin", "right_margin")}
    assert (mm["page_width"], mm["page_height"]) == (210, 297)  # stored in twips: to 0.1 mm
    assert 20 <= mm["top_margin"] <= 25 and 20 <= mm["bottom_margin"] <= 25
    assert 30 <= mm["left_margin"] <= 35 and 15 <= mm["right_margin"] <= 20
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and Pt(13) <= normal.font.size <= Pt(14)
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{k}")) for k in ("ascii", "hAnsi", "eastAsia", "cs")} == {"Times New Roman"}
    assert fonts.get(qn("w:asciiTheme")) is None  # a theme font would win over the name
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    # Page numbers from the second page on, centred in the header.
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml and not section.first_page_header.paragraphs[0].text


def test_header_has_issuing_body_number_national_title_and_date():
    header = _sample().tables[0]
    left = [p for p in header.cell(0, 0).paragraphs if p.text]
    assert [p.text for p in left] == ["BAN CHỈ HUY BỘ ĐỘI BIÊN PHÒNG TỈNH BIÊN HẢI", "ĐỒN BIÊN PHÒNG BẮC PHONG"]
    assert not left[0].runs[0].bold and left[1].runs[0].bold
    right = [p for p in header.cell(0, 1).paragraphs if p.text]
    assert [p.text for p in right] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert right[0].runs[0].bold and right[1].runs[0].underline
    assert header.cell(1, 0).text == "Số: 12/BC"
    dated = header.cell(1, 1).paragraphs[0]
    assert dated.text == "Biên Hải, ngày 07 tháng 01 năm 2026" and dated.runs[0].italic


def test_title_paragraphs_table_and_signatures():
    document = _sample()
    texts = [p.text for p in document.paragraphs]
    title = document.paragraphs[texts.index("BÁO CÁO KẾT QUẢ KIỂM TRA")]
    assert title.runs[0].bold and title.alignment == 1  # centred
    body = document.paragraphs[texts.index("Kết quả: đạt yêu cầu.")]
    assert body.runs[0].bold and not body.runs[1].bold
    assert "- Ông (bà):\t Chức vụ:\t" in texts
    table = document.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["STT", "Tên", "Số lượng"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert table.style.name == "Table Grid" and len(table.rows) == 62
    assert [c.text for c in table.rows[5].cells] == ["5", "Súng tiểu liên AK số 5", "1"]
    total = table.rows[-1]
    assert total.cells[0].text == "Cộng" and total.cells[0]._tc is total.cells[1]._tc  # merged
    assert total.cells[2].text == "60" and total.cells[2].paragraphs[0].runs[0].bold
    widths = [column.width for column in table.columns]
    assert abs(sum(widths) - Mm(165)) < Mm(1) and widths[1] == 3 * widths[2]
    signatures = document.tables[2].rows[0].cells
    assert [p.text for p in signatures[0].paragraphs if p.text.strip()] == ["NGƯỜI LẬP", "(Ký, ghi rõ họ tên)"]
    assert [p.text for p in signatures[1].paragraphs] == ["CHỈ HUY ĐƠN VỊ", "(Ký, ghi rõ họ tên)",
                                                           "Thượng tá Nguyễn Văn Hùng"]
    assert signatures[1].paragraphs[1].runs[0].italic and signatures[1].paragraphs[2].runs[0].bold


def test_docx_response_names_the_file_in_ascii():
    response = docx_response(b"content", name="Biên bản giao nhận 01/LĐC")
    assert response["Content-Type"].endswith("wordprocessingml.document")
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="bien-ban-giao-nhan-01-ldc-') and disposition.endswith('.docx"')
