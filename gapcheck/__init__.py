"""gapcheck: audit privacy policies against GDPR and CCPA/CPRA checklists."""

__version__ = "0.1.0"
