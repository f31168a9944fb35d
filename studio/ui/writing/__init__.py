"""The Writing workspace: a draft editor where the local language model continues from the cursor."""

from studio.ui.writing.workspace import Workspace

__all__ = ["Workspace"]
