from . import main
from . import delivery
