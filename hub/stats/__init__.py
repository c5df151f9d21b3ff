"""The dashboard's pre-aggregated figures: what they count, keeping them current, rebuilding them.

The dashboard (``hub.web.stats``) reads the rollup tables of ``hub.db.rollups`` instead of grouping
a merchant's returns and lines, so a year of returns costs a few thousand small rows, not a scan.

- ``keys``: what a return or line counts under (day, reason, item, latency hours), in Python and in
  SQL, defined once so the write paths and a rebuild agree;
- ``deltas``: the write paths add a return's or a decision's figures to the transaction, written as
  one grouped upsert per table just before it commits;
- ``rebuild``: recompute every rollup from the returns (``returnhub stats rebuild``; after a bulk
  load that bypassed the pipeline, or to repair).
"""
