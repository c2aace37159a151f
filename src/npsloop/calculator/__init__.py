"""`npsloop score`: the NPS of any export file, from the command line.

Reads CSV (optionally gzipped), JSON Lines or Parquet, validates every score with the one rule
in `npsloop.stats`, counts an 11-bin histogram per group and prints the same summary the API
returns. It imports nothing from Django, so it starts fast and runs without a configured site.
"""
