from . import _quiver
