"""The nightly job: a provider portfolio re-audited on a schedule, with history, changes and legal review.

config (the TOML file), lock (one run per database), history (SQLite), serialize (audits to data and
back), fingerprint (when a stored audit may be reused), diff (changes since the last run), review and
workbook (reviewer decisions), reports (files of a run), summary, notify (webhook), logs, runner.
"""
