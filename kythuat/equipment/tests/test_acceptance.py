"""Issue 3, "done when", as a new user would do it: a technical officer imports a border post's
register from Excel, fixes the rows the dry run rejects, grades items, transfers a vehicle to another
post and prints QR labels; the department head sees the province's coefficient now and as of
1 January of past years — every figure matching a count of the rows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from kythuat.core.models import ImportRun
from kythuat.core.testing.sheets import xlsx
from kythuat.equipment.models import GradeChange, Item, Transfer

pytestmark = pytest.mark.django_db

# The headers as a post's own sheet writes them: abbreviations, other words, a title above.
HEADER = ["Đơn vị", "Chủng loại", "Số hiệu / số đăng ký", "SL", "Năm SX", "Năm đưa vào SD", "Cấp CL", "TTKT",
          "Trạng thái", "Đồng bộ", "Ngày đăng ký", "Ghi chú"]
ROWS = [
    ["DBP1-VT", "AK", "AK-880011", 1, 1988, 1990, "Cấp 2", "Tốt", "Đang sử dụng", "Đủ", "15/03/2019", ""],
    ["DBP1-VT", "AK", "AK-880012", 1, 1988, 1990, "cap 3", "Hạn chế", "Đang sử dụng", "Đủ", "15/03/2019", ""],
    ["DBP1-VT", "AKMS", "AK-880013", 1, 1990, 1991, "2", "Tốt", "Dự trữ", "Đủ", "15/03/2019", "loại sai"],
    ["DBP1", "UAZ469", "29A-1234", 1, 2008, 2009, "Cấp 2", "Sẵn sàng", "Khai thác", "Đủ", "02/01/2020", ""],
    ["DBP1", "D762X39", "LO-1998-07", 12000, 1998, 1999, "Cấp 7", "Tốt", "Dự trữ", "Đủ", "15/03/2019", ""],
    ["DBP1", "MPD5", "MPD-0077", 1, 2015, 2016, "Cấp 1", "Tốt", "Đang sử dụng", "Đủ", "10/06/2021", ""],
]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def count(items, **filters):
    return items.filter(**filters).aggregate(n=Sum("quantity"))["n"] or 0


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_officer_imports_grades_transfers_labels_and_the_head_sees_the_coefficient(org):
    officer, commander, head = client_for(org.officer1), client_for(org.commander1), client_for(org.head)
    assert officer.get(reverse("equipment:item_import_template")).status_code == 200

    # 1. The dry run rejects two rows and writes nothing.
    title = [["SỔ ĐĂNG KÝ VŨ KHÍ, TRANG BỊ KỸ THUẬT — ĐỒN BIÊN PHÒNG BẮC PHONG"], []]
    file = SimpleUploadedFile("so-dang-ky-dbp1.xlsx", xlsx([HEADER, *ROWS], before=title))
    officer.post(reverse("equipment:item_import"), {"file": file})
    run = ImportRun.objects.latest("id")
    assert (run.status, run.total, run.added, run.bad) == ("checked", 6, 4, 2), run.report
    page = officer.get(run.get_absolute_url()).content.decode()
    assert "AKMS" in page and "Cấp chất lượng từ 1 đến 5" in page
    officer.post(reverse("import_run_apply", args=[run.pk]))
    assert not Item.objects.exists()

    # 2. Fixed, checked again, written.
    ROWS[2][1], ROWS[4][6] = "AKM", "Cấp 2"
    officer.post(reverse("equipment:item_import"), {"file": SimpleUploadedFile("so-dang-ky-dbp1.xlsx",
                                                                              xlsx([HEADER, *ROWS]))})
    run = ImportRun.objects.latest("id")
    assert (run.added, run.bad) == (6, 0), run.report
    officer.post(reverse("import_run_apply", args=[run.pk]))
    assert Item.objects.count() == 6 and count(Item.objects) == 5 + 12000
    items = {item.serial: item for item in Item.objects.all()}

    # 3. The yearly assessment: two items change grade, approved by the post's commander.
    response = officer.post(reverse("equipment:gradechange_add"), {
        "unit": org.post1.pk, "number": "05/BB-CCCL", "date": "20/11/2025", "reason": "Đánh giá cuối năm",
        "items": [items["AK-880011"].pk, items["MPD-0077"].pk],
        f"grade_{items['AK-880011'].pk}": "3", f"grade_{items['MPD-0077'].pk}": "2"})
    record = GradeChange.objects.get(number="05/BB-CCCL")
    assert response.status_code == 302
    commander.post(reverse("equipment:gradechange_approve", args=[record.pk]), {"version": record.version})
    assert Item.objects.get(serial="AK-880011").grade == 3

    # 4. The vehicle goes to the other post.
    officer.post(reverse("equipment:transfer_add"), {
        "number": "12/LĐC", "date": "05/01/2026", "from_unit": org.post1.pk, "to_unit": org.post2.pk,
        "reason": "Tăng cường phương tiện", "items": [items["29A-1234"].pk], f"quantity_{items['29A-1234'].pk}": "1"})
    order = Transfer.objects.get(number="12/LĐC")
    commander.post(reverse("equipment:transfer_approve", args=[order.pk]), {"version": order.version})
    order.refresh_from_db()
    officer.post(reverse("equipment:transfer_complete", args=[order.pk]), {"version": order.version,
                                                                            "on": "10/01/2026"})
    assert Item.objects.get(serial="29A-1234").unit == org.post2
    assert officer.get(reverse("equipment:transfer_handover", args=[order.pk])).status_code == 200

    # 5. QR labels of what is left at the post.
    left = Item.objects.filter(unit__path__startswith=org.post1.path).values_list("pk", flat=True)
    labels = officer.get(reverse("equipment:labels"), {"items": list(left)})
    assert labels.status_code == 200 and labels["Content-Type"] == "application/pdf"

    # 6. The head: the coefficient now and at 0h on 1 January of past years, each a count of rows.
    now = head.get(reverse("readiness:readiness"), {"unit": org.root.pk}).context["report"]
    active = Item.objects.active()
    good_now = count(active, grade__in=[1, 2], condition="ready")
    assert (now.total.total, now.total.good) == (count(active), good_now) == (12005, 12003)
    assert now.total.coefficient == pytest.approx(12003 / 12005)
    by_unit = {unit.code: figures.total for unit, figures in now.children}
    assert by_unit["DBP1"] == 12004 and by_unit["DBP2"] == 1  # the vehicle is counted at its new post
    expected = {  # (total, good) at 0h on 1 January, from the rows' dates
        2019: (0, 0),
        2020: (12003, 12002),  # the rifles and the lot (15/03/2019); the limited rifle does not count
        2021: (12004, 12003),  # the vehicle (02/01/2020)
        2022: (12005, 12004),  # the generator (10/06/2021)
        2026: (12005, 12003),  # after the grade changes of 20/11/2025: the rifle to 3 (no longer good)
    }
    for year, figures in expected.items():
        report = head.get(reverse("readiness:readiness"), {"unit": org.root.pk,
                                                           "on": f"01/01/{year}"}).context["report"]
        assert (report.total.total, report.total.good) == figures, year
    on_2026 = head.get(reverse("readiness:readiness"), {"unit": org.root.pk, "on": "01/01/2026"}).context["report"]
    assert {unit.code: f.total for unit, f in on_2026.children}["DBP1"] == 12005  # moved only on 10/01/2026
    points = {p.day: (p.total, p.good) for p in head.get(reverse("readiness:readiness")).context["points"]}
    assert points[datetime.date(2022, 1, 1)] == expected[2022]
