"""The treatment journal: entries, SQLite store with migrations, rules at entry, stats."""

from follicle.care.journal.entries import KINDS, SYMPTOMS, Entry
from follicle.care.journal.service import Journal, Logged, default_journal_path

__all__ = ["KINDS", "SYMPTOMS", "Entry", "Journal", "Logged", "default_journal_path"]
