"""The assessment suite as one call: a spec (which assessment, which columns, which
options), a table and optionally a model in; a result out.

The CLI (``bastion assess …``) and the server's assessment runs both go through
:func:`bastion.suite.runner.run`, so an assessment computed on a laptop and one computed
on the server are the same computation. Pure: it imports the compute packages and nothing
from the platform. This module itself stays light (the SDK imports the spec), so the
runner and the compute libraries behind it are imported from ``bastion.suite.runner``.
"""

from bastion.suite.spec import AssessmentKind, AssessmentSpec

__all__ = ["AssessmentKind", "AssessmentSpec"]
