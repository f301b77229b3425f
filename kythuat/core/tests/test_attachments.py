"""Photos and documents attached to records: who may attach, what is accepted, how they are served."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kythuat.core.models import Attachment, AuditEntry
from kythuat.core.testing.factories import PNG_1PX, WorkOrderFactory

pytestmark = pytest.mark.django_db


def _client(user, language=None):
    client = Client()
    client.force_login(user)
    if language:  # the user's choice of language, as the language switch stores it
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _png(name="anh.png"):
    return SimpleUploadedFile(name, PNG_1PX, content_type="image/png")


def _add_url(order):
    return f"/attachments/maintenance.workorder/{order.pk}/add/"


def test_technician_attaches_photos_to_a_work_order_of_his_post(org):
    order = WorkOrderFactory(unit=org.team1)
    client = _client(org.users["technician1"])
    response = client.post(_add_url(order), {"file": [_png("truoc.png"), _png("sau.png")], "note": "Trước và sau"})
    assert response.status_code == 302 and response.url.endswith("#attachments")
    files = list(Attachment.objects.order_by("id"))
    assert [f.name for f in files] == ["truoc.png", "sau.png"]
    assert all(f.scope_unit_id == org.team1.pk and f.note == "Trước và sau" for f in files)
    assert AuditEntry.objects.filter(content_type__model="attachment", action="create").count() == 2
    page = client.get(order.get_absolute_url())
    assert b"truoc.png" in page.content and b"sau.png" in page.content
    image = client.get(f"/attachments/{files[0].pk}/")
    assert image.status_code == 200 and b"".join(image.streaming_content) == PNG_1PX
    assert "inline" in image["Content-Disposition"] and "sandbox" in image["Content-Security-Policy"]


def test_attachments_of_another_post_do_not_exist_for_its_officer(org):
    order = WorkOrderFactory(unit=org.team1)
    client = _client(org.users["officer2"])
    assert client.post(_add_url(order), {"file": _png()}).status_code == 404
    assert not Attachment.objects.exists()
    _client(org.users["technician1"]).post(_add_url(order), {"file": _png()})
    attachment = Attachment.objects.get()
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    assert client.post(f"/attachments/{attachment.pk}/delete/").status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_viewer_cannot_attach(org):
    order = WorkOrderFactory(unit=org.team1)
    response = _client(org.users["viewer"]).post(_add_url(order), {"file": _png()})
    assert response.status_code == 403
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("script.html", b"<script>alert(1)</script>", "is none of these"),
    ("anh.png", b"<svg onload=alert(1)>", "is not a real PNG file"),
    ("rong.pdf", b"", "empty"),
])
def test_bad_files_are_refused_with_a_reason_and_nothing_is_kept(org, name, data, message):
    order = WorkOrderFactory(unit=org.team1)
    client = _client(org.users["technician1"], language="en")
    good = _png("tot.png")
    response = client.post(_add_url(order), {"file": [good, SimpleUploadedFile(name, data)]}, follow=True)
    assert message in response.content.decode()
    assert not Attachment.objects.exists()  # the good file of the same upload is not kept either


def test_file_over_the_limit_is_refused(org, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    order = WorkOrderFactory(unit=org.team1)
    big = SimpleUploadedFile("bao-cao.pdf", b"%PDF" + b"0" * (1024 * 1024))
    response = _client(org.users["technician1"], language="en").post(_add_url(order), {"file": big}, follow=True)
    assert "larger than 1 MB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_documents_download_and_verified_work_keeps_its_files(org):
    order = WorkOrderFactory(unit=org.team1)
    technician = _client(org.users["technician1"])
    technician.post(_add_url(order), {"file": SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 test")})
    attachment = Attachment.objects.get()
    download = technician.get(f"/attachments/{attachment.pk}/")
    assert download["Content-Disposition"].startswith("attachment;")
    officer = _client(org.users["officer1"])
    assert officer.get(f"/attachments/{attachment.pk}/delete/").status_code == 200
    order.status, order.finished_on = "verified", order.planned_start
    order.save()
    assert technician.post(_add_url(order), {"file": _png()}).status_code == 403
    response = officer.post(f"/attachments/{attachment.pk}/delete/", {"version": attachment.version})
    assert response.status_code in (403, 409) and Attachment.objects.filter(pk=attachment.pk).exists()


def test_officer_removes_a_file_and_it_leaves_the_storage(org):
    order = WorkOrderFactory(unit=org.team1)
    _client(org.users["technician1"]).post(_add_url(order), {"file": _png()})
    attachment = Attachment.objects.get()
    storage, stored = attachment.file.storage, attachment.file.name
    assert storage.exists(stored)
    officer = _client(org.users["officer1"])
    response = officer.post(f"/attachments/{attachment.pk}/delete/", {"version": attachment.version})
    assert response.status_code == 302 and response.url.endswith(f"{order.get_absolute_url()}#attachments")
    assert not Attachment.objects.exists()
    assert AuditEntry.objects.filter(content_type__model="attachment", action="delete").exists()


def test_api_attaches_lists_and_removes_files_within_scope(org):
    from rest_framework.test import APIClient

    order = WorkOrderFactory(unit=org.team1)
    api = APIClient()
    api.force_authenticate(org.users["technician1"])
    response = api.post("/api/core/attachments/", {"record": "maintenance.workorder", "object_id": order.pk,
                                                   "file": _png("may.png"), "note": "Ảnh máy"}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "may.png" and response.json()["download"].endswith(
        f"/attachments/{response.json()['id']}/")
    bad = api.post("/api/core/attachments/", {"record": "maintenance.workorder", "object_id": order.pk,
                                              "file": SimpleUploadedFile("x.exe", b"MZ")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    listed = api.get("/api/core/attachments/", {"record": "maintenance.workorder", "object_id": order.pk}).json()
    assert [row["name"] for row in listed["results"]] == ["may.png"]
    other = APIClient()
    other.force_authenticate(org.users["officer2"])
    assert other.get("/api/core/attachments/").json()["results"] == []
    outside = other.post("/api/core/attachments/", {"record": "maintenance.workorder", "object_id": order.pk,
                                                    "file": _png()}, format="multipart")
    assert outside.status_code == 400 and "object_id" in outside.json()
    pk = listed["results"][0]["id"]
    assert api.delete(f"/api/core/attachments/{pk}/").status_code == 403  # technicians do not remove
    officer = APIClient()
    officer.force_authenticate(org.users["officer1"])
    assert officer.delete(f"/api/core/attachments/{pk}/").status_code == 204
    assert not Attachment.objects.exists()
