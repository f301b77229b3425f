from kythuat.core.management.base import ImportCommand
from kythuat.maintenance.importers import MaintenanceRuleImporter


class Command(ImportCommand):
    help = (
        "Nhập chế độ bảo quản, bảo dưỡng từ tệp Excel (.xlsx, .xls, .ods), mỗi dòng một chế độ, cùng quy tắc với "
        "trang “Nhập từ Excel”: dòng trùng chủng loại và cấp (hoặc ngành, nhóm và cấp) với chế độ đã có thì sửa "
        "chế độ đó, dòng khác thì thêm mới; kiểm tra mọi dòng, ghi tất cả hoặc không ghi gì; --dry-run chỉ kiểm "
        "tra. Mã thoát khác 0 khi có dòng lỗi. / Import maintenance rules from an Excel file, one row a rule, with "
        "the same rules as the “Import from Excel” page: a row with the type and level (or branch, group and "
        "level) of an existing rule changes it, any other adds one; every row is checked, then all are written or "
        "none; --dry-run only checks. Exit code non-zero on bad rows."
    )
    importer = MaintenanceRuleImporter
