"""The generic importer (core.importer): header matching, cell parsers, file errors, constraints checked
in memory, the dry run and the all-or-nothing write. The register's own rules are tested in
equipment/tests/test_import.py."""

import datetime
import decimal
import io

import pytest
from django.utils import translation

from kythuat.core.context import acting
from kythuat.core.importer import (
    CellError,
    Choice,
    Column,
    Date,
    Importer,
    ImportFileError,
    Integer,
    Number,
    Text,
    Year,
    constraint_errors,
    header_key,
)
from kythuat.core.models import AuditEntry
from kythuat.core.testing.sheets import ods, xlsx
from kythuat.org.models import Person, PersonCategory, Unit

pytestmark = pytest.mark.django_db


class PersonImporter(Importer):
    """A small importer over a core-adjacent model, to test the machinery on its own."""

    key = "test.person"
    model = Person
    columns = (
        Column.of(Person, "unit", "Mã đơn vị", parse=Text(32), required=True),
        Column.of(Person, "full_name", "Họ và tên", required=True, aliases=("Họ tên",)),
        Column.of(Person, "category", "Đối tượng", spellings={PersonCategory.ENLISTED: ("HSQ-CS",)}),
        Column.of(Person, "rank", "Cấp bậc"),
        Column.of(Person, "birth_date", "Ngày sinh"),
    )

    def prepare(self):
        self.units = {unit.code: unit for unit in Unit.objects.all()}

    def check(self, row):
        unit = self.units.get(row.values.get("unit"))
        if unit is None:
            row.error("unit", "Không có đơn vị này.")
            return
        values = {"category": PersonCategory.OFFICER, **row.values, "unit": unit}
        person = self.new(**values)
        for name, message in constraint_errors(person).items():
            row.error(name, message)
        row.add(person)


def source(content: bytes):
    return io.BytesIO(content)


HEADER = ["Mã đơn vị", "Họ và tên", "Đối tượng", "Cấp bậc", "Ngày sinh"]


def test_header_matching_ignores_case_diacritics_punctuation_and_spacing():
    assert header_key("Số hiệu / số lô") == header_key("SO HIEU-SO LO") == header_key(" số  hiệu, số lô ")
    assert header_key("Đơn vị") == "donvi"
    column = PersonImporter.columns[1]
    assert {header_key("ho va ten"), header_key("Họ tên"), header_key("Full name")} <= column.header_keys()


def test_parsers_read_vietnamese_numbers_dates_and_labels():
    number = Number(places=1)
    assert number("1.234,5") == decimal.Decimal("1234.5")
    assert number("12,5") == number(12.5) == decimal.Decimal("12.5")
    assert number("1,234.5") == decimal.Decimal("1234.5") and number(7) == decimal.Decimal(7)
    with translation.override("en"), pytest.raises(CellError, match="“abc” is not a number"):
        number("abc")
    assert Integer()("1.234") == Integer()(1234.0) == 1234
    with pytest.raises(CellError):
        Integer()("1,5")
    with pytest.raises(CellError):
        Integer(min_value=1, max_value=5)(7)
    day = datetime.date(2015, 3, 15)
    assert Date()("15/03/2015") == Date()("2015-03-15") == Date()(datetime.datetime(2015, 3, 15, 8, 0)) == day
    with translation.override("en"), pytest.raises(CellError, match="dd/mm/yyyy"):
        Date()("tháng 3")
    assert Year()(2015) == Year()("2015") == Year()(day) == Year()("15/03/2015") == 2015
    assert Text()(12345.0) == "12345"
    rank = Choice([("dai_uy", "Đại úy"), ("thieu_ta", "Thiếu tá")], spellings={"dai_uy": ("Đ/U",)})
    assert rank("dai uy") == rank("ĐẠI ÚY") == rank("Đ/U") == rank("dai_uy") == "dai_uy"
    with translation.override("vi"), pytest.raises(CellError, match="Đại úy, Thiếu tá"):
        rank("Trung tướng")


def test_model_rules_come_from_the_field():
    column = Column.of(Person, "full_name", "Họ và tên")
    with pytest.raises(CellError):
        column.parse("x" * 151)  # max_length of the field
    category = Column.of(Person, "category", "Đối tượng")
    assert category.parse("Sĩ quan") == category.parse("officer") == PersonCategory.OFFICER


def test_check_constraints_are_evaluated_in_memory(org):
    worker = Person(full_name="A", unit=org.team1, category=PersonCategory.DEFENCE_WORKER, rank="dai_uy")
    assert list(constraint_errors(worker)) == ["category"]
    assert constraint_errors(Person(full_name="B", unit=org.team1, category=PersonCategory.OFFICER, rank="dai_uy")) \
        == {}
    ended = Unit(code="X", name="X", valid_from=datetime.date(2025, 1, 1), valid_to=datetime.date(2024, 1, 1))
    assert "valid_to" in constraint_errors(ended)


def test_bad_files_are_refused_with_a_reason(org):
    importer = PersonImporter(user=org.admin)
    cases = [
        (b"plain text, not a spreadsheet", "not an Excel"),
        (xlsx([]), "empty"),
        (xlsx([["Danh sách cán bộ"], ["abc", "def"]]), "No header row"),
        (xlsx([["Họ và tên", "Ngày sinh"], ["Nguyễn Văn A", "01/01/1990"]]), "lacks these columns: Mã đơn vị"),
        (xlsx([["Mã đơn vị", "Họ và tên", "Họ tên"], ["DBP1", "A", "A"]]), "Two columns mean the same thing"),
        (xlsx([HEADER]), "no rows under the header"),
    ]
    with translation.override("en"):
        for content, reason in cases:
            with pytest.raises(ImportFileError, match=reason):
                importer.run(source(content))
        with pytest.raises(ImportFileError, match="at most 1"):
            from kythuat.core.importer import Sheet
            Sheet(source(xlsx([HEADER, ["DBP1", "A"], ["DBP1", "B"]])), PersonImporter.columns, max_rows=1)


def test_dry_run_reports_rows_and_errors_with_sheet_row_numbers(org):
    content = xlsx([
        ["ma don vi", "HỌ TÊN", "Đối tượng", "Cấp bậc", "Ngày sinh", "Cột khác"],
        ["DBP1-VT", "Nguyễn Văn An", "Sĩ quan", "Đại úy", datetime.date(1990, 5, 2), "x"],
        [],
        ["KHONGCO", "Trần Văn Bình", "HSQ-CS", "", "31/02/1990", ""],
        ["DBP1-VT", "Lê Thị Cúc", "defence_worker", "Đại úy", "", ""],
    ], before=[["DANH SÁCH CÁN BỘ"], []])
    with translation.override("en"):
        summary = PersonImporter(user=org.admin).run(source(content))
    assert (summary.total, summary.added, summary.bad, summary.applied) == (3, 1, 2, False)
    assert summary.ignored == ["Cột khác"] and ["HỌ TÊN", "Họ và tên"] in summary.columns
    assert [(e["row"], e["column"]) for e in summary.errors] == [(6, "ma don vi"), (6, "Ngày sinh"), (7, "Đối tượng")]
    assert summary.samples["add"][0]["row"] == 4
    assert not Person.objects.filter(full_name="Nguyễn Văn An").exists()


def test_apply_is_all_or_nothing_and_audited(org):
    good = [HEADER, ["DBP1-VT", "Nguyễn Văn An", "Sĩ quan", "Đại úy", "02/05/1990"],
            ["DBP2-VT", "Trần Văn Bình", "HSQ-CS", "", ""]]
    importer = PersonImporter(user=org.admin)
    importer.batch_size = 1  # several batches: the first is written before the bad row is seen
    with acting(user=org.admin, source="import"):
        bad = ["DBP1-VT", "Lê Thị Cúc", "defence_worker", "Đại úy", ""]
        summary = importer.run(source(xlsx([*good, bad])), apply=True)
        assert summary.bad == 1 and not summary.applied
        assert not Person.objects.filter(full_name__in=["Nguyễn Văn An", "Trần Văn Bình"]).exists()
        assert not AuditEntry.objects.filter(source="import").exists()
        summary = PersonImporter(user=org.admin).run(source(xlsx(good)), apply=True)
    assert summary.applied and summary.added == 2
    an = Person.objects.get(full_name="Nguyễn Văn An")
    assert an.birth_date == datetime.date(1990, 5, 2) and an.rank == "dai_uy" and an.unit == org.team1
    entry = AuditEntry.objects.get(object_id=str(an.pk), content_type__model="person")
    assert entry.username == "admin" and entry.source == "import" and entry.action == "create"


def test_row_numbers_are_the_sheets_own_even_below_empty_rows_and_columns(org):
    content = xlsx([[None, None, *HEADER], [], [None, None, "KHONGCO", "Nguyễn Văn An"]], before=[[], [], []])
    seen = []
    summary = PersonImporter(user=org.admin).run(source(content), progress=lambda done, total: seen.append(total))
    assert summary.errors[0]["row"] == 6 and seen == [2]


def test_opendocument_files_are_read(org):
    summary = PersonImporter(user=org.admin).run(source(ods([HEADER, ["DBP1-VT", "Nguyễn Văn An", "Sĩ quan", "", ""]])))
    assert (summary.total, summary.added, summary.bad) == (1, 1, 0)


def test_progress_is_reported_per_batch(org):
    rows = [HEADER] + [["DBP1-VT", f"Người {n}", "", "", ""] for n in range(5)]
    importer = PersonImporter(user=org.admin)
    importer.batch_size = 2
    seen = []
    importer.run(source(xlsx(rows)), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 5), (4, 5), (5, 5)]
