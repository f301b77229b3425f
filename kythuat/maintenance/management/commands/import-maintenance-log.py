from kythuat.core.management.base import ImportCommand
from kythuat.maintenance.importers import WorkLogImporter


class Command(ImportCommand):
    help = (
        "Nhập sổ theo dõi bảo quản, bảo dưỡng, sửa chữa đã làm từ tệp Excel (.xlsx, .xls, .ods), mỗi dòng một "
        "VKTBKT trong một lần làm; các dòng cùng đơn vị và số phiếu là một phiếu công việc (đã hoàn thành). Không "
        "đổi cấp chất lượng, đơn vị hay trạng thái của VKTBKT; lịch bảo quản chỉ tiến lên khi công việc nhập vào "
        "mới hơn lần làm gần nhất. Kiểm tra mọi dòng, ghi tất cả hoặc không ghi gì; --dry-run chỉ kiểm tra. Mã "
        "thoát khác 0 khi có dòng lỗi. / Import past preservation, maintenance and repair from an Excel file, one "
        "row an item in one piece of work; rows with the same unit and order number are one work order (done). "
        "Items keep their grade, unit and usage state; schedules move on only when the imported work is newer "
        "than their last. Every row is checked, then all are written or none; --dry-run only checks. Exit code "
        "non-zero on bad rows."
    )
    importer = WorkLogImporter
