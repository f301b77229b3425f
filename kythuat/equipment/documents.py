"""Official records of the register as .docx. Official documents are Vietnamese only, so their text is
written here in Vietnamese, not through the translation catalogue."""

from django.utils import timezone, translation

from kythuat.core.documents import BLANK, Column, OfficialDocument, Signature, Text, vietnamese_date

from .choices import Completeness, DocumentStatus, TransferStatus
from .models import GradeChangeLine, Transfer

HANDOVER_STATES = (TransferStatus.APPROVED, TransferStatus.COMPLETED)
COPIES = "03 bản có giá trị như nhau: bên giao giữ 01 bản, bên nhận giữ 01 bản, 01 bản gửi cơ quan kỹ thuật"


def _number(value: int) -> str:
    """1.234 as Vietnamese write it."""
    return f"{value:,}".replace(",", ".")


def issuing_bodies(unit) -> list[str]:
    """The header's issuing body: the top of the unit tree, the unit's direct superior, the unit
    itself (fewer when the unit is higher up) — NĐ 30/2020 puts the superior over the issuer."""
    chain = unit.ancestors() + [unit]
    return [u.name for u in (chain if len(chain) <= 3 else [chain[0], chain[-2], chain[-1]])]


def signatory(user) -> str:
    """Rank and name of the person linked to ``user`` ("Thượng tá Nguyễn Văn Hùng"), else the user's name."""
    person = getattr(user, "person", None)
    if person is not None:
        return f"{person.get_rank_display()} {person.full_name}".strip()
    return f"{user.last_name} {user.first_name}".strip() or user.username


def _grades_at_handover(transfer, items) -> dict[int, int]:
    """Grades the items had when handed over, for those regraded since (history is never rewritten):
    the grade before the first grade change approved after the handover."""
    earlier: dict[int, int] = {}
    later = (GradeChangeLine.objects.filter(item__in=items, grade_change__status=DocumentStatus.APPROVED,
                                            grade_change__approved_at__gt=transfer.completed_at)
             .order_by("grade_change__approved_at", "id").values_list("item_id", "grade_before"))
    for item_id, grade in later:
        earlier.setdefault(item_id, grade)
    return earlier


def handover_rows(transfer) -> tuple[list[list[str]], int]:
    """One row a line, and the total quantity: as handed over for a completed order (the line that
    arrived), as planned for an approved one. Columns: STT, type, number, unit of measure, quantity,
    grade, condition and kit, notes."""
    lines = list(transfer.lines.select_related("item__type", "moved_item__type").order_by("id"))
    completed = transfer.status == TransferStatus.COMPLETED
    items = [line.moved_item if completed and line.moved_item else line.item for line in lines]
    grades = _grades_at_handover(transfer, items) if completed else {}
    rows = []
    with translation.override("vi"):
        for index, (line, item) in enumerate(zip(lines, items, strict=True), start=1):
            kit = "đồng bộ" if item.completeness == Completeness.COMPLETE else f"thiếu: {item.missing_parts}"
            note = ""
            if item.pk != line.item_id:
                note = f"Tách từ lô {line.item.serial}".strip()
            elif line.quantity < item.quantity:
                note = f"Một phần của lô ({_number(item.quantity)} {item.type.unit_of_measure})"
            rows.append([str(index), item.type.name, item.serial or "—", item.type.unit_of_measure,
                         _number(line.quantity), str(grades.get(item.pk, item.grade)),
                         f"{item.get_condition_display()}, {kit}", note])
    return rows, sum(line.quantity for line in lines)


def transfer_handover_docx(transfer: Transfer) -> bytes:
    """Biên bản giao nhận vũ khí trang bị kỹ thuật of an approved or handed-over transfer order."""
    completed = transfer.status == TransferStatus.COMPLETED
    handed = timezone.localtime(transfer.completed_at) if completed else None
    doc = OfficialDocument(title=f"Biên bản giao nhận VKTBKT theo lệnh {transfer.number}")
    doc.header(bodies=issuing_bodies(transfer.from_unit), number=f"Số: {BLANK}/BB",
               day=handed.date() if handed else None)
    doc.title("Biên bản giao nhận vũ khí trang bị kỹ thuật")

    doc.paragraph(f"Căn cứ Lệnh điều chuyển vũ khí trang bị kỹ thuật số {transfer.number} "
                  f"{vietnamese_date(transfer.date)} từ {transfer.from_unit} đến {transfer.to_unit}"
                  + (f"; lý do: {transfer.reason.strip().rstrip('.')}." if transfer.reason.strip() else "."))
    when = (f"{handed.hour:02d} giờ {handed.minute:02d} phút, {vietnamese_date(handed.date())}" if handed
            else f"{BLANK} giờ {BLANK} phút, {vietnamese_date(None)}")
    doc.paragraph(f"Vào hồi {when}, tại {BLANK * 4}, chúng tôi gồm:")
    for number, label, unit in ((1, "Bên giao", transfer.from_unit), (2, "Bên nhận", transfer.to_unit)):
        doc.paragraph(Text(f"{number}. {label}: {unit}", bold=True), keep_with_next=True)
        for _ in range(2):
            doc.blanks("- Ông (bà):", "Cấp bậc:", "Chức vụ:", shares=(0.46, 0.22, 0.32))
    doc.paragraph(Text("3. Đại diện chỉ huy (người phê duyệt lệnh): ", bold=True),
                  f"{signatory(transfer.approved_by)}." if transfer.approved_by else "")
    doc.paragraph("Hai bên đã cùng kiểm tra và giao nhận vũ khí trang bị kỹ thuật như sau:", keep_with_next=True)

    rows, total = handover_rows(transfer)
    doc.table([Column("STT", 11, "center"), Column("Tên vũ khí trang bị kỹ thuật", 32),
               Column("Số hiệu", 30, "center"), Column("Đơn vị tính", 13, "center"),
               Column("Số lượng", 15, "right"), Column("Cấp chất lượng", 14, "center"),
               Column("Tình trạng kỹ thuật, đồng bộ", 28), Column("Ghi chú", 22)],
              rows, total=["Cộng", None, None, None, _number(total), "", "", ""])

    doc.paragraph("Hai bên đã kiểm tra, giao nhận đủ số lượng, đúng chủng loại, số hiệu, cấp chất lượng và tình "
                  "trạng đồng bộ như bảng trên. Kể từ khi ký biên bản, bên nhận chịu trách nhiệm quản lý, bảo quản "
                  "và khai thác số vũ khí trang bị kỹ thuật đã nhận.")
    doc.paragraph(f"Biên bản kết thúc hồi {BLANK} giờ {BLANK} phút cùng ngày, được lập thành {COPIES}./.")
    doc.signatures([
        Signature("Đại diện bên giao"),
        Signature("Đại diện bên nhận"),
        Signature("Đại diện chỉ huy", name=signatory(transfer.approved_by) if transfer.approved_by else ""),
    ])
    return doc.to_bytes()
