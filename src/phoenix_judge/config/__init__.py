"""Configuration: JSON Schemas shipped in schemas/, validation, and game config loading."""
from .validate import load_json, packaged_schema, validate

__all__ = ["load_json", "packaged_schema", "validate"]
