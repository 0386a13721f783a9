"""The risk register (ISO 31000, ISO/IEC 23894): risks of AI systems, scored on a
likelihood x impact matrix, treated, reviewed, and raised from failing evidence.

Kept free of imports: the settings validate a risk matrix file through
``bastion.risks.matrix`` (pure), which must not pull in the platform services.
"""
