"""Every label means what its page means: no app's translation is replaced by another's.

Django merges every catalogue of a language into one (LOCALE_PATHS first, then the apps in
INSTALLED_APPS order, Django's admin before ours), so one msgid gets one translation across the
portal. A msgid that means different things in two apps needs a context (pgettext); otherwise
the first catalogue wins and, say, an incident's "Closed" reads 休業 (a firm's business closure).
"""

from __future__ import annotations

import csv
import gettext
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
OURS = ("organizations", "status_board", "alerts", "bulletin", "emergency_hq", "drills")
TABLE = Path(__file__).with_name("choice_labels.tsv")


def _our_catalogues():
    paths = [ROOT / "locale"] + [Path(apps.get_app_config(a).path) / "locale" for a in OURS]
    for base in paths:
        mo = base / "ja" / "LC_MESSAGES" / "django.mo"
        assert mo.exists(), f"{mo} is not compiled: run `make messages`"
        with mo.open("rb") as handle:
            yield (
                base.parent.name if base.name == "locale" else base.name,
                gettext.GNUTranslations(handle),
            )


def test_no_catalogue_of_ours_is_overridden_by_another_meaning():
    overridden = []
    with translation.override("ja"):
        for name, catalogue in _our_catalogues():
            for key, wanted in catalogue._catalog.items():
                if not key or isinstance(key, tuple) or isinstance(wanted, tuple):
                    continue  # the header and plural forms
                if "\x04" in key:
                    context, msgid = key.split("\x04", 1)
                    shown = translation.pgettext(context, msgid)
                else:
                    msgid, shown = key, translation.gettext(key)
                if shown != wanted:
                    overridden.append(f"{name}: {key!r} wants {wanted!r}, shows {shown!r}")
    assert overridden == [], f"{len(overridden)} overridden:\n" + "\n".join(sorted(overridden))


def _choice_labels():
    rows = []
    for app in OURS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.get_fields():
                if not getattr(field, "choices", None) or not getattr(field, "concrete", False):
                    continue
                for value, label in field.flatchoices:
                    row = [app, model.__name__, field.name, str(value)]
                    for language in ("ja", "en"):
                        with translation.override(language):
                            row.append(str(label))
                    rows.append(row)
    return rows


def test_every_choice_label_reads_as_expected_in_both_languages():
    """The expected table is committed; regenerate it with `REGENERATE=1` and review the diff."""
    import os

    rendered = _choice_labels()
    if os.environ.get("REGENERATE"):
        with TABLE.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
            writer.writerow(["app", "model", "field", "code", "ja", "en"])
            writer.writerows(rendered)
    with TABLE.open(encoding="utf-8", newline="") as handle:
        expected = list(csv.reader(handle, delimiter="\t"))[1:]
    missing = [r for r in expected if r not in rendered]
    unexpected = [r for r in rendered if r not in expected]
    assert (missing, unexpected) == ([], []), (
        "labels differ from tests/bcpweb/choice_labels.tsv:\nexpected "
        + "\n".join("\t".join(r) for r in missing)
        + "\nrendered "
        + "\n".join("\t".join(r) for r in unexpected)
    )


@pytest.mark.parametrize(
    "model, field, code, ja",
    [
        ("BcpProfile", "backup_site_kind", "none", "バックアップサイトなし"),
        ("Incident", "state", "closed", "終了"),
    ],
)
def test_labels_keep_their_meaning(model, field, code, ja):
    row = next(r for r in _choice_labels() if r[1:4] == [model, field, code])
    assert row[4] == ja
