"""The unit tree: two and three levels, the package import, the CSV import, the admin pages."""
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.units import services
from portal.units.models import Unit, UnitKind


def _count(kind=None):
    stmt = select(func.count(Unit.id))
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    return db.session.scalar(stmt)


def test_package_import_builds_two_level_hanoi(empty_app):
    report = services.import_from_package("01")
    db.session.commit()
    assert report.created == 127 and report.errors == []
    root = services.by_code("01")
    assert root.name == "Thành phố Hà Nội" and root.kind == UnitKind.PROVINCE
    communes = services.communes_under(root)
    assert len(communes) == 126 and all(c.parent_id == root.id for c in communes)
    # Idempotent: a second run updates, creates nothing.
    again = services.import_from_package("01")
    assert again.created == 0 and again.updated == 127


def test_package_import_refuses_an_unknown_province(empty_app):
    with pytest.raises(services.UnitError):
        services.import_from_package("99")


def test_cli_imports_from_package(empty_app):
    result = empty_app.test_cli_runner().invoke(args=["units", "import", "--province", "79"])
    assert result.exit_code == 0, result.output
    assert services.by_code("79").name == "Thành phố Hồ Chí Minh"
    assert _count(UnitKind.COMMUNE) > 100


def test_csv_import_three_levels(empty_app, tmp_path):
    csv = tmp_path / "tree.csv"
    csv.write_text(
        "\ufeffcode,name,kind,parent_code\n01,Thành phố Hà Nội,province,\n001,Quận Ba Đình,district,01\n"
        "00001,Phường Phúc Xá,commune,001\nSYT,Sở Y tế,department,01\nBV1,Bệnh viện Bạch Mai,health_facility,SYT\n",
        encoding="utf-8",
    )
    result = empty_app.test_cli_runner().invoke(args=["units", "import-csv", str(csv)])
    assert result.exit_code == 0, result.output
    assert "created=5" in result.output
    phuc_xa = services.by_code("00001")
    assert [a.code for a in phuc_xa.ancestors()] == ["01", "001"]
    assert phuc_xa.is_within(services.by_code("01")) and not phuc_xa.is_within(services.by_code("SYT"))


def test_csv_import_is_all_or_nothing(empty_app, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("code,name,kind,parent_code\n01,Hà Nội,province,\n00001,Phúc Xá,commune,XXX\n002,Hoàn Kiếm,galaxy,01\n")
    result = empty_app.test_cli_runner().invoke(args=["units", "import-csv", str(csv)])
    assert result.exit_code == 1
    assert "Dòng 3: không tìm thấy đơn vị cha 'XXX'." in result.output
    assert "Dòng 4: loại đơn vị không hợp lệ 'galaxy'." in result.output
    db.session.rollback()
    assert _count() == 0


def test_csv_import_refuses_missing_columns_and_bad_nesting(empty_app, tmp_path):
    with pytest.raises(services.UnitError):
        services.import_csv("ma,ten\n01,Hà Nội\n")
    report = services.import_csv("code,name,kind,parent_code\n00001,Phúc Xá,commune,\n")
    assert "không thể trực thuộc" in report.errors[0]


def test_moving_a_unit_moves_its_subtree(app):
    district = services.by_code("001")
    hoan_kiem = services.by_code("002")
    services.upsert_unit("001", district.name, UnitKind.DISTRICT, services.by_code("01"))
    commune = services.by_code("00001")
    services.upsert_unit("00001", commune.name, UnitKind.COMMUNE, hoan_kiem)
    assert services.by_code("00001").path.startswith(hoan_kiem.path)


def test_admin_tree_and_search(client, login_as):
    login_as("admin")
    page = client.get("/admin/units").get_data(as_text=True)
    assert "Thành phố Hà Nội" in page
    results = client.get("/admin/units?q=truc bach").get_data(as_text=True)
    assert "Phường Trúc Bạch" in results and "Phường Phúc Xá" not in results
    unit = services.by_code("001")
    fragment = client.get(f"/admin/units/{unit.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Phường Phúc Xá" in fragment and "</html>" not in fragment
    full = client.get(f"/admin/units/{unit.id}").get_data(as_text=True)
    assert "</html>" in full and "quan" in full  # the district officer holds a grant here


def test_demo_refuses_production(empty_app):
    empty_app.config["PORTAL_ENV"] = "production"
    result = empty_app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "PORTAL_ENV=production" in result.output
    assert _count() == 0


def test_demo_load_twice_keeps_data(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and "xa1" in first.output
    units = _count()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "giữ nguyên" in second.output and _count() == units


def test_admin_creates_and_edits_a_unit(client, login_as):
    from portal.audit import AuditEvent

    login_as("admin")
    response = client.post("/admin/units/new", data={
        "code": "00008", "name": "Phường Liễu Giai", "kind": "commune", "parent_code": "001"})
    assert response.status_code == 302
    unit = services.by_code("00008")
    assert unit.is_within(services.by_code("001"))
    response = client.post(f"/admin/units/{unit.id}/edit", data={
        "code": "IGNORED", "name": "Phường  Liễu Giai ", "kind": "commune", "parent_code": "002"})
    assert response.status_code == 302
    db.session.expire_all()
    unit = services.by_code("00008")
    assert unit.name == "Phường Liễu Giai" and unit.parent.code == "002"
    actions = [e.action for e in db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "unit"))]
    assert actions == ["create_unit", "update_unit"]


@pytest.mark.parametrize("data,message", [
    ({"code": "00001"}, "đã được dùng"),
    ({"parent_code": "XYZ"}, "Không tìm thấy đơn vị cha"),
    ({"kind": "province"}, "không thể trực thuộc"),
    ({"code": "có dấu"}, "Mã chỉ gồm"),
    ({"name": ""}, "Vui lòng nhập tên đơn vị."),
])
def test_bad_unit_input_changes_nothing(client, login_as, data, message):
    login_as("admin")
    before = _count()
    form = {"code": "00009", "name": "Phường Mới", "kind": "commune", "parent_code": "001", **data}
    response = client.post("/admin/units/new", data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _count() == before


def test_unit_cannot_be_moved_under_itself(client, login_as):
    login_as("admin")
    district = services.by_code("001")
    response = client.post(f"/admin/units/{district.id}/edit", data={
        "name": district.name, "kind": "district", "parent_code": "00001"})
    assert response.status_code == 400
