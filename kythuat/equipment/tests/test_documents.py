"""The handover record (biên bản giao nhận) of a transfer order, opened as Word would open it."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from kythuat.core.documents import BLANK, vietnamese_date
from kythuat.core.roles import Role
from kythuat.core.testing.factories import EquipmentTypeFactory, ItemFactory, MembershipFactory, PersonFactory
from kythuat.equipment import services
from kythuat.equipment.models import Transfer

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def order(org):
    """An approved order from Bắc Phong to Nam Sơn: a rifle missing a part and 1.200 of 5.000 rounds."""
    PersonFactory(user=org.commander1, unit=org.post1, full_name="Nguyễn Văn Hùng", rank="thuong_ta",
                  position="Đồn trưởng")
    rifle = ItemFactory(unit=org.team1, type__name="Súng tiểu liên AK-47", serial="AK-0157", grade=2,
                        condition="limited", completeness="missing", missing_parts="Lê × 1")
    ammo = EquipmentTypeFactory(name="Đạn 7,62 mm K56", tracked_by="quantity", has_rounds=False,
                                unit_of_measure="viên")
    lot = ItemFactory(type=ammo, unit=org.team1, serial="LO-2019-07", quantity=5000, grade=1)
    transfer = services.draft_transfer(user=org.officer1, from_unit=org.post1, to_unit=org.post2, number="01/LĐC",
                                       date=datetime.date(2026, 11, 22), reason="Điều chỉnh biên chế",
                                       lines=[(rifle.pk, None), (lot.pk, 1200)])
    services.approve_transfer(transfer=transfer, user=org.commander1)
    return Transfer.objects.get(pk=transfer.pk)


def _open(response):
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert 'filename="bien-ban-giao-nhan-01-ldc-' in response["Content-Disposition"]
    return Document(io.BytesIO(response.content))


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_handover_record_of_an_approved_order_lists_the_planned_lines(org, order):
    document = _open(login(org.officer1).get(reverse("equipment:transfer_handover", args=[order.pk])))
    texts = _texts(document)
    assert "BIÊN BẢN GIAO NHẬN VŨ KHÍ TRANG BỊ KỸ THUẬT" in texts
    header = document.tables[0]
    assert [p.text for p in header.cell(0, 0).paragraphs if p.text] == [
        "BAN CHỈ HUY BỘ ĐỘI BIÊN PHÒNG TỈNH", "ĐỒN BIÊN PHÒNG BẮC PHONG"]
    assert header.cell(0, 1).paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert header.cell(1, 1).text.endswith("ngày …… tháng …… năm ……")  # dated by hand at the handover
    assert any("Lệnh điều chuyển vũ khí trang bị kỹ thuật số 01/LĐC ngày 22 tháng 11 năm 2026" in t
               and "lý do: Điều chỉnh biên chế." in t for t in texts)
    assert "1. Bên giao: Đồn Biên phòng Bắc Phong" in texts and "2. Bên nhận: Đồn Biên phòng Nam Sơn" in texts
    assert "3. Đại diện chỉ huy (người phê duyệt lệnh): Thượng tá Nguyễn Văn Hùng." in texts
    lines = document.tables[1]
    assert [c.text for c in lines.rows[0].cells] == [
        "STT", "Tên vũ khí trang bị kỹ thuật", "Số hiệu", "Đơn vị tính", "Số lượng", "Cấp chất lượng",
        "Tình trạng kỹ thuật, đồng bộ", "Ghi chú"]
    assert [c.text for c in lines.rows[1].cells] == [
        "1", "Súng tiểu liên AK-47", "AK-0157", "khẩu", "1", "2", "Hạn chế, thiếu: Lê × 1", ""]
    assert [c.text for c in lines.rows[2].cells] == [
        "2", "Đạn 7,62 mm K56", "LO-2019-07", "viên", "1.200", "1", "Sẵn sàng, đồng bộ",
        "Một phần của lô (5.000 viên)"]
    assert [c.text for c in lines.rows[3].cells][:5] == ["Cộng"] * 4 + ["1.201"]
    assert any("được lập thành 03 bản" in t and t.endswith("./.") for t in texts)
    signatures = [c.paragraphs[0].text for c in document.tables[2].rows[0].cells]
    assert signatures == ["ĐẠI DIỆN BÊN GIAO", "ĐẠI DIỆN BÊN NHẬN", "ĐẠI DIỆN CHỈ HUY"]
    assert document.tables[2].cell(0, 2).paragraphs[-1].text == "Thượng tá Nguyễn Văn Hùng"
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    assert round(section.top_margin.mm) == 20 and round(section.bottom_margin.mm) == 20
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_handover_record_of_a_completed_order_shows_the_lines_as_handed_over(org, order):
    services.complete_transfer(transfer=order, user=org.officer1)
    order.refresh_from_db()
    rifle, part = [line.moved_item for line in order.lines.order_by("id")]
    # Regraded at the receiving unit afterwards: the record keeps the grade it was handed over with.
    commander2 = MembershipFactory(unit=org.post2, role=Role.COMMANDER).user
    record = services.draft_grade_change(user=org.officer2, unit=org.post2, number="05/BB",
                                         date=datetime.date.today(), reason="Kiểm tra", lines=[(rifle.pk, 4)])
    services.approve_grade_change(grade_change=record, user=commander2)
    document = _open(login(org.officer1).get(reverse("equipment:transfer_handover", args=[order.pk])))
    handed = timezone.localtime(order.completed_at)
    day = vietnamese_date(handed.date())  # "ngày 25 tháng 11 năm 2026"
    assert document.tables[0].cell(1, 1).text == f"{BLANK * 3}, {day}"  # the place is written by hand
    assert f"Vào hồi {handed.hour:02d} giờ {handed.minute:02d} phút, {day}, tại {BLANK * 4}, chúng tôi gồm:" \
        in _texts(document)
    rows = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert rows[1][1:6] == ["Súng tiểu liên AK-47", "AK-0157", "khẩu", "1", "2"]
    assert rows[2][1:5] + rows[2][7:] == ["Đạn 7,62 mm K56", part.serial, "viên", "1.200", "Tách từ lô LO-2019-07"]
    assert part.serial == "LO-2019-07/01/LĐC" and rows[3][4] == "1.201"


def test_handover_record_is_scoped_like_the_order(org, order):
    url = reverse("equipment:transfer_handover", args=[order.pk])
    assert login(org.officer2).get(url).status_code == 404  # another border post
    for user in (org.viewer, org.technician1, org.commander1):
        assert login(user).get(url).status_code == 200


def test_draft_or_cancelled_order_has_no_handover_record(org, order):
    item = ItemFactory(unit=org.team1)
    draft = services.draft_transfer(user=org.officer1, from_unit=org.post1, to_unit=org.post2, number="02/LĐC",
                                    date=datetime.date(2026, 11, 23), lines=[(item.pk, None)])
    client = login(org.officer1)
    response = client.get(reverse("equipment:transfer_handover", args=[draft.pk]), follow=True)
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert "Biên bản giao nhận chỉ lập khi lệnh điều chuyển đã được phê duyệt." in response.content.decode()
    assert response.context["handover_url"] is None  # no button on a draft
    services.cancel_transfer(transfer=order, user=org.officer1)
    response = client.get(reverse("equipment:transfer_handover", args=[order.pk]))
    assert response.status_code == 302 and not response.has_header("Content-Disposition")


def test_order_page_offers_the_handover_record_once_approved(org, order):
    page = login(org.officer1).get(order.get_absolute_url())
    url = reverse("equipment:transfer_handover", args=[order.pk])
    assert f'href="{url}"' in page.content.decode()
