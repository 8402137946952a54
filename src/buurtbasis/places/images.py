"""Checking uploaded pictures: only real images are accepted.

The file name and the browser's content type are not trusted; Pillow reads the file itself.
"""

from __future__ import annotations

import contextlib
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000


def not_an_image() -> ValidationError:
    return ValidationError(
        _("Dit bestand is geen afbeelding. Kies een foto of plaatje (JPG, PNG, GIF of WebP)."),
        code="not_an_image",
    )


def validate_image(upload: IO[bytes] | Any) -> str:
    """Check that ``upload`` (a file-like object) is a JPEG, PNG, GIF or WebP picture of
    reasonable size. Returns the file extension that fits its real format; raises a
    translated ValidationError otherwise. The file position is reset to the start."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("Deze afbeelding is te groot: hoogstens %(mb)s MB.") % {"mb": MAX_BYTES // 2**20},
            code="too_large",
        )
    if size == 0:
        raise not_an_image()
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format
            width, height = img.size
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise not_an_image() from None
    finally:
        with contextlib.suppress(OSError, ValueError):
            upload.seek(0)
    if fmt not in ALLOWED_FORMATS:
        raise not_an_image()
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("Deze afbeelding heeft te veel pixels; verklein hem eerst."), code="too_large"
        )
    return ALLOWED_FORMATS[fmt]
