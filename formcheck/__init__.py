"""formcheck core: frames -> pose -> measurements -> exercise checker -> events. Never imports Qt."""

__version__ = "0.1.0"
