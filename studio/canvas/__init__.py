"""The image document, Qt-free: layers, a mask, a selection, and edits that can be undone.

``Document`` holds the state; ``ops`` turns user operations (plain dataclasses) into ``Edit``
objects that know how to undo and redo themselves; ``undo_memory`` keeps what the edits hold
within a RAM budget. The Qt side (``studio.ui.image``) wraps edits in QUndoCommands.
"""

from studio.canvas.document import Document, Layer, Rect

__all__ = ["Document", "Layer", "Rect"]
