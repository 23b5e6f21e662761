"""Names kept in Japanese and English."""

from django.utils.translation import get_language


class BilingualName:
    """`name` in the active language, falling back to Japanese."""

    @property
    def name(self) -> str:
        if (get_language() or "ja").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ja
