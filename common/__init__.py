"""The bottom layer every app may import: form, API and admin helpers (DESIGN §4).

It imports nothing of the portal's apps, so that an app importing it never closes a loop.
"""
