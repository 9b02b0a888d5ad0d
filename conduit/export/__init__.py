"""From a built server to what runs it elsewhere: the exported folder, bundles, service files, client configs."""

from .folder import Export, ExportError, export_app

__all__ = ["Export", "ExportError", "export_app"]
