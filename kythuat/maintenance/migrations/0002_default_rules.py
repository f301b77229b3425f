"""Default regimes per branch (DOMAIN.md §2). The intervals are the usual practice, not a regulation's
text ([I]): the department edits them as data. Weekly = the technical day (ngày kỹ thuật); vehicles by
km or months, boats and generators by engine hours, whichever comes first; sealed items follow the
storage checks instead."""

from django.db import migrations

IN_USE = "in_use,reserve"
SEALED = "sealed"

# (branch, group, level, name, days, km, hours, rounds, covers, states, tasks)
RULES = [
    ("QK", "", "tech_day", "Bảo quản vũ khí hằng tuần (ngày kỹ thuật)", 7, None, None, None, "", IN_USE,
     ["Lau chùi, tra dầu nòng súng và các bộ phận", "Kiểm tra khóa an toàn, bộ phận cò", "Kiểm tra tủ súng, giá súng, khóa",
      "Đối chiếu số lượng, số hiệu với sổ đăng ký"]),
    ("QK", "", "monthly", "Bảo quản định kỳ vũ khí hằng tháng", 30, None, None, None, "tech_day", IN_USE,
     ["Tháo rời, lau chùi, tra dầu toàn bộ", "Kiểm tra độ mòn nòng, kim hỏa, lò xo", "Kiểm tra phụ tùng, dụng cụ kèm theo (đồng bộ)"]),
    ("QK", "", "seasonal", "Bảo quản vũ khí trước mùa mưa bão", 365, None, None, None, "monthly,tech_day", IN_USE,
     ["Chống ẩm, chống gỉ kho và tủ súng", "Thay dầu bảo quản", "Kiểm tra mái, cửa kho, thoát nước"]),
    ("QK", "", "tech_month", "Tháng kỹ thuật — quân khí", 365, None, None, None, "monthly,tech_day", IN_USE,
     ["Kiểm tra, phân cấp chất lượng", "Sửa chữa nhỏ, thay thế chi tiết hỏng", "Hoàn thiện sổ sách, lý lịch"]),
    ("QK", "", "sealed_check", "Kiểm tra vũ khí niêm cất", 90, None, None, None, "", SEALED,
     ["Kiểm tra niêm phong, nhiệt độ, độ ẩm kho", "Kiểm tra dầu mỡ bảo quản"]),
    ("QK", "", "represerve", "Bảo quản lại vũ khí niêm cất", 730, None, None, None, "sealed_check", SEALED,
     ["Mở niêm, lau chùi, thay dầu mỡ bảo quản", "Niêm cất lại, lập biên bản"]),
    ("QK", "Đạn", "tech_day", "Kiểm tra kho, hòm đạn hằng tuần", 7, None, None, None, "", IN_USE,
     ["Kiểm tra hòm đạn, kệ, kê lót", "Kiểm tra nhiệt độ, độ ẩm, phòng cháy chữa cháy"]),
    ("QK", "Đạn", "monthly", "Bảo quản đạn hằng tháng", 30, None, None, None, "tech_day", IN_USE,
     ["Đảo hòm, thông gió", "Kiểm tra gỉ, ẩm, biến dạng", "Đối chiếu số lượng theo lô"]),
    ("XM", "", "tech_day", "Nổ máy, chạy thử hằng tuần", 7, None, None, None, "", IN_USE,
     ["Nổ máy 15 phút", "Chạy 1–2 km trong doanh trại", "Kiểm tra dầu, nước, lốp, phanh, đèn còi"]),
    ("XM", "", "monthly", "Chạy thử hằng tháng", 30, None, None, None, "tech_day", IN_USE,
     ["Chạy 15–20 km ngoài doanh trại", "Kiểm tra, xiết chặt, bôi trơn", "Khắc phục ngay hư hỏng phát hiện"]),
    ("XM", "", "quarterly", "Chạy thử hằng quý", 90, None, None, None, "monthly,tech_day", IN_USE,
     ["Chạy 25–30 km", "Kiểm tra hệ thống điện, ắc quy", "Kiểm tra gầm, hệ thống truyền lực"]),
    ("XM", "", "seasonal", "Bảo quản xe máy trước mùa mưa bão", 365, None, None, None, "", IN_USE,
     ["Kiểm tra chống dột nhà xe", "Kiểm tra hệ thống điện, chống ẩm", "Kiểm tra gạt mưa, đèn"]),
    ("XM", "", "sealed_check", "Kiểm tra xe niêm cất", 90, None, None, None, "", SEALED,
     ["Kiểm tra niêm phong", "Kiểm tra ắc quy, áp suất lốp, kê kích"]),
    ("XM", "", "represerve", "Bảo quản lại xe niêm cất", 365, None, None, None, "sealed_check", SEALED,
     ["Nổ máy, thay dầu bảo quản", "Niêm cất lại, lập biên bản"]),
    ("XM", "Ô tô", "maint_1", "Bảo dưỡng cấp 1 ô tô", 180, 5000, None, None, "tech_day,monthly", IN_USE,
     ["Thay dầu động cơ, lọc dầu", "Kiểm tra, điều chỉnh phanh, ly hợp", "Bơm mỡ các khớp", "Kiểm tra lốp, đảo lốp"]),
    ("XM", "Ô tô", "maint_2", "Bảo dưỡng cấp 2 ô tô", 720, 20000, None, None, "maint_1,quarterly,monthly,tech_day",
     IN_USE, ["Nội dung bảo dưỡng cấp 1", "Thay lọc gió, lọc nhiên liệu", "Kiểm tra, điều chỉnh hệ thống lái, gầm",
              "Kiểm tra, bảo dưỡng hệ thống điện"]),
    ("XM", "Mô tô", "maint_1", "Bảo dưỡng mô tô", 180, 3000, None, None, "tech_day,monthly", IN_USE,
     ["Thay dầu máy", "Kiểm tra, điều chỉnh xích, phanh", "Kiểm tra bugi, lọc gió"]),
    ("XM", "Máy phát điện", "maint_1", "Bảo dưỡng cấp 1 máy phát điện", 180, None, 250, None, "tech_day,monthly",
     IN_USE, ["Thay dầu, lọc dầu", "Kiểm tra lọc gió, nhiên liệu", "Đo điện áp, tần số đầu ra"]),
    ("XM", "Máy phát điện", "maint_2", "Bảo dưỡng cấp 2 máy phát điện", 720, None, 1000, None,
     "maint_1,quarterly,monthly,tech_day", IN_USE,
     ["Nội dung bảo dưỡng cấp 1", "Kiểm tra, điều chỉnh xupáp, vòi phun", "Đo cách điện cuộn dây"]),
    ("TT", "", "tech_day", "Nổ máy, kiểm tra tàu thuyền hằng tuần", 7, None, None, None, "", IN_USE,
     ["Nổ máy không tải", "Kiểm tra nước la canh, vỏ, neo, dây buộc", "Kiểm tra trang bị cứu sinh"]),
    ("TT", "", "monthly", "Bảo quản tàu thuyền hằng tháng", 30, None, None, None, "tech_day", IN_USE,
     ["Chạy thử có tải", "Vệ sinh, chống hà, chống gỉ", "Kiểm tra hệ thống điện, thông tin, đèn hành trình"]),
    ("TT", "", "seasonal", "Bảo quản tàu thuyền trước mùa mưa bão", 365, None, None, None, "monthly,tech_day",
     IN_USE, ["Kiểm tra neo đậu tránh trú bão", "Kiểm tra bơm la canh", "Gia cố mái che, bạt"]),
    ("TT", "", "maint_1", "Bảo dưỡng cấp 1 tàu thuyền, máy tàu", 180, None, 250, None, "tech_day,monthly", IN_USE,
     ["Thay dầu, lọc dầu máy", "Kiểm tra hệ thống làm mát, bơm nước biển", "Kiểm tra trục chân vịt, bánh lái"]),
    ("TT", "", "maint_2", "Bảo dưỡng cấp 2 tàu thuyền, máy tàu", 720, None, 1000, None, "maint_1,monthly,tech_day",
     IN_USE, ["Nội dung bảo dưỡng cấp 1", "Kiểm tra, điều chỉnh vòi phun, xupáp", "Kiểm tra, sơn vỏ phần chìm"]),
    ("TT", "", "sealed_check", "Kiểm tra tàu thuyền niêm cất", 90, None, None, None, "", SEALED,
     ["Kiểm tra niêm phong, chống ẩm", "Kiểm tra ắc quy"]),
    ("TTLL", "", "tech_day", "Bảo quản máy thông tin hằng tuần", 7, None, None, None, "", IN_USE,
     ["Vệ sinh máy, phụ kiện", "Kiểm tra nguồn, ắc quy, anten", "Thử liên lạc"]),
    ("TTLL", "", "monthly", "Bảo quản máy thông tin hằng tháng", 30, None, None, None, "tech_day", IN_USE,
     ["Nạp, xả ắc quy", "Kiểm tra cáp, giắc nối, chống ẩm"]),
    ("TTLL", "", "quarterly", "Đo kiểm tham số máy thông tin hằng quý", 90, None, None, None, "monthly,tech_day",
     IN_USE, ["Đo công suất phát, độ nhạy thu", "Đo sóng đứng anten"]),
    ("TTLL", "", "tech_month", "Tháng kỹ thuật — thông tin liên lạc", 365, None, None, None,
     "quarterly,monthly,tech_day", IN_USE, ["Kiểm tra, phân cấp chất lượng", "Sửa chữa nhỏ", "Hoàn thiện sổ sách"]),
    ("TTLL", "", "sealed_check", "Kiểm tra máy thông tin niêm cất", 90, None, None, None, "", SEALED,
     ["Kiểm tra niêm phong, chống ẩm"]),
    ("NV", "", "tech_day", "Bảo quản trang bị nghiệp vụ hằng tuần", 7, None, None, None, "", IN_USE,
     ["Vệ sinh ống kính, thân máy", "Kiểm tra nguồn, pin", "Chạy thử chức năng"]),
    ("NV", "", "monthly", "Bảo quản trang bị nghiệp vụ hằng tháng", 30, None, None, None, "tech_day", IN_USE,
     ["Chống ẩm, chống mốc", "Kiểm tra phần mềm, dữ liệu"]),
    ("NV", "", "tech_month", "Tháng kỹ thuật — trang bị nghiệp vụ", 365, None, None, None, "monthly,tech_day",
     IN_USE, ["Kiểm tra, phân cấp chất lượng", "Hiệu chỉnh thiết bị"]),
    ("CB", "", "monthly", "Bảo quản trang bị công binh hằng tháng", 30, None, None, None, "", IN_USE,
     ["Vệ sinh, tra dầu mỡ", "Kiểm tra pin, nguồn", "Chạy thử máy"]),
    ("CB", "", "tech_month", "Tháng kỹ thuật — công binh", 365, None, None, None, "monthly", IN_USE,
     ["Kiểm tra, phân cấp chất lượng"]),
    ("HH", "", "monthly", "Bảo quản khí tài phòng hóa hằng tháng", 30, None, None, None, "", IN_USE,
     ["Kiểm tra mặt nạ, hộp lọc", "Phơi, chống ẩm mốc quần áo phòng hóa"]),
    ("HH", "", "tech_month", "Tháng kỹ thuật — hóa học", 365, None, None, None, "monthly", IN_USE,
     ["Kiểm tra, phân cấp chất lượng", "Kiểm định máy đo"]),
    ("CNTT", "", "monthly", "Bảo trì máy tính, thiết bị mạng hằng tháng", 30, None, None, None, "", IN_USE,
     ["Vệ sinh thiết bị", "Cập nhật phần mềm phòng chống mã độc", "Sao lưu dữ liệu"]),
    ("CNTT", "", "tech_month", "Tháng kỹ thuật — công nghệ thông tin", 365, None, None, None, "monthly", IN_USE,
     ["Kiểm tra, phân cấp chất lượng", "Kiểm tra an toàn thông tin"]),
]


def add_rules(apps, schema_editor):
    Branch = apps.get_model("equipment", "Branch")
    Rule = apps.get_model("maintenance", "MaintenanceRule")
    Task = apps.get_model("maintenance", "RuleTask")
    branches = {branch.code: branch for branch in Branch.objects.all()}
    from kythuat.core.text import fold

    for code, group, level, name, days, km, hours, rounds, covers, states, tasks in RULES:
        branch = branches.get(code)
        if branch is None:
            continue
        rule = Rule.objects.create(
            name=name, branch=branch, group=group, level=level, interval_days=days, interval_km=km,
            interval_hours=hours, interval_rounds=rounds, covers_levels=covers, usage_states=states,
            search_text=fold(f"{name} {branch.name} {group}"))
        Task.objects.bulk_create(Task(rule=rule, text=text, sort_order=order) for order, text in enumerate(tasks, 1))


def remove_rules(apps, schema_editor):
    apps.get_model("maintenance", "MaintenanceRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("maintenance", "0001_initial"), ("equipment", "0002_default_catalogue")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
