from ._scout import Diagnostic as Diagnostic
from ._scout import Rules as Rules
from ._scout import RulesError as RulesError
from ._scout import __version__ as __version__
from ._scout import output_schema as output_schema
from ._scout import top as top

VERDICTS: tuple[str, str, str, str]
