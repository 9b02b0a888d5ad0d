"""The notebook: tools defined cell by cell and served by one hot-swapped server.

    NotebookSession   the notebook's app, its builds and its server (.session)
    cell_functions    the tools a `%%conduit_tool` cell defines (.cells)
    Status, ToolTable what the magics display (.status)

The IPython magics (`conduit_magics`) are a thin shell over `NotebookSession`; nothing here
imports IPython.
"""

from .cells import cell_functions
from .session import NotebookSession
from .status import Progress, Status, ToolTable

__all__ = ["NotebookSession", "Progress", "Status", "ToolTable", "cell_functions"]
