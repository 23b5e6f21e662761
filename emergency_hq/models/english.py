"""What the HQ writes in Japanese with an optional English text beside it (``*_en``).

English pages and e-mails use the English text and fall back visibly to the Japanese one with
the "Japanese only" marker (common.marks.in_language); Japanese pages use the Japanese text.
"""

from __future__ import annotations

from django.utils.translation import get_language

from common.marks import drill_marked, in_language


def page_language() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


class IncidentTexts:
    def title_for(self, language: str) -> str:
        return in_language(self.title, self.title_en, language=language)

    def description_for(self, language: str) -> str:
        return in_language(self.description, self.description_en, language=language)

    def display_title_for(self, language: str) -> str:
        return drill_marked(self.title_for(language), language=language, is_drill=self.is_drill)

    @property
    def display_title(self) -> str:
        return self.display_title_for(page_language())

    @property
    def display_description(self) -> str:
        return self.description_for(page_language())


class ConveningTexts:
    def location_for(self, language: str) -> str:
        return in_language(self.location, self.location_en, language=language)

    @property
    def display_location(self) -> str:
        return self.location_for(page_language())


class DecisionTexts:
    def rationale_for(self, language: str) -> str:
        return in_language(self.rationale, self.rationale_en, language=language)

    @property
    def display_rationale(self) -> str:
        return self.rationale_for(page_language())
