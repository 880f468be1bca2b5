"""The PyQt6 window. It may import formcheck (the core); the core never imports it."""

from formcheck import native  # noqa: F401  (imports cv2 without letting it redirect Qt's plugin path)
