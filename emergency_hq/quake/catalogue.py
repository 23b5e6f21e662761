"""The earthquake rules every installation starts with; jsda_admin edits them in admin.

The data migration loads them; tests that flush the database load them again.
"""

from __future__ import annotations

TOKYO_23_WARDS = "350"
SEISMIC_CRITERION = "seismic-tokyo-6-lower"

RULES = [
    {
        "code": "member-sites-5-lower",
        "label_ja": "会員の拠点がある地域で震度5弱以上",
        "label_en": "Intensity 5 lower or more where a member has a site",
        "min_intensity": "5-",
        "areas": [],
        "member_sites_only": True,
        "opens_incident": True,
        "requests_reports": True,
        "criterion": None,
        "description": (
            "安否確認サービスと同じ基準: 登録地域で震度5弱以上を観測したら、地震のインシデントを"
            "開き、本部と当局に連絡し、拠点のある機関に状況報告を求める。"
        ),
        "display_order": 10,
    },
    {
        "code": "tokyo-23-wards-6-lower",
        "label_ja": "東京23区で震度6弱以上",
        "label_en": "Intensity 6 lower or more in Tokyo's 23 wards",
        "min_intensity": "6-",
        "areas": [TOKYO_23_WARDS],
        "member_sites_only": False,
        "opens_incident": True,
        "requests_reports": True,
        "criterion": SEISMIC_CRITERION,
        "description": (
            "発動基準「東京23区で震度6弱以上」を気象庁の電文から到達とし、本部の確認を待つ。"
        ),
        "display_order": 20,
    },
]


def load_rules(QuakeRule, ActivationCriterion) -> None:
    """Create the seeded rules that are missing; never overwrite what jsda_admin edited."""
    for spec in RULES:
        values = dict(spec)
        code = values.pop("code")
        criterion_code = values.pop("criterion")
        values["criterion"] = (
            ActivationCriterion.objects.filter(code=criterion_code).first()
            if criterion_code
            else None
        )
        QuakeRule.objects.get_or_create(code=code, defaults=values)
