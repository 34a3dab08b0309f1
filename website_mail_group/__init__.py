from . import controllers
from . import models
from . import wizard
from .hooks import _serve_own_static
