"""pewlike's tests.

One folder per subpackage of pewlike (tests/<topic>/); the R scripts that made the reference
values sit beside them in tests/reference/<topic>/.
"""
