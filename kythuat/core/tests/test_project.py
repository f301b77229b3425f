"""The project's promises outside the code: settings for production, docs that match the code, CI
that runs the README's command."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from kythuat.core.roles import ROLE_PERMISSIONS, Perm, Role

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    full_env.update(env)
    return subprocess.run([sys.executable, "-m", "kythuat.manage", *args], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(64),
                     HTTPS="true", ALLOWED_HOSTS="kythuat.bdbp.local", KYTHUAT_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_and_secret_key_is_made_per_data_dir(tmp_path):
    code = "from django.conf import settings as s; print(s.DEBUG, len(s.SECRET_KEY))"
    result = _manage("shell", "-v", "0", "-c", code, KYTHUAT_DATA_DIR=str(tmp_path))
    assert result.stdout.split() == ["False", str(len((tmp_path / "secret_key").read_text().strip()))]
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_roles_doc_matches_the_code():
    text = (ROOT / "docs" / "roles.md").read_text()
    table = text.split("<!-- roles-table -->")[1].split("<!-- /roles-table -->")[0].strip().splitlines()
    header = [cell.strip().strip("`") for cell in table[0].strip("|").split("|")][1:]
    assert header == [p.value for p in Perm]
    documented = {}
    for line in table[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        role = re.search(r"\(`(\w+)`\)", cells[0]).group(1)
        documented[role] = {perm for perm, mark in zip(header, cells[1:], strict=True) if mark == "✔"}
    assert documented == {role.value: set(ROLE_PERMISSIONS[role]) for role in Role}


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- test-command -->")[1].split("<!-- /test-command -->")[0]
    command = [line for line in block.splitlines() if line and not line.startswith("```")]
    assert len(command) == 1 and "pytest" in command[0]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in ci and 'bash -c "$test_cmd"' in ci
    assert "DATABASE_URL=" in ci and "chromium" in ci
    quick = readme.split("## Quick start")[1].split("```sh")[1].split("```")[0].strip()
    assert "kythuat demo" in quick and "runserver" in quick and "migrate" in quick


def _po_entries(path):
    """(context, msgid, msgstr[0] or msgstr, fuzzy) of each entry of a .po file, header left out."""
    import ast

    entries, current, field = [], {}, None
    for line in path.read_text().splitlines() + [""]:
        if not line.strip():
            if current.get("msgid"):
                entries.append(current)
            current, field = {}, None
        elif line.startswith("#,") and "fuzzy" in line:
            current["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[field] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            field = {"msgstr[0]": "msgstr"}.get(key, key)
            current[field] = current.get(field, "") + ast.literal_eval(value) if field == "msgstr" else \
                ast.literal_eval(value)
    return entries


def test_vietnamese_translation_is_complete_and_compiled():
    import gettext

    locale = ROOT / "kythuat" / "locale" / "vi" / "LC_MESSAGES"
    entries = _po_entries(locale / "django.po")
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not e.get("msgstr") or e.get("fuzzy")]
    assert untranslated == []
    with open(locale / "django.mo", "rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for entry in entries:
        if "msgid_plural" in entry:
            assert catalog.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr"], entry["msgid"]
        elif "msgctxt" in entry:
            assert catalog.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"], entry["msgid"]
        else:
            assert catalog.gettext(entry["msgid"]) == entry["msgstr"], f".mo is stale for {entry['msgid']!r}"
