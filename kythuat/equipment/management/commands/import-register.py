from kythuat.core.management.base import ImportCommand
from kythuat.equipment.importers import ItemImporter


class Command(ImportCommand):
    help = (
        "Nhập sổ đăng ký VKTBKT từ tệp Excel (.xlsx, .xls, .ods), cùng quy tắc với trang “Nhập từ Excel”: kiểm tra "
        "mọi dòng, ghi tất cả hoặc không ghi gì; --dry-run chỉ kiểm tra. Mã thoát khác 0 khi có dòng lỗi. / Import "
        "the equipment register from an Excel file with the same rules as the “Import from Excel” page: every "
        "row is checked, then all are written or none; --dry-run only checks. Exit code non-zero on bad rows."
    )
    importer = ItemImporter
