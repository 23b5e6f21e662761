"""Response headers of every page: Content-Security-Policy and Permissions-Policy.

Imported by ``base``; a module of its own to keep the settings readable.
"""

# Content-Security-Policy (django-csp; docs/security.md): scripts, styles, fonts and images
# from the portal's own files only; no inline code anywhere, no plugins, no framing. Images may
# also be data: URLs (the drills' SVG charts, the TOTP QR code stays inline SVG markup).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (bcpweb.headers): browser features the portal never uses, refused to the
# page and to anything it could embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
