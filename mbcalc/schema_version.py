"""The version of mbcalc's JSON outputs, the first key of every one (output_schema.py describes
them; this number alone, so that printing JSON does not build the schema)."""

SCHEMA_VERSION = 1
