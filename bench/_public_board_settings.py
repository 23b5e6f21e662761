"""Production settings plus one extra URL: the bare view the public board is measured against."""

from bcpweb.settings.production import *  # noqa: F403

ROOT_URLCONF = "_public_board_urls"
