"""The supervision consoles' tables (issue 7): the rows of a scope's sub-regions or villages with
their indicators and traffic lights, the "perlu perhatian" list, the month picker and the exports.

Everything here reads the rollup rows only (``region_monthly_stats`` for sub-regions,
``village_monthly_stats`` of the listed villages), never raw page views or posts.
"""
