"""Default catalogue shipped with the system: technical branches, the general wording of the five
quality grades (working definitions, DOMAIN.md §1.1 — to be confirmed by the department), and about
sixty common equipment types with their kits. All of it is editable data."""

from django.db import migrations

from kythuat.core.text import fold

BRANCHES = [
    ("QK", "Quân khí (vũ khí – đạn)"), ("XM", "Xe – máy"), ("TT", "Tàu thuyền"), ("TTLL", "Thông tin liên lạc"),
    ("CB", "Công binh"), ("HH", "Hóa học"), ("NV", "Trang bị kỹ thuật nghiệp vụ"), ("CNTT", "Công nghệ thông tin"),
]

GRADES = [
    (1, "Cấp 1", "Mới, chưa qua sử dụng, tính năng kỹ thuật đạt 100%.", "Dự trữ sẵn sàng chiến đấu, cấp phát"),
    (2, "Cấp 2", "Đã qua sử dụng, còn tốt, sử dụng bình thường (có thể cần bảo dưỡng, sửa chữa nhỏ).", "Khai thác"),
    (3, "Cấp 3", "Hư hỏng, phải sửa chữa vừa (trung tu) mới sử dụng được.", "Đưa đi sửa chữa vừa"),
    (4, "Cấp 4", "Hư hỏng nặng, phải sửa chữa lớn (đại tu) mới sử dụng được.",
     "Sửa chữa lớn tại nhà máy, xưởng cấp trên"),
    (5, "Cấp 5", "Không còn khả năng sửa chữa, hoặc sửa chữa không hiệu quả, hết niên hạn; chờ thanh lý, tiêu hủy.",
     "Loại khỏi biên chế (TT 32/2026/TT-BQP)"),
]

# branch, group, code, name, unit of measure, tracked (s/q), meters (k=km, h=engine hours, r=rounds),
# service life (years), price (VND), country, kit
TYPES = [
    ("QK", "Súng ngắn", "K54", "Súng ngắn K54 7,62 mm", "khẩu", "s", "r", 30, 8_000_000, "Việt Nam",
     ["Hộp tiếp đạn × 2", "Bao da", "Dây súng", "Que thông nòng"]),
    ("QK", "Súng ngắn", "K59", "Súng ngắn K59 9 mm", "khẩu", "s", "r", 30, 9_000_000, "Việt Nam",
     ["Hộp tiếp đạn × 2", "Bao da", "Que thông nòng"]),
    ("QK", "Súng tiểu liên", "AK", "Súng tiểu liên AK 7,62 mm", "khẩu", "s", "r", 30, 15_000_000, "",
     ["Hộp tiếp đạn × 4", "Lưỡi lê", "Dây súng", "Túi đựng hộp tiếp đạn", "Bộ phụ tùng cá nhân"]),
    ("QK", "Súng tiểu liên", "AKM", "Súng tiểu liên AKM 7,62 mm", "khẩu", "s", "r", 30, 17_000_000, "",
     ["Hộp tiếp đạn × 4", "Lưỡi lê", "Dây súng", "Bộ phụ tùng cá nhân"]),
    ("QK", "Súng tiểu liên", "STV380", "Súng tiểu liên STV-380 7,62 mm", "khẩu", "s", "r", 30, 25_000_000,
     "Việt Nam", ["Hộp tiếp đạn × 4", "Lưỡi lê", "Dây súng", "Bộ phụ tùng cá nhân"]),
    ("QK", "Súng trường", "CKC", "Súng trường CKC 7,62 mm", "khẩu", "s", "r", 35, 10_000_000, "",
     ["Lưỡi lê", "Dây súng", "Bộ phụ tùng cá nhân"]),
    ("QK", "Súng trường", "SVD", "Súng bắn tỉa SVD 7,62 mm", "khẩu", "s", "r", 30, 60_000_000, "",
     ["Kính ngắm quang học", "Hộp tiếp đạn × 4", "Bao kính", "Dây súng"]),
    ("QK", "Súng máy", "RPD", "Súng trung liên RPD 7,62 mm", "khẩu", "s", "r", 30, 35_000_000, "",
     ["Hộp băng đạn × 2", "Chân chống", "Bộ phụ tùng"]),
    ("QK", "Súng máy", "PKM", "Súng đại liên PKM 7,62 mm", "khẩu", "s", "r", 30, 80_000_000, "",
     ["Nòng dự bị", "Hộp băng đạn × 4", "Chân chống", "Bộ phụ tùng"]),
    ("QK", "Súng chống tăng", "B40", "Súng chống tăng B40", "khẩu", "s", "r", 30, 20_000_000, "",
     ["Bao súng", "Kính ngắm"]),
    ("QK", "Súng chống tăng", "B41", "Súng chống tăng B41", "khẩu", "s", "r", 30, 45_000_000, "",
     ["Bao súng", "Kính ngắm quang học PGO-7"]),
    ("QK", "Súng phóng lựu", "M79", "Súng phóng lựu M79 40 mm", "khẩu", "s", "r", 30, 18_000_000, "", []),
    ("QK", "Súng cối", "C60", "Súng cối 60 mm", "khẩu", "s", "r", 35, 70_000_000, "",
     ["Bàn đế", "Chân súng", "Máy ngắm", "Bộ phụ tùng"]),
    ("QK", "Đạn", "D762X39", "Đạn 7,62×39 mm", "viên", "q", "", 20, 12_000, "", []),
    ("QK", "Đạn", "D762X54", "Đạn 7,62×54R mm", "viên", "q", "", 20, 18_000, "", []),
    ("QK", "Đạn", "D762X25", "Đạn súng ngắn 7,62×25 mm", "viên", "q", "", 20, 9_000, "", []),
    ("QK", "Đạn", "LDC", "Lựu đạn cầu", "quả", "q", "", 15, 250_000, "Việt Nam", []),
    ("QK", "Đạn", "DB40", "Đạn B40", "quả", "q", "", 15, 1_500_000, "", []),
    ("QK", "Đạn", "DC60", "Đạn cối 60 mm", "quả", "q", "", 15, 2_000_000, "", []),
    ("XM", "Ô tô", "UAZ469", "Xe ô tô chỉ huy UAZ-469", "chiếc", "s", "k", 15, 450_000_000, "Nga",
     ["Bánh xe dự phòng", "Kích", "Bộ đồ nghề", "Bình chữa cháy", "Sổ lý lịch xe"]),
    ("XM", "Ô tô", "RANGER", "Xe ô tô bán tải Ford Ranger", "chiếc", "s", "k", 15, 750_000_000, "Thái Lan",
     ["Bánh xe dự phòng", "Kích", "Bộ đồ nghề", "Bình chữa cháy", "Sổ lý lịch xe"]),
    ("XM", "Ô tô", "FORTUNER", "Xe ô tô 7 chỗ Toyota Fortuner", "chiếc", "s", "k", 15, 1_100_000_000, "Việt Nam",
     ["Bánh xe dự phòng", "Kích", "Bộ đồ nghề", "Bình chữa cháy", "Sổ lý lịch xe"]),
    ("XM", "Ô tô", "KAMAZ", "Xe ô tô tải Kamaz 4326", "chiếc", "s", "k", 20, 1_800_000_000, "Nga",
     ["Bánh xe dự phòng", "Kích", "Bộ đồ nghề", "Bình chữa cháy", "Bạt che thùng", "Sổ lý lịch xe"]),
    ("XM", "Ô tô", "CUUTHUONG", "Xe ô tô cứu thương", "chiếc", "s", "k", 15, 1_300_000_000, "Việt Nam",
     ["Cáng", "Bình ô xy", "Bộ đồ nghề", "Sổ lý lịch xe"]),
    ("XM", "Mô tô", "WAVE", "Xe mô tô Honda Wave 110", "chiếc", "s", "k", 10, 18_000_000, "Việt Nam",
     ["Bộ đồ nghề", "Mũ bảo hiểm × 2"]),
    ("XM", "Mô tô", "SIRIUS", "Xe mô tô Yamaha Sirius", "chiếc", "s", "k", 10, 20_000_000, "Việt Nam",
     ["Bộ đồ nghề", "Mũ bảo hiểm × 2"]),
    ("XM", "Mô tô", "XR150", "Xe mô tô địa hình Honda XR150L", "chiếc", "s", "k", 10, 75_000_000, "Thái Lan",
     ["Bộ đồ nghề", "Mũ bảo hiểm × 2"]),
    ("XM", "Máy phát điện", "MPD25", "Máy phát điện Honda 2,5 kVA", "chiếc", "s", "h", 10, 22_000_000, "Việt Nam",
     ["Dây nối", "Bộ đồ nghề"]),
    ("XM", "Máy phát điện", "MPD5", "Máy phát điện 5 kVA", "chiếc", "s", "h", 10, 45_000_000, "",
     ["Tủ điện", "Dây nối", "Bộ đồ nghề"]),
    ("XM", "Máy phát điện", "MPD10", "Máy phát điện diesel 10 kVA", "chiếc", "s", "h", 12, 120_000_000, "",
     ["Tủ điện", "Ắc quy khởi động", "Bộ đồ nghề"]),
    ("TT", "Tàu", "TT400", "Tàu tuần tra TT-400", "chiếc", "s", "h", 25, 45_000_000_000, "Việt Nam",
     ["Phao cứu sinh × 20", "Xuồng cứu sinh", "Bộ đồ nghề máy", "Hải đồ", "Sổ nhật ký tàu"]),
    ("TT", "Tàu", "TT200", "Tàu tuần tra TT-200", "chiếc", "s", "h", 25, 20_000_000_000, "Việt Nam",
     ["Phao cứu sinh × 12", "Bộ đồ nghề máy", "Hải đồ", "Sổ nhật ký tàu"]),
    ("TT", "Xuồng", "XCT", "Xuồng cao tốc composite", "chiếc", "s", "h", 12, 1_500_000_000, "Việt Nam",
     ["Phao cứu sinh × 8", "Neo", "Bộ đồ nghề"]),
    ("TT", "Xuồng", "CANO", "Ca nô tuần tra", "chiếc", "s", "h", 15, 2_500_000_000, "Việt Nam",
     ["Phao cứu sinh × 10", "Neo", "Bộ đồ nghề"]),
    ("TT", "Xuồng", "XCS", "Xuồng cao su", "chiếc", "s", "", 8, 150_000_000, "", ["Bơm hơi", "Mái chèo × 4"]),
    ("TT", "Máy tàu", "CUMMINS", "Máy tàu Cummins KTA19", "chiếc", "s", "h", 15, 2_800_000_000, "Mỹ",
     ["Bộ lọc dự phòng", "Bộ đồ nghề"]),
    ("TT", "Máy tàu", "YANMAR", "Máy tàu Yanmar 6CH", "chiếc", "s", "h", 15, 900_000_000, "Nhật Bản",
     ["Bộ lọc dự phòng", "Bộ đồ nghề"]),
    ("TT", "Máy tàu", "YAM40", "Máy đẩy Yamaha 40 HP", "chiếc", "s", "h", 8, 180_000_000, "Nhật Bản",
     ["Bình xăng rời", "Chân vịt dự phòng"]),
    ("TTLL", "Vô tuyến điện", "VRH811", "Máy VTĐ sóng ngắn VRH-811/S", "bộ", "s", "", 15, 350_000_000, "Việt Nam",
     ["Ăng ten", "Ắc quy × 2", "Bộ nạp", "Tổ hợp nghe nói"]),
    ("TTLL", "Vô tuyến điện", "VRU812", "Máy VTĐ sóng cực ngắn VRU-812", "bộ", "s", "", 15, 250_000_000,
     "Việt Nam", ["Ăng ten", "Ắc quy × 2", "Bộ nạp", "Tổ hợp nghe nói"]),
    ("TTLL", "Vô tuyến điện", "BODAM", "Máy bộ đàm cầm tay", "chiếc", "s", "", 7, 8_000_000, "",
     ["Pin dự phòng", "Bộ sạc", "Ăng ten"]),
    ("TTLL", "Hữu tuyến", "DTDC", "Máy điện thoại dã chiến", "chiếc", "s", "", 15, 3_000_000, "", ["Tổ hợp"]),
    ("TTLL", "Hữu tuyến", "TONGDAI", "Tổng đài điện tử", "bộ", "s", "", 12, 120_000_000, "",
     ["Bộ nguồn", "Máy điện thoại viên"]),
    ("TTLL", "Vệ tinh", "INMARSAT", "Máy thông tin vệ tinh Inmarsat", "bộ", "s", "", 10, 150_000_000, "",
     ["Ăng ten", "Bộ nguồn"]),
    ("TTLL", "Hàng hải", "RADAR", "Radar hàng hải", "bộ", "s", "h", 12, 600_000_000, "Nhật Bản",
     ["Ăng ten", "Màn hình", "Cáp nối"]),
    ("NV", "Quan sát", "ONDANHIET", "Ống nhòm ảnh nhiệt", "chiếc", "s", "", 8, 250_000_000, "",
     ["Pin dự phòng", "Bao đựng"]),
    ("NV", "Quan sát", "KNDEM", "Kính nhìn đêm", "chiếc", "s", "", 8, 120_000_000, "", ["Pin dự phòng", "Bao đựng"]),
    ("NV", "Quan sát", "ONQS", "Ống nhòm quân sự 8×30", "chiếc", "s", "", 15, 6_000_000, "", ["Bao đựng"]),
    ("NV", "Giám sát", "CAMERA", "Camera giám sát biên giới", "bộ", "s", "", 8, 300_000_000, "",
     ["Cột gá", "Bộ nguồn năng lượng mặt trời", "Đầu ghi"]),
    ("NV", "Giám sát", "FLYCAM", "Thiết bị bay không người lái trinh sát", "bộ", "s", "h", 5, 200_000_000, "",
     ["Bộ điều khiển", "Pin × 4", "Bộ sạc", "Vali đựng"]),
    ("NV", "Định vị", "GPS", "Máy định vị GPS cầm tay", "chiếc", "s", "", 7, 12_000_000, "", ["Pin", "Bao đựng"]),
    ("NV", "Kiểm soát", "XQUANG", "Máy soi hành lý X-quang", "bộ", "s", "h", 10, 1_800_000_000, "",
     ["Bộ lưu điện", "Màn hình"]),
    ("NV", "Kiểm soát", "MATUY", "Thiết bị phát hiện ma túy cầm tay", "chiếc", "s", "", 7, 400_000_000, "",
     ["Bộ thuốc thử", "Vali đựng"]),
    ("CB", "Rà phá", "DOMIN", "Máy dò mìn", "bộ", "s", "", 10, 90_000_000, "", ["Tai nghe", "Pin", "Vali đựng"]),
    ("CB", "Dụng cụ", "DCCB", "Bộ dụng cụ công binh", "bộ", "s", "", 10, 15_000_000, "", []),
    ("CB", "Dụng cụ", "CUAXICH", "Máy cưa xích", "chiếc", "s", "h", 8, 12_000_000, "", ["Lưỡi xích dự phòng"]),
    ("HH", "Phòng hóa", "MATNA", "Mặt nạ phòng độc", "chiếc", "q", "", 10, 1_500_000, "", []),
    ("HH", "Phòng hóa", "QAPH", "Bộ quần áo phòng hóa L1", "bộ", "q", "", 10, 3_000_000, "", []),
    ("HH", "Đo lường", "DP5V", "Máy đo phóng xạ DP-5V", "chiếc", "s", "", 15, 40_000_000, "", ["Pin", "Hộp đựng"]),
    ("CNTT", "Máy tính", "PC", "Máy tính để bàn", "bộ", "s", "", 5, 18_000_000, "",
     ["Màn hình", "Bàn phím", "Chuột", "Bộ lưu điện"]),
    ("CNTT", "Máy tính", "LAPTOP", "Máy tính xách tay", "chiếc", "s", "", 5, 22_000_000, "", ["Bộ sạc", "Túi đựng"]),
    ("CNTT", "Thiết bị văn phòng", "MAYIN", "Máy in laser", "chiếc", "s", "", 5, 6_000_000, "", []),
    ("CNTT", "Mạng", "SWITCH", "Bộ chuyển mạch mạng", "chiếc", "s", "", 7, 15_000_000, "", []),
    ("CNTT", "Mạng", "SERVER", "Máy chủ", "bộ", "s", "", 7, 150_000_000, "", ["Tủ rack", "Bộ lưu điện"]),
]


def load(apps, schema_editor):
    Branch = apps.get_model("equipment", "Branch")
    GradeDefinition = apps.get_model("equipment", "GradeDefinition")
    EquipmentType = apps.get_model("equipment", "EquipmentType")
    KitComponent = apps.get_model("equipment", "KitComponent")
    branches = {}
    for order, (code, name) in enumerate(BRANCHES, start=1):
        branches[code] = Branch.objects.create(code=code, name=name, sort_order=order,
                                               search_text=fold(f"{code} {name}"))
    for grade, name, description, action in GRADES:
        GradeDefinition.objects.create(grade=grade, name=name, description=description, typical_action=action,
                                       search_text=fold(f"{name} {description}"))
    for branch, group, code, name, uom, tracked, meters, life, price, country, kit in TYPES:
        kind = EquipmentType.objects.create(
            branch=branches[branch], group=group, code=code, name=name, unit_of_measure=uom,
            tracked_by="serial" if tracked == "s" else "quantity", has_km="k" in meters,
            has_engine_hours="h" in meters, has_rounds="r" in meters, service_life_years=life,
            original_price=price, country=country, search_text=fold(f"{code} {name} {group}"))
        for order, line in enumerate(kit, start=1):
            part, _, count = line.partition(" × ")
            KitComponent.objects.create(type=kind, name=part, quantity=int(count or 1), sort_order=order)


def unload(apps, schema_editor):
    apps.get_model("equipment", "EquipmentType").objects.all().delete()
    apps.get_model("equipment", "GradeDefinition").objects.all().delete()
    apps.get_model("equipment", "Branch").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("equipment", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
